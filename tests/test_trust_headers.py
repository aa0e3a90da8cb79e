"""Headers of every page: no powerful browser feature, nothing of a signed-in user's pages kept
in a cache."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_every_page_forbids_camera_microphone_location_and_payment(client):
    response = client.get(reverse("home"))
    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy


@pytest.mark.django_db
def test_a_signed_in_page_is_never_stored_by_a_cache(client, member):
    client.force_login(member.user)
    for url in (reverse("dashboard"), reverse("home")):
        response = client.get(url)
        assert response["Cache-Control"] == "private, no-store", url


@pytest.mark.django_db
def test_a_visitors_public_page_is_not_marked_private(client):
    response = client.get(reverse("home"))
    assert "no-store" not in response.get("Cache-Control", "")

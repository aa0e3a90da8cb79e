"""The staff list of applications filters by urban challenge whatever the kind of call."""

import pytest

from calls.models import UrbanChallenge
from tests.factories import ApplicationFactory, ProjectApplicationFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_challenge_filter_lists_applications_of_both_calls_that_address_it(client):
    municipality = ApplicationFactory()
    municipality.content.challenges.set(UrbanChallenge.objects.filter(code="climate"))
    project = ProjectApplicationFactory()  # the screening ticked "climate"
    elsewhere = ApplicationFactory()
    elsewhere.content.challenges.set(UrbanChallenge.objects.filter(code="sport"))
    client.force_login(StaffFactory())

    response = client.get("/admin/calls/application/", {"challenge": "climate"})

    listed = {a.reference for a in response.context["cl"].result_list}
    assert listed == {municipality.reference, project.reference}


def test_the_municipal_kind_adds_its_key_area_filter_and_district_name_search(client):
    """Filters and search fields a kind declares (``KindSpec``) reach the staff list."""
    station = ApplicationFactory()
    station.content.district_name = "Quartier des Tanneurs"
    station.content.key_area = "railway-station"
    station.content.save()
    estate = ApplicationFactory()
    estate.content.key_area = "housing-estate"
    estate.content.save()
    client.force_login(StaffFactory())

    by_area = client.get("/admin/calls/application/", {"municipality__key_area": "housing-estate"})
    by_name = client.get("/admin/calls/application/", {"q": "Tanneurs"})

    assert [a.reference for a in by_area.context["cl"].result_list] == [estate.reference]
    assert [a.reference for a in by_name.context["cl"].result_list] == [station.reference]
    assert "municipality__key_area__exact=railway-station" in by_area.content.decode()

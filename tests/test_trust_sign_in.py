"""Strong sign-in for staff and jury: two steps before the admin and the jury space, the
admin's sign-in through allauth (its limits), long passwords."""

import pytest
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import (
    PASSWORD,
    JuryMemberFactory,
    StaffFactory,
    UserFactory,
    with_second_factor,
)


def current_code(secret):
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


@pytest.mark.django_db
def test_staff_without_a_second_step_are_sent_to_set_one_up(in_english):
    in_english.force_login(StaffFactory(two_step=False))

    response = in_english.get("/admin/calls/application/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    assert "next=%2Fadmin%2Fcalls%2Fapplication%2F" in response["Location"]
    page = in_english.get(response["Location"], follow=True)  # after confirming the password
    assert "need two-step verification" in page.content.decode()


@pytest.mark.django_db
def test_staff_with_a_second_step_reach_the_admin(client):
    client.force_login(StaffFactory())
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_a_jury_member_without_a_second_step_cannot_reach_the_jury_space(client):
    seat = JuryMemberFactory(two_step=False)
    client.force_login(seat.user)

    response = client.get(reverse("evaluation:home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    with_second_factor(seat.user)
    assert client.get(reverse("evaluation:home")).status_code == 200


@pytest.mark.django_db
def test_an_applicant_is_not_asked_for_a_second_step(client, member):
    client.force_login(member.user)
    assert client.get(reverse("dashboard")).status_code == 200
    response = client.get(reverse("evaluation:home"))
    assert not response.get("Location", "").startswith(reverse("mfa_activate_totp"))


@pytest.mark.django_db
def test_the_admin_signs_in_through_the_portal_with_its_second_step(client):
    staff = StaffFactory(two_step=False)
    secret = with_second_factor(staff)

    response = client.get("/admin/login/?next=/admin/calls/call/")
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Fcalls%2Fcall%2F"

    response = client.post(
        "/accounts/login/?next=/admin/calls/call/",
        {"login": staff.email, "password": PASSWORD},
    )
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get("/admin/").status_code == 302  # not signed in before the second step

    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert response["Location"] == "/admin/calls/call/"
    assert client.get("/admin/calls/call/").status_code == 200


@pytest.mark.django_db
def test_the_admin_login_refuses_even_the_right_password_after_repeated_failures(in_english):
    staff = StaffFactory()
    for _attempt in range(30):
        in_english.post("/accounts/login/", {"login": staff.email, "password": "wrong-password"})

    response = in_english.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})

    assert response.status_code in (200, 429)  # the form again, or the limit's page
    assert "Too many" in response.content.decode()
    assert in_english.get("/admin/").status_code == 302


@pytest.mark.django_db
def test_the_admin_login_never_redirects_elsewhere(client):
    response = client.get("/admin/login/?next=https://evil.example/")
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


@pytest.mark.django_db
def test_staff_and_jury_need_twelve_characters_others_the_usual_eight():
    eleven = "Qmi-pass-7x"
    with pytest.raises(ValidationError):
        validate_password(eleven, StaffFactory())
    with pytest.raises(ValidationError):
        validate_password(eleven, JuryMemberFactory().user)
    validate_password(eleven, UserFactory())
    validate_password(eleven + "K", StaffFactory())

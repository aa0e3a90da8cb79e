"""Signing in at the deadline: sessions that last two weeks and are renewed while used, the
dashboard's warning when a session ends before a deadline, and an autosave that finds itself
signed out (the password hashing is tested in test_password_hashing)."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from calls.domain.workflow import Status
from qmi.middleware import RENEWED_AT
from tests.factories import PASSWORD, ApplicationFactory, CallFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def sign_in(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_sessions_are_kept_in_the_cache_in_front_of_the_database(settings):
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"


def test_a_sign_in_is_remembered_for_two_weeks(client):
    user = UserFactory()

    sign_in(client, user.email)

    assert client.session.get_expire_at_browser_close() is False
    assert client.session.get_expiry_age() == 14 * 24 * 3600
    cookie = client.cookies["sessionid"]
    assert int(cookie["max-age"]) == 14 * 24 * 3600


def test_an_active_session_is_renewed_past_half_its_life_and_not_before(client):
    user = UserFactory()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, user.email)
        client.get(reverse("dashboard"))
        first = client.session[RENEWED_AT]
    with time_machine.travel(start + timedelta(days=3), tick=False):
        client.get(reverse("dashboard"))
        assert client.session[RENEWED_AT] == first  # no write while more than half is left
    with time_machine.travel(start + timedelta(days=13), tick=False):
        response = client.get(reverse("dashboard"))
        assert response.status_code == 200
        assert client.session[RENEWED_AT] != first  # renewed: two weeks from now
    with time_machine.travel(start + timedelta(days=20), tick=False):
        assert client.get(reverse("dashboard")).status_code == 200  # still signed in


def test_an_idle_session_ends_after_two_weeks(client, settings):
    # The database's expiry date (the cache in front of it expires its copy on the cache's own
    # clock, which time travel does not move).
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    user = UserFactory()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, user.email)
    with time_machine.travel(start + timedelta(days=15), tick=False):
        response = client.get(reverse("dashboard"))

    assert response.status_code == 302


@pytest.fixture
def draft_to_a_far_deadline(member):
    call = CallFactory(closes_at=timezone.now() + timedelta(days=40))
    return ApplicationFactory(member=member, call=call)


def test_the_dashboard_warns_when_the_session_ends_before_a_draft_s_deadline(
    client, member, draft_to_a_far_deadline
):
    sign_in(client, member.user.email)

    content = client.get(reverse("dashboard")).content.decode()

    assert "Your session ends on" in content
    assert "before the deadline of" in content


def test_the_dashboard_does_not_warn_when_the_session_outlasts_the_deadline(client, member):
    ApplicationFactory(
        member=member, call=CallFactory(closes_at=timezone.now() + timedelta(days=5))
    )
    sign_in(client, member.user.email)

    content = client.get(reverse("dashboard")).content.decode()

    assert "Your session ends on" not in content


def test_the_dashboard_warns_a_session_that_ends_with_the_browser(client, member):
    ApplicationFactory(
        member=member, call=CallFactory(closes_at=timezone.now() + timedelta(days=5))
    )
    sign_in(client, member.user.email)
    session = client.session
    session.set_expiry(0)
    session.save()

    content = client.get(reverse("dashboard")).content.decode()

    assert "only until you close this browser" in content


def test_a_signed_out_autosave_is_told_so_with_the_way_back_to_the_same_page(client, draft):
    edit = reverse("calls:application", kwargs={"reference": draft.reference})
    autosave = reverse("calls:autosave", kwargs={"reference": draft.reference})

    response = client.post(
        autosave,
        {"title": "Texte tapé"},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
        HTTP_REFERER=f"http://testserver{edit}?step=2",
    )

    assert response.status_code == 401
    payload = response.json()
    assert payload["signed_out"] is True
    assert "kept in this browser" in payload["message"]
    assert (
        payload["login_url"]
        == f"{reverse('account_login')}?{urlencode({'next': edit + '?step=2'})}"
    )
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_signing_in_from_that_link_comes_back_to_the_form(client, draft, member):
    edit = reverse("calls:application", kwargs={"reference": draft.reference})
    login_url = f"{reverse('account_login')}?next={edit}"

    response = client.post(login_url, {"login": member.user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == edit


def test_the_form_s_sign_in_link_comes_back_to_the_form_page(client, draft, member):
    sign_in(client, member.user.email)
    edit = reverse("calls:application", kwargs={"reference": draft.reference})

    content = client.get(edit).content.decode()

    expected = f"{reverse('account_login')}?next={urlencode({'': edit})[1:]}"
    assert f'data-autosave-login hidden href="{expected}"' in content


def test_a_signed_in_user_following_that_link_from_a_stale_page_comes_straight_back(
    client, draft, member
):
    sign_in(client, member.user.email)
    edit = reverse("calls:application", kwargs={"reference": draft.reference})

    response = client.get(f"{reverse('account_login')}?{urlencode({'next': edit})}")

    assert response.status_code == 302
    assert response["Location"] == edit


def test_an_expired_session_on_the_form_page_signs_in_and_comes_back_to_it(
    client, draft, member, settings
):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"  # see the idle session
    edit = reverse("calls:application", kwargs={"reference": draft.reference}) + "?step=2"
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, member.user.email)
    with time_machine.travel(start + timedelta(days=15), tick=False):
        to_login = client.get(edit)
        assert to_login.status_code == 302
        response = client.post(
            to_login["Location"], {"login": member.user.email, "password": PASSWORD}
        )

    assert response.status_code == 302
    assert response["Location"] == edit

"""Accounts (django-allauth, the e-mail address is the login) and the page language."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from qmi.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP_URL = "/accounts/signup/"
LOGIN_URL = "/accounts/login/"
RESET_URL = "/accounts/password/reset/"
NEW_PASSWORD = "Un-mot-de-passe-s0lide"


def _signup(client, email, password=NEW_PASSWORD):
    return client.post(
        SIGNUP_URL,
        {
            "first_name": "Camille",
            "last_name": "Martin",
            "email": email,
            "password1": password,
            "password2": password,
        },
    )


def _login(client, email, password=NEW_PASSWORD):
    return client.post(LOGIN_URL, {"login": email, "password": password})


def _html_lang(response):
    match = re.search(r'<html[^>]*\blang="([^"]*)"', response.content.decode())
    return match.group(1) if match else None


# --- Sign-up ------------------------------------------------------------------------------


def test_signup_creates_an_unverified_login_and_sends_a_verification(client):
    response = _signup(client, "Agent@Ville.example")

    assert response.status_code == 302
    user = User.objects.get()
    assert user.email == "agent@ville.example"
    assert list(EmailAddress.objects.values_list("email", "verified")) == [
        ("agent@ville.example", False)
    ]
    assert [m.to for m in mail.outbox] == [["agent@ville.example"]]
    assert "/accounts/confirm-email/" in mail.outbox[0].body


def test_signup_does_not_sign_in_before_verification(client):
    _signup(client, "agent@ville.example")

    response = client.get(reverse("dashboard"))

    assert response.status_code == 302
    assert response.url.startswith(LOGIN_URL)


def test_login_before_verification_gives_no_access_to_the_dashboard(client):
    _signup(client, "agent@ville.example")
    client.logout()

    login = _login(client, "agent@ville.example")
    response = client.get(reverse("dashboard"))

    assert login.status_code == 302
    assert login.url != reverse("dashboard")
    assert response.status_code == 302
    assert response.url.startswith(LOGIN_URL)


def test_verification_link_confirms_the_address_and_opens_the_dashboard(client):
    _signup(client, "agent@ville.example")
    link = re.search(r"/accounts/confirm-email/[^\s]+/", mail.outbox[0].body).group(0)

    client.post(link)
    response = client.get(reverse("dashboard"))

    assert EmailAddress.objects.get().verified is True
    assert response.status_code == 200


def test_signup_with_an_invalid_email_shows_an_error(english):
    response = _signup(english, "agent@")

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["email"]
    assert User.objects.count() == 0
    assert mail.outbox == []


def test_signup_with_an_existing_email_does_not_reveal_the_account(client):
    owner = UserFactory(email="agent@ville.example")
    new_address = _signup(client, "nouveau@ville.example")
    mail.outbox.clear()
    client.logout()

    response = _signup(client, "Agent@ville.example")

    assert (response.status_code, response.url) == (new_address.status_code, new_address.url)
    assert list(User.objects.filter(email__iexact="agent@ville.example")) == [owner]
    assert [m.to for m in mail.outbox] == [["agent@ville.example"]]


# --- Login --------------------------------------------------------------------------------


def test_login_by_email_opens_the_dashboard(client):
    user = UserFactory(email="agent@ville.example")

    response = _login(client, "AGENT@ville.example", PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    assert client.get(reverse("dashboard")).wsgi_request.user == user


def test_login_with_a_wrong_password_is_refused(client):
    UserFactory(email="agent@ville.example")

    response = _login(client, "agent@ville.example", "pas-le-bon")

    assert response.status_code == 200
    assert client.get(reverse("dashboard")).status_code == 302


# --- Password reset -----------------------------------------------------------------------


def test_password_reset_of_an_unknown_address_looks_like_a_known_one(client):
    UserFactory(email="agent@ville.example")

    known = client.post(RESET_URL, {"email": "agent@ville.example"})
    unknown = client.post(RESET_URL, {"email": "inconnu@ville.example"})

    assert (unknown.status_code, unknown.url) == (known.status_code, known.url)
    assert client.get(unknown.url).status_code == 200


def test_password_reset_sends_a_reset_link_to_a_known_address(client):
    UserFactory(email="agent@ville.example")

    client.post(RESET_URL, {"email": "agent@ville.example"})

    assert [m.to for m in mail.outbox] == [["agent@ville.example"]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_password_reset_sends_no_mail_to_an_unknown_address(client):
    client.post(RESET_URL, {"email": "inconnu@ville.example"})

    assert mail.outbox == []


# --- Language -----------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", LOGIN_URL, SIGNUP_URL], ids=["home", "login", "signup"])
def test_pages_are_in_french_by_default(client, url):
    response = client.get(url)

    assert response.status_code == 200
    assert _html_lang(response) == "fr"


@pytest.mark.parametrize("url", ["/", LOGIN_URL], ids=["home", "login"])
def test_pages_are_in_english_after_choosing_english(client, url):
    switch = client.post("/i18n/setlang/", {"language": "en", "next": url})

    response = client.get(url)

    assert switch.status_code == 302
    assert _html_lang(response) == "en"

"""Behind the reverse proxy, the sign-in rate limits count each client apart (by the address
the proxy appends to X-Forwarded-For), so a rush of applicants behind one proxy is not
refused together; without a trusted proxy, a forged header changes nothing."""

import pytest
from django.core.cache import cache
from django.urls import reverse

pytestmark = pytest.mark.django_db

LIMIT = 3


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.ACCOUNT_RATE_LIMITS = {"login": f"{LIMIT}/m/ip"}
    cache.clear()
    yield
    cache.clear()


def _sign_in(client, address):
    return client.post(
        reverse("account_login"),
        {"login": "someone@ville.example", "password": "not the password"},
        headers={"x-forwarded-for": address},
        REMOTE_ADDR="10.0.0.2",  # the proxy
    )


def test_two_clients_behind_the_proxy_are_limited_separately(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1

    first = [_sign_in(client, "203.0.113.5").status_code for _ in range(LIMIT + 1)]
    other = _sign_in(client, "198.51.100.7").status_code

    assert first[:LIMIT] == [200] * LIMIT and first[LIMIT] == 429
    assert other == 200


def test_without_a_trusted_proxy_the_header_is_ignored(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0

    for _ in range(LIMIT):
        _sign_in(client, "203.0.113.5")
    forged = _sign_in(client, "198.51.100.7").status_code

    assert forged == 429  # the same connection's address: the same limit


def test_the_client_cannot_choose_its_address_through_the_proxy(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1

    for n in range(LIMIT):
        _sign_in(client, f"192.0.2.{n}, 203.0.113.5")  # a forged first entry, the real last
    response = _sign_in(client, "192.0.2.99, 203.0.113.5")

    assert response.status_code == 429

"""Passwords: the hashers the portal is configured with (not the tests' fast one), Argon2id at
or above OWASP's minimum, one hasher per algorithm, and a sign-in that rewrites a hash only
when it is not the current one."""

import argon2
import pytest
from django.contrib.auth.hashers import get_hasher, make_password
from django.urls import reverse
from django.utils.module_loading import import_string

from qmi import settings as configured
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

CURRENT = "argon2$argon2id$v=19$m=19456,t=2,p=1$"


@pytest.fixture
def real_hashers(settings):
    settings.PASSWORD_HASHERS = configured.PASSWORD_HASHERS


def sign_in(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    return user


def test_the_first_hasher_is_argon2id_at_or_above_the_owasp_minimum(real_hashers):
    hasher = get_hasher("default")

    assert hasher.algorithm == "argon2"
    assert hasher.memory_cost >= 19 * 1024  # KiB
    assert hasher.time_cost >= 2
    assert hasher.parallelism >= 1
    assert make_password("un-mot-de-passe-solide").startswith("argon2$argon2id$")


def test_no_two_hashers_share_an_algorithm_name(real_hashers):
    # Django keeps the last hasher of a name: a second "argon2" would check our hashes and find
    # them below its own parameters, rewriting the password at every sign-in.
    algorithms = [import_string(path).algorithm for path in configured.PASSWORD_HASHERS]

    assert len(algorithms) == len(set(algorithms))


def test_a_sign_in_with_a_current_hash_leaves_it_as_it_is(client, real_hashers):
    user = UserFactory()
    user.password = make_password(PASSWORD)
    user.save()
    before = user.password

    after = sign_in(client, user).password

    assert after == before
    assert after.startswith(CURRENT)


def test_a_pbkdf2_hash_becomes_argon2id_at_the_next_sign_in(client, real_hashers):
    user = UserFactory()
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save()

    user = sign_in(client, user)

    assert user.password.startswith(CURRENT)
    assert user.check_password(PASSWORD)


def test_an_argon2_hash_with_other_parameters_is_checked_then_brought_to_ours(client, real_hashers):
    user = UserFactory()
    # as Django's own Argon2 hasher made them (100 MiB, 8 lanes)
    user.password = "argon2" + argon2.PasswordHasher(
        time_cost=2, memory_cost=102400, parallelism=8, type=argon2.Type.ID
    ).hash(PASSWORD)
    user.save()

    user = sign_in(client, user)

    assert user.password.startswith(CURRENT)


def test_a_wrong_password_changes_nothing(client, real_hashers):
    user = UserFactory()
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save()
    before = user.password

    client.post(reverse("account_login"), {"login": user.email, "password": "not-the-one-123"})

    user.refresh_from_db()
    assert user.password == before

import pytest
from django.core.cache import cache
from django.utils import translation

from qmi.celery import app as celery_app


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Tasks run eagerly, files go to a temporary folder, e-mails to the outbox, passwords
    hash fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CELERY_TASK_ALWAYS_EAGER = True
    celery_app.conf.task_always_eager = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    cache.clear()
    yield
    celery_app.conf.task_always_eager = True


@pytest.fixture(autouse=True)
def _reference_data_after_flush(request):
    """A transactional test flushes the database, migrated reference data included: put the
    communes and urban challenges back for the tests that need committed data."""
    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        from tests.worker import ensure_reference_data

        request.getfixturevalue("transactional_db")
        ensure_reference_data()


@pytest.fixture
def open_call(db):
    from tests.factories import CallFactory

    return CallFactory()


@pytest.fixture
def english(client):
    """The test client, reading the portal in English."""
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def in_english(client):
    """The test client and the code under test in English, so messages compare as written."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield client


@pytest.fixture
def staff(db):
    """A member of Paris&Co's staff."""
    from tests.factories import StaffFactory

    return StaffFactory()


@pytest.fixture
def member(db):
    """A confirmed member of a member commune (a ``Membership``)."""
    from tests.factories import MembershipFactory

    return MembershipFactory()


@pytest.fixture
def draft(member):
    """An empty draft of ``member``'s municipality, to an open call."""
    from tests.factories import ApplicationFactory

    return ApplicationFactory(member=member)


@pytest.fixture
def applicant_client(english, member):
    """The client signed in as ``member``, reading the portal in English."""
    english.force_login(member.user)
    return english


@pytest.fixture
def staff_client(client):
    """The client signed in as a member of Paris&Co's staff."""
    from tests.factories import StaffFactory

    client.force_login(StaffFactory())
    return client


@pytest.fixture
def admin_user(admin_user):
    """pytest-django's superuser, with the second step the admin requires set up."""
    from tests.factories import with_second_factor

    with_second_factor(admin_user)
    return admin_user

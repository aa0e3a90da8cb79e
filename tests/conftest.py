import pytest
from django.core.cache import cache
from django.core.files.storage import storages

from calls.models import Attachment
from qmi.celery import app as celery_app


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path, monkeypatch):
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
    # The attachment field resolved its storage when models loaded: point it at this test's.
    monkeypatch.setattr(
        Attachment._meta.get_field("file"),
        "storage",
        storages.create_storage(settings.STORAGES["private"]),
    )
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
def officer(db):
    """A municipal officer, confirmed member of a member commune."""
    from tests.factories import MembershipFactory

    return MembershipFactory().user


@pytest.fixture
def open_call(db):
    from tests.factories import CallFactory

    return CallFactory()

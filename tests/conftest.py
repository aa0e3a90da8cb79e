import pytest
from django.core.cache import cache

from qmi.celery import app as celery_app


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Tasks run eagerly, files go to a temporary folder, e-mails to the outbox."""
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


@pytest.fixture
def officer(db):
    """A municipal officer, confirmed member of a member commune."""
    from tests.factories import MembershipFactory

    return MembershipFactory().user


@pytest.fixture
def open_call(db):
    from tests.factories import CallFactory

    return CallFactory()

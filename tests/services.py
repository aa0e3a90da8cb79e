"""Helpers for the tests that need the real services (PostgreSQL, Redis, a Celery worker).

Such tests carry the ``services`` mark. On a developer's machine without the services they
are skipped; in CI (``CI=true``) a missing service is a failure, never a silent skip.
"""

import os

import pytest
from django.conf import settings

requires_services = pytest.mark.services


def postgres_available() -> bool:
    """True when the default database is PostgreSQL (``DATABASE_URL=postgres://...``)."""
    return "postgresql" in settings.DATABASES["default"]["ENGINE"]


def redis_url() -> str:
    """The Redis URL the portal is configured with, or ``""`` when there is none."""
    return getattr(settings, "REDIS_URL", "") or ""


def in_ci() -> bool:
    return os.environ.get("CI") == "true"


def skip_or_fail(reason: str):
    """Skip the current test, except in CI where a missing service must fail the run."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: tests that need services are never skipped)")
    pytest.skip(reason)

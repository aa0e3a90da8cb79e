"""Helpers for the tests that need the real services (PostgreSQL, Redis, a Celery worker).

Such tests carry the ``services`` mark. On a developer's machine without the services they
are skipped; in CI (``CI=true``) a missing service is a failure, never a silent skip.
"""

import os
import threading

import pytest
from django.conf import settings
from django.db import connection

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


def require_postgres(race):
    """Skip (fail in CI) a test of ``race`` unless the database is PostgreSQL: SQLite has no row
    locks (``select_for_update`` does nothing there; it serialises every write)."""
    if not postgres_available():
        skip_or_fail(
            f"needs PostgreSQL (DATABASE_URL=postgres://...): SQLite has no row locks, so {race} "
            "cannot be run on it"
        )


def race(count, action):
    """Run ``action(n)`` in ``count`` threads released together; answers the results (or the
    exceptions) in thread order."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(n):
        try:
            barrier.wait(timeout=10)
            results[n] = action(n)
        except Exception as error:  # noqa: BLE001 — reported by the test
            results[n] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results

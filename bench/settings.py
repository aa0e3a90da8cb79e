"""Settings of the benchmarks: the portal's own settings, with a throw-away database, e-mails
kept in memory, Celery tasks run in-process and nothing written outside a temporary folder.

``bench/environment.py`` selects this module and sets ``QMI_BENCH_DIR`` (temporary folder) before
Django starts. The database is SQLite in that folder, unless ``DATABASE_URL`` is set in the
environment: then the benchmark creates, fills and drops a database named ``qmi_bench`` on
that server (the database named in the URL itself is never written to).
"""

import os
import tempfile
from pathlib import Path

# Decided before the portal's settings read the project's .env file: only a DATABASE_URL set
# in the environment sends the benchmark to a database server.
USE_DATABASE_SERVER = bool(os.environ.get("DATABASE_URL"))

# The portal's settings refuse to start without a secret key when DEBUG is off.
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")

from qmi.settings import *  # noqa: E402, F403

BENCH_DIR = Path(os.environ.get("QMI_BENCH_DIR") or tempfile.mkdtemp(prefix="qmi-bench-"))
BENCH_DATABASE_NAME = "qmi_bench"

# As in production and under Django's test runner: no per-request query log, no debug pages.
DEBUG = False
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # noqa: F405

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = "memory://"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Only the superuser created by the benchmark has a password; keep its hashing cheap.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

MEDIA_ROOT = BENCH_DIR / "media"
PRIVATE_MEDIA_ROOT = BENCH_DIR / "private"
STORAGES = {
    **STORAGES,  # noqa: F405
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT)},
    },
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
    # Static files are not collected for the benchmark: plain URLs, no manifest.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

if USE_DATABASE_SERVER:
    DATABASES = {"default": {**DATABASES["default"]}}  # noqa: F405
    if DATABASES["default"]["NAME"] == BENCH_DATABASE_NAME:
        raise RuntimeError(
            f"DATABASE_URL names the database {BENCH_DATABASE_NAME!r}, which the benchmark "
            "drops: point it at another database of the same server."
        )
    DATABASES["default"]["TEST"] = {"NAME": BENCH_DATABASE_NAME}
else:
    _sqlite = str(BENCH_DIR / f"{BENCH_DATABASE_NAME}.sqlite3")
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": _sqlite,
            "ATOMIC_REQUESTS": False,
            "CONN_MAX_AGE": 0,
            "TEST": {"NAME": _sqlite},
        }
    }

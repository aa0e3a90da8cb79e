"""Start a real Celery worker (and beat) for the tests that need them, against the real Redis and
the PostgreSQL test database, the way ``make worker`` / ``make beat`` and docker-compose do.

The approach of ``tests/test_celery_worker.py``, shared: the processes get the test database's
URL, the portal's queue and a file-based e-mail backend, log to a file, and are stopped (or
killed) by the test.
"""

import email
import email.policy
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from tests.services import postgres_available, redis_url, skip_or_fail

READY_TIMEOUT = 60
SHUTDOWN_TIMEOUT = 15
SEPARATOR = b"\n" + b"-" * 79 + b"\n"  # written by the file-based backend after each message
BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"


def require_services():
    """The Redis URL; skips (fails in CI) without PostgreSQL or a Redis that answers."""
    if not postgres_available():
        skip_or_fail("needs PostgreSQL: set DATABASE_URL=postgres://...")
    url = redis_url()
    if not url:
        skip_or_fail("needs Redis: set REDIS_URL=redis://...")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except redis.RedisError as exc:
        skip_or_fail(f"Redis at {url} does not answer: {exc}")
    return url


def ensure_reference_data():
    """Reload the reference data of the migrations (communes, urban challenges) when an earlier
    transactional test flushed the database."""
    from django.core.management import call_command

    from calls.models import UrbanChallenge
    from municipalities.models import Commune

    if not Commune.objects.exists():
        call_command("load_communes", verbosity=0)
    for position, (code, _label) in enumerate(UrbanChallenge.Code.choices):
        UrbanChallenge.objects.get_or_create(code=code, defaults={"position": position})


def purge_queue(broker, queue):
    """Drop what earlier runs may have left in the test queue."""
    import redis

    client = redis.Redis.from_url(broker)
    client.delete(queue, "unacked", "unacked_index")


def database_url():
    """DATABASE_URL of the database this test runs in (pytest-django's ``test_...`` one)."""
    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{quote(db['NAME'], safe='')}"


def environment(broker, mail_dir, **extra):
    """The environment of a worker or beat process of the test."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "qmi.settings",
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(settings.BASE_DIR), os.environ.get("PYTHONPATH")) if p
        ),
        "DATABASE_URL": database_url(),
        "REDIS_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "EMAIL_URL": "",
        "EMAIL_BACKEND": "tests.mail_backends.SlowFileBackend",
        "QMI_TEST_MAIL_DIR": str(mail_dir),
        "PRIVATE_MEDIA_ROOT": str(settings.STORAGES["private"]["OPTIONS"]["location"]),
    }
    env.update({k: str(v) for k, v in extra.items()})
    return env


def read_log(path):
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


class Process:
    """A celery process of the test, its log and how to stop it."""

    def __init__(self, argv, env, log_path):
        self.log_path = log_path
        self.argv = argv
        with log_path.open("ab") as log:
            self.popen = subprocess.Popen(  # noqa: S603 - our own celery, fixed arguments
                argv,
                cwd=settings.BASE_DIR,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def log(self):
        return read_log(self.log_path)

    def alive(self):
        return self.popen.poll() is None

    def kill(self):
        """SIGKILL: no warm shutdown, no acknowledgement, no rollback but the database's."""
        if self.alive():
            os.kill(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=SHUTDOWN_TIMEOUT)

    def stop(self):
        if not self.alive():
            return
        self.popen.terminate()
        try:
            self.popen.wait(timeout=SHUTDOWN_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill()


def celery():
    return str(Path(sys.executable).parent / "celery")


def start_worker(env, log_path, *, wait=True):
    argv = [
        celery(),
        "-A",
        "qmi",
        "worker",
        "--pool=solo",
        "--concurrency=1",
        "-l",
        "info",
        "-Q",
        settings.CELERY_TASK_DEFAULT_QUEUE,
        "-n",
        f"qmi-test-{uuid.uuid4().hex[:8]}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    process = Process(argv, env, log_path)
    if wait:
        start = len(read_log(log_path))
        wait_until(
            lambda: " ready." in read_log(log_path)[start:],
            READY_TIMEOUT,
            [process],
            "before the worker was ready",
        )
    return process


def start_beat(env, log_path, tmp_path):
    """Celery beat as ``make beat`` runs it (DatabaseScheduler), checking the schedule often."""
    argv = [
        celery(),
        "-A",
        "qmi",
        "beat",
        "-l",
        "info",
        "--scheduler",
        BEAT_SCHEDULER,
        "--max-interval",
        "1",
        "--pidfile",
        str(tmp_path / "beat.pid"),
    ]
    return Process(argv, env, log_path)


def wait_until(predicate, timeout, processes, what, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        for process in processes:
            if not process.alive():
                pytest.fail(f"{process.argv[3]} exited {what}:\n{process.log}")
        time.sleep(interval)
    logs = "\n\n".join(p.log[-5000:] for p in processes)
    pytest.fail(f"timed out after {timeout}s {what}. Logs:\n{logs}")


def sent_messages(mail_dir):
    messages = []
    for path in sorted(Path(mail_dir).glob("*.log")):
        for raw in path.read_bytes().split(SEPARATOR):
            if raw.strip():
                messages.append(email.message_from_bytes(raw, policy=email.policy.default))
    return messages

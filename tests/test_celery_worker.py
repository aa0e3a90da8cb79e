"""A real Celery worker, in its own process, sends the acknowledgement of a submitted application
through the real Redis broker, reading the application from the real PostgreSQL test database.

Nothing is eager here: the test process only publishes the task; the worker (started the way
`make worker` and docker-compose start it) must pick it up from the portal's queue, load the
committed application and write the e-mail with the file-based backend."""

import email
import email.policy
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from qmi.celery import app as celery_app
from tests.services import postgres_available, redis_url, requires_services, skip_or_fail

pytestmark = requires_services

WORKER_READY_TIMEOUT = 60
EMAIL_TIMEOUT = 30
SHUTDOWN_TIMEOUT = 15
SEPARATOR = b"\n" + b"-" * 79 + b"\n"  # written by the file-based backend after each message


def require_services():
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


def worker_database_url():
    """DATABASE_URL of the database this test runs in (pytest-django's ``test_...`` one)."""
    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{quote(db['NAME'], safe='')}"


def read_log(path):
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def wait_until(predicate, timeout, worker, log_path, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        if worker.poll() is not None:
            pytest.fail(f"the worker exited ({worker.returncode}) {what}:\n{read_log(log_path)}")
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout}s {what}. Worker log:\n{read_log(log_path)}")


def sent_messages(mail_dir):
    messages = []
    for path in sorted(mail_dir.glob("*.log")):
        for raw in path.read_bytes().split(SEPARATOR):
            if raw.strip():
                messages.append(email.message_from_bytes(raw, policy=email.policy.default))
    return messages


def text_of(message):
    parts = [message["Subject"] or ""]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_content())
    return "\n".join(parts)


def stop(worker):
    if worker.poll() is not None:
        return
    worker.terminate()  # warm shutdown
    try:
        worker.wait(timeout=SHUTDOWN_TIMEOUT)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait(timeout=SHUTDOWN_TIMEOUT)


def test_real_worker_sends_the_acknowledgement(transactional_db, settings, tmp_path):
    broker = require_services()
    from calls.tasks import send_acknowledgement
    from tests.factories import SubmittedApplicationFactory

    # Created while tasks are still eager (the suite's default): its own acknowledgement goes to
    # the in-memory outbox, and the rows are committed so that the worker process sees them.
    application = SubmittedApplicationFactory()
    members = list(
        application.applicant.memberships.filter(confirmed_at__isnull=False).values_list(
            "user__email", flat=True
        )
    )
    assert members, "the factory must give the applicant a confirmed member"

    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    assert celery_app.conf.broker_url == broker, "the Celery app must use REDIS_URL as broker"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log_path = tmp_path / "worker.log"
    hostname = f"qmi-test-{uuid.uuid4().hex[:8]}@%h"

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "qmi.settings",
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(settings.BASE_DIR), os.environ.get("PYTHONPATH")) if p
        ),
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_QUEUE": queue,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        # The settings read the backend and its folder from EMAIL_URL (filemail:// + abs. path).
        "EMAIL_URL": f"filemail:///{mail_dir}",
    }
    celery = Path(sys.executable).parent / "celery"
    command = [
        str(celery),
        "-A",
        "qmi",
        "worker",
        "--pool=solo",
        "--concurrency=1",
        "-l",
        "info",
        "-Q",
        queue,
        "-n",
        hostname,
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]

    previous_eager = celery_app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.task_always_eager = False
    with log_path.open("wb") as log:
        worker = subprocess.Popen(  # noqa: S603 - our own celery, fixed arguments
            command,
            cwd=settings.BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until(
            lambda: " ready." in read_log(log_path),
            WORKER_READY_TIMEOUT,
            worker,
            log_path,
            "before the worker was ready",
        )

        result = send_acknowledgement.apply_async(args=[application.pk])
        assert result.id, "the task was not published"

        def acknowledgement():
            for message in sent_messages(mail_dir):
                if application.reference in text_of(message):
                    return message
            return None

        message = wait_until(
            acknowledgement,
            EMAIL_TIMEOUT,
            worker,
            log_path,
            f"waiting for the acknowledgement of {application.reference} in {mail_dir}",
        )
    finally:
        celery_app.conf.task_always_eager = previous_eager
        stop(worker)

    recipients = {address.addr_spec.lower() for address in message["To"].addresses}
    assert {m.lower() for m in members} <= recipients
    assert application.reference in text_of(message)
    log = read_log(log_path)
    assert "calls.tasks.send_acknowledgement" in log and "succeeded" in log, log

"""A real Celery worker, started as ``make worker`` starts it, executes the acknowledgement
task against the real Redis broker and the PostgreSQL test database (CI runs it; without the
services it is skipped, and with ``CI=true`` it fails instead)."""

import pytest

from qmi.celery import app as celery_app
from tests.services import requires_services
from tests.worker import (
    environment,
    purge_queue,
    require_services,
    sent_messages,
    start_worker,
    wait_until,
)

pytestmark = [requires_services, pytest.mark.django_db(transaction=True)]

EMAIL_TIMEOUT = 30


def text_of(message):
    part = message.get_body(preferencelist=("plain",)) or message
    return part.get_content()


def test_real_worker_sends_the_acknowledgement(transactional_db, settings, tmp_path):
    broker = require_services()
    from qmi.tasks import send_message
    from tests.factories import SubmittedApplicationFactory

    # Created while tasks are still eager (the suite's default): the rows are committed, so the
    # worker process sees them.
    application = SubmittedApplicationFactory()
    members = set(
        application.applicant.memberships.filter(confirmed_at__isnull=False).values_list(
            "user__email", flat=True
        )
    )
    assert members, "the factory must give the applicant a confirmed member"
    assert celery_app.conf.broker_url == broker, "the Celery app must use REDIS_URL as broker"
    purge_queue(broker, settings.CELERY_TASK_DEFAULT_QUEUE)
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    worker = start_worker(environment(broker, mail_dir), tmp_path / "worker.log")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.task_always_eager = False
    try:
        assert send_message.apply_async(args=["acknowledgement", application.pk]).id

        message = wait_until(
            lambda: next(
                (m for m in sent_messages(mail_dir) if application.reference in text_of(m)),
                None,
            ),
            EMAIL_TIMEOUT,
            [worker],
            f"waiting for the acknowledgement of {application.reference}",
        )
    finally:
        celery_app.conf.task_always_eager = True
        worker.stop()

    assert {a.addr_spec.lower() for a in message["To"].addresses} == {m.lower() for m in members}
    assert "qmi.tasks.send_message" in worker.log and "succeeded" in worker.log

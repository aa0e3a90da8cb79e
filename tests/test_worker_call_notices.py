"""Against the real Redis and PostgreSQL: a real Celery beat schedules the scan, a real worker
tells 30 confirmed contacts that a call is open, slowly; the test kills the worker with
SIGKILL while it is sending one, restarts it, and checks that every contact received exactly
one e-mail and has one ``CallNotice``: the restarted worker sends what the first one had
claimed and not sent."""

from collections import Counter

import pytest

from calls.domain import outreach
from calls.models import CallNotice, Contact, Delivery
from qmi.celery import app as celery_app
from tests import worker
from tests.services import requires_services
from tests.test_worker_reminders import schedule_scan_every_second

pytestmark = [requires_services, pytest.mark.django_db(transaction=True)]

CONTACTS = 30
MAIL_DELAY = 0.25
KILL_AFTER = 8
TIMEOUT = 45


def test_each_contact_is_told_once_though_the_worker_is_killed_mid_batch(tmp_path, settings):
    broker = worker.require_services()
    worker.ensure_reference_data()
    from tests.factories import CallFactory

    call = CallFactory()  # open now, for municipalities
    for n in range(CONTACTS):
        contact = Contact.objects.create(
            email=f"maire{n}@ville.example", profile="municipality", consent="oui"
        )
        outreach.confirm(contact)
    schedule_scan_every_second()

    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = worker.environment(broker, mail_dir, QMI_TEST_MAIL_DELAY=MAIL_DELAY)
    worker.purge_queue(broker, settings.CELERY_TASK_DEFAULT_QUEUE)
    celery_app.conf.task_always_eager = False
    first = worker.start_worker(env, tmp_path / "worker-1.log")
    beat = worker.start_beat(env, tmp_path / "beat.log", tmp_path)
    second = None
    try:
        sending = mail_dir / "sending"

        def in_the_middle_of_a_send():
            written = len(worker.sent_messages(mail_dir))
            started = len(list(sending.glob("*"))) if sending.exists() else 0
            return written >= KILL_AFTER and started > written

        worker.wait_until(
            in_the_middle_of_a_send, TIMEOUT, [first, beat], "waiting for the batch", 0.01
        )
        first.kill()
        written_at_kill = len(worker.sent_messages(mail_dir))
        assert KILL_AFTER <= written_at_kill < CONTACTS, "the kill must land mid-batch"
        # The notices are recorded and their e-mails claimed before any goes (a chunk at once):
        # the one being sent and those after it are recorded, their e-mails not marked sent.
        assert CallNotice.objects.count() > written_at_kill
        sent = Delivery.objects.filter(source="call-open", sent_at__isnull=False)
        assert sent.count() == written_at_kill

        second = worker.start_worker(env, tmp_path / "worker-2.log")
        worker.wait_until(
            lambda: (
                CallNotice.objects.count() == CONTACTS
                and len(worker.sent_messages(mail_dir)) == CONTACTS
            ),
            TIMEOUT,
            [second, beat],
            "waiting for the other notices after the restart",
            0.1,
        )
        scans = second.log.count("send_due_reminders")
        worker.wait_until(
            lambda: second.log.count("send_due_reminders") >= scans + 4,
            TIMEOUT,
            [second, beat],
            "waiting for more scans",
        )
    finally:
        celery_app.conf.task_always_eager = True
        beat.stop()
        first.stop()
        if second:
            second.stop()
        worker.purge_queue(broker, settings.CELERY_TASK_DEFAULT_QUEUE)

    messages = worker.sent_messages(mail_dir)
    per_contact = Counter(m["To"].addresses[0].addr_spec for m in messages)
    assert sorted(per_contact.values()) == [1] * CONTACTS
    assert set(CallNotice.objects.values_list("call", flat=True)) == {call.pk}
    assert all(m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" for m in messages)

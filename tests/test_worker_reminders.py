"""Against the real Redis and PostgreSQL: a real Celery beat (DatabaseScheduler) schedules the
reminder scan, a real worker sends the reminders of 30 drafts, slowly; the test kills the worker
with SIGKILL while it is sending one, restarts it, and checks that every due reminder went out
exactly once — one e-mail per application and one ``ReminderSent`` row."""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from calls.models import Application, ReminderSent
from qmi.celery import app as celery_app
from tests import worker
from tests.services import requires_services

pytestmark = [requires_services, pytest.mark.django_db(transaction=True)]

DRAFTS = 30
MAIL_DELAY = 0.25  # seconds per e-mail: the batch takes several seconds
KILL_AFTER = 8  # e-mails written before the kill
TIMEOUT = 45


def schedule_scan_every_second():
    from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks

    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period="seconds")
    PeriodicTask.objects.update_or_create(
        name="Deadline reminders",
        defaults={
            "task": "calls.tasks.send_due_reminders",
            "interval": every_second,
            "expire_seconds": 30,
            "enabled": True,
        },
    )
    PeriodicTask.objects.exclude(name="Deadline reminders").update(enabled=False)
    PeriodicTasks.update_changed()


def test_each_due_reminder_is_sent_once_though_the_worker_is_killed_mid_batch(tmp_path, settings):
    broker = worker.require_services()
    worker.ensure_reference_data()
    from tests.factories import ApplicationFactory, CallFactory

    now = timezone.now()
    call = CallFactory(opens_at=now - timedelta(days=30), closes_at=now + timedelta(days=6))
    drafts = [ApplicationFactory(call=call) for _ in range(DRAFTS)]
    # Drafts since before the 7-day moment (yesterday): that reminder is due for each.
    Application.objects.filter(pk__in=[a.pk for a in drafts]).update(
        created_at=now - timedelta(days=10)
    )
    owner = {a.created_by.email: a.pk for a in drafts}
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
        assert KILL_AFTER <= written_at_kill < DRAFTS, "the kill must land mid-batch"
        # What was written is what was recorded: the reminder being sent was rolled back.
        assert ReminderSent.objects.count() == written_at_kill

        second = worker.start_worker(env, tmp_path / "worker-2.log")
        worker.wait_until(
            lambda: (
                ReminderSent.objects.count() == DRAFTS
                and len(worker.sent_messages(mail_dir)) == DRAFTS
            ),
            TIMEOUT,
            [second, beat],
            "waiting for the other reminders after the restart",
            0.1,
        )
        # More scans come every second: none may send anything again.
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
    per_application = Counter(owner[m["To"].addresses[0].addr_spec] for m in messages)
    assert sorted(per_application.values()) == [1] * DRAFTS
    assert set(per_application) == {a.pk for a in drafts}
    rows = Counter(ReminderSent.objects.values_list("application_id", "offset"))
    assert rows == {(a.pk, 168): 1 for a in drafts}
    assert (
        "Received task: calls.tasks.send_due_reminders" in beat.log
        or "Sending due task" in beat.log
    )

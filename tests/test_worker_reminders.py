"""Against the real Redis and PostgreSQL: one scan hands the reminders of 40 drafts to a real
worker, which sends them slowly; the test kills the worker with SIGKILL again and again — in
the middle of a send, and right after a message went out — and restarts it each time, with no
other scan. The restarted worker resumes at once; in the end every due reminder went out, none
was lost, and at most one duplicate per kill, carrying its original's ``Message-ID``."""

from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from django.utils import timezone

from calls.models import Application, Delivery, ReminderSent
from calls.tasks import send_due_reminders
from qmi.celery import app as celery_app
from tests import worker
from tests.services import requires_services

pytestmark = [requires_services, pytest.mark.django_db(transaction=True)]

DRAFTS = 40
MAIL_DELAY = 0.15  # seconds per e-mail: the batch takes several seconds
TIMEOUT = 60
# Where each kill lands: while a message is being handed to the mail server, or right after
# the server took one (before it is marked sent: the only moment a duplicate can come from).
KILLS = ("mid-send", "after-send", "mid-send", "after-send")


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


def kill_when(process, where, mail_dir):
    """Kill ``process`` at the moment ``where`` of the next send; the number of messages the
    mail server had taken by then."""
    sending = mail_dir / "sending"
    written_before = len(worker.sent_messages(mail_dir))

    def started():
        return len(list(sending.glob("*"))) if sending.exists() else 0

    if where == "mid-send":
        moment = started() + 1

        def ready():
            return started() >= moment and started() > len(worker.sent_messages(mail_dir))

    else:

        def ready():
            return len(worker.sent_messages(mail_dir)) > written_before

    worker.wait_until(ready, TIMEOUT, [process], f"waiting for the moment {where}", 0.002)
    process.kill()
    return len(worker.sent_messages(mail_dir))


def test_reminders_survive_repeated_kills_none_lost_at_most_one_duplicate_each(tmp_path, settings):
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

    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = worker.environment(broker, mail_dir, QMI_TEST_MAIL_DELAY=MAIL_DELAY)
    worker.purge_queue(broker, settings.CELERY_TASK_DEFAULT_QUEUE)
    celery_app.conf.task_always_eager = False
    processes = []
    try:
        processes.append(worker.start_worker(env, tmp_path / "worker-0.log"))
        send_due_reminders.delay()  # beat's one scan; no other comes during the test
        for number, where in enumerate(KILLS, start=1):
            written = kill_when(processes[-1], where, mail_dir)
            assert written < DRAFTS, f"kill {number} must land before the last reminder"
            processes.append(worker.start_worker(env, tmp_path / f"worker-{number}.log"))
        worker.wait_until(
            lambda: (
                ReminderSent.objects.count() == DRAFTS
                and not Delivery.objects.unsent().exists()
                and Delivery.objects.count() == DRAFTS
            ),
            TIMEOUT,
            processes[-1:],
            "waiting for the restarted worker to finish what the others left",
            0.1,
        )
    finally:
        celery_app.conf.task_always_eager = True
        for process in processes:
            process.stop()
        worker.purge_queue(broker, settings.CELERY_TASK_DEFAULT_QUEUE)

    messages = worker.sent_messages(mail_dir)
    per_application = Counter(owner[m["To"].addresses[0].addr_spec] for m in messages)
    assert set(per_application) == {a.pk for a in drafts}, "a reminder was lost"
    duplicates = sum(count - 1 for count in per_application.values())
    assert duplicates <= len(KILLS)
    ids = defaultdict(set)
    for message in messages:
        ids[owner[message["To"].addresses[0].addr_spec]].add(message["Message-ID"])
    assert all(len(found) == 1 for found in ids.values()), "a duplicate must keep its Message-ID"
    rows = Counter(ReminderSent.objects.values_list("application_id", "offset"))
    assert rows == {(a.pk, 168): 1 for a in drafts}
    print(f"{len(KILLS)} kills, {DRAFTS} reminders: 0 lost, {duplicates} duplicate(s)")

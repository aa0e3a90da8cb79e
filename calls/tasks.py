"""Celery tasks of the calls: thin, they take ids, reload and call one function."""

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings

from calls.domain import deliveries, outreach, reminders
from calls.interfaces import documents, exports
from calls.models import Application
from qmi.tasks import send_message

# Every delay and time limit stays below the broker's visibility timeout: Redis would otherwise
# hand a task still waiting or running to a second worker (tests/test_reliability.py).
MAX_RETRY_DELAY = 10 * 60
PDF_TIME_LIMIT = 10 * 60
EXPORT_TIME_LIMIT = 60 * 60
REMINDER_TIME_LIMIT = 10 * 60
BATCH_EXPIRES = 4 * 60  # a batch still queued at the next scan is handed out again by it


@shared_task(
    bind=True,
    autoretry_for=(reminders.ReminderDeliveryError,),
    retry_backoff=60,
    retry_backoff_max=MAX_RETRY_DELAY,
    max_retries=5,
    soft_time_limit=REMINDER_TIME_LIMIT - 60,
    time_limit=REMINDER_TIME_LIMIT,
)
def send_due_reminders(self):
    """Beat, every few minutes, and each worker as it starts: send again what a dead worker
    left claimed, then hand the reminders due now to the worker's processes, in batches (each
    reminder still sent once, whoever sends it)."""
    resumed = deliveries.resume()
    return {"resumed": resumed, "due": hand_out(reminders.batches())}


@worker_ready.connect
def resume_at_start(sender=None, **kwargs):
    """A worker that starts (again, after one died) resumes at once what was left: the e-mails
    claimed and not sent, once their claim is past ``deliveries.GRACE``, and the rest of the
    batches, still due — without waiting for beat's next scan."""
    send_due_reminders.apply_async(countdown=deliveries.GRACE.total_seconds() + 1)


def hand_out(batches):
    """Queue each ``(source name, pairs)`` batch for the worker's processes; returns how many
    reminders or notices were handed out."""
    for name, pairs in batches:
        send_reminder_batch.apply_async((name, pairs), expires=BATCH_EXPIRES)
    return sum(len(pairs) for _name, pairs in batches)


@shared_task(
    bind=True,
    autoretry_for=(reminders.ReminderDeliveryError,),
    retry_backoff=60,
    retry_backoff_max=MAX_RETRY_DELAY,
    max_retries=5,
    soft_time_limit=REMINDER_TIME_LIMIT - 60,
    time_limit=REMINDER_TIME_LIMIT,
)
def send_reminder_batch(self, name, pairs):
    """One batch of reminders through one mail connection (``reminders.send_batch``)."""
    return reminders.send_batch(name, [tuple(pair) for pair in pairs])


@shared_task(soft_time_limit=REMINDER_TIME_LIMIT - 60, time_limit=REMINDER_TIME_LIMIT)
def send_deliveries(ids):
    """Send the deliveries ``ids`` released from the outbox, each once."""
    return deliveries.send_all(list(ids))


@shared_task(soft_time_limit=PDF_TIME_LIMIT - 60, time_limit=PDF_TIME_LIMIT)
def build_dossier(application_id):
    """Build (or find cached) the dossier PDF of an application."""
    application = Application.objects.filter(pk=application_id).first()
    if application is None:
        return None
    return documents.dossier(application).name


@shared_task(soft_time_limit=EXPORT_TIME_LIMIT - 120, time_limit=EXPORT_TIME_LIMIT)
def build_export(job_id):
    """Build the file of an export job: a pack of dossiers, a ZIP, a CSV or an XLSX."""
    result = exports.run(job_id)
    return str(result) if result else None


@shared_task(soft_time_limit=5 * 60, time_limit=6 * 60)
def purge_unconfirmed_contacts():
    """Beat, daily: delete the "keep me informed" sign-ups left unconfirmed for 30 days."""
    return outreach.purge_unconfirmed()


@shared_task(soft_time_limit=50, time_limit=60)
def resume_stalled_exports():
    """Beat, every minute: queue again the exports whose worker died (no heartbeat)."""
    return exports.resume_stalled(enqueue=build_export.delay)


@shared_task(soft_time_limit=PDF_TIME_LIMIT - 60, time_limit=PDF_TIME_LIMIT)
def clean_up_exports():
    """Beat: delete expired export files, mark failed the jobs whose worker died."""
    return exports.clean_up()


def time_limits():
    """(task name, hard time limit, largest retry delay) of every task above, for checks."""
    tasks = [
        send_message,
        send_due_reminders,
        send_reminder_batch,
        send_deliveries,
        build_dossier,
        build_export,
        resume_stalled_exports,
        purge_unconfirmed_contacts,
        clean_up_exports,
    ]
    return [
        (
            t.name,
            t.time_limit or settings.CELERY_TASK_TIME_LIMIT,
            t.retry_backoff_max if getattr(t, "autoretry_for", ()) else 0,
        )
        for t in tasks
    ]

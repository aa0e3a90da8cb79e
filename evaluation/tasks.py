"""Celery tasks of the evaluation: thin, they take ids, reload and call one function."""

from celery import shared_task

from calls.models import Call
from calls.tasks import hand_out

from . import announcements


@shared_task(
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=5,
    acks_late=True,
)
def send_decisions(self, call_id):
    """After the results of a call are published: each applicant's decision e-mail, once,
    handed to the worker's processes in batches (``calls.tasks.send_reminder_batch``)."""
    call = Call.objects.filter(pk=call_id).first()
    if call is None:
        return 0
    return hand_out(announcements.batches(call))

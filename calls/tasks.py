"""Celery tasks of the calls: thin, they take ids, reload and call one function."""

from celery import shared_task

from . import notifications
from .models import Application


@shared_task(
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=5,
    acks_late=True,
)
def send_acknowledgement(self, application_id):
    application = (
        Application.objects.select_related("call__edition", "applicant", "submitted_by")
        .filter(pk=application_id)
        .first()
    )
    if application is None or application.submitted_at is None:
        return 0
    return notifications.send_acknowledgement(application)

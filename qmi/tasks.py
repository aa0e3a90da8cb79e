"""The one Celery task that sends an e-mail, retried while the mail server is unreachable."""

from celery import shared_task

from qmi import mail, privacy

MAIL_RETRY = {
    "autoretry_for": (OSError,),
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "max_retries": 5,
}


@shared_task(bind=True, acks_late=True, **MAIL_RETRY)
def send_message(self, name, *ids):
    """Build message ``name`` from ``ids`` (``mail.register_message``) and send it."""
    built = mail.build(name, *ids)
    if built is None:
        return 0
    kind, to, context = built
    return mail.send(kind, to=to, context=context)


@shared_task(acks_late=True)
def apply_retention():
    """The retention job the privacy page names (beat, daily): ``privacy.apply_retention``."""
    return privacy.apply_retention()


@shared_task(acks_late=True, **MAIL_RETRY)
def send_digests():
    """The daily digest (beat, daily): ``mail.send_digests``, each kept message once."""
    return mail.send_digests()

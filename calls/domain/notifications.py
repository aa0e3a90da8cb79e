"""The one entry point for messages about applications.

``send(kind, ...)`` renders ``templates/emails/<kind>.txt`` (and ``<kind>_subject.txt``) in
French then in English — the portal does not know which language each recipient prefers —
and sends one bilingual e-mail. Transitions call ``on_transition``, which schedules the
e-mails for after the database commit.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone, translation

logger = logging.getLogger(__name__)

LANGUAGES = ("fr", "en")


def _render(template_name, context):
    """Render a plain-text template in each language, without HTML escaping."""
    template = get_template(template_name).template
    parts = []
    for language in LANGUAGES:
        with translation.override(language):
            values = Context({**context, "language": language}, autoescape=False)
            parts.append(template.render(values).strip())
    return parts


def render_message(kind, *, context):
    """The subject and the plain-text body of message ``kind``, French then English — what
    ``send`` sends, for staff to read before it goes."""
    context = {"site_url": settings.SITE_URL, **context}
    subject_fr, subject_en = (
        " ".join(s.split()) for s in _render(f"emails/{kind}_subject.txt", context)
    )
    subject = subject_fr if subject_fr == subject_en else f"{subject_fr} / {subject_en}"
    separator = "\n\n" + "—" * 40 + "\n\n"
    body = separator.join(_render(f"emails/{kind}.txt", context))
    return f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}", body


def send(kind, *, to, context, application=None):
    """Render and send the bilingual message ``kind`` to the addresses ``to``.

    Each message is recorded as a ``Notification`` (kind, application, recipients, subject),
    marked sent or failed once the mail server answered; a failure is recorded, then raised
    again for the caller to retry. ``application`` defaults to the context's application.
    The record is written in the caller's transaction: a caller that rolls back loses it.
    """
    from calls.models import Application, Notification

    if not to:
        return 0
    if application is None and isinstance(context.get("application"), Application):
        application = context["application"]
    context = {"site_url": settings.SITE_URL, **context}
    subject, body = render_message(kind, context=context)
    message = EmailMessage(subject=subject, body=body, to=sorted(set(to)))
    record = Notification.objects.create(
        kind=kind,
        application=application,
        recipients=", ".join(message.to),
        subject=message.subject[:255],
    )
    try:
        sent = message.send()
    except Exception as error:
        record.status = Notification.State.FAILED
        record.error = f"{type(error).__name__}: {error}"[:2000]
        record.save(update_fields=["status", "error"])
        raise
    record.status = Notification.State.SENT
    record.sent_at = timezone.now()
    record.save(update_fields=["status", "sent_at"])
    return sent


def member_emails(applicant):
    return list(
        applicant.memberships.filter(confirmed_at__isnull=False, user__is_active=True).values_list(
            "user__email", flat=True
        )
    )


def send_acknowledgement(application):
    """Tell every member of the applicant that the application was submitted."""
    return send(
        "acknowledgement",
        to=member_emails(application.applicant),
        context={"application": application, "call": application.call},
    )


def on_transition(application, name):
    """Called by ``calls.domain.lifecycle.transition`` inside its transaction."""
    from calls.domain.workflow import TRANSITIONS

    if TRANSITIONS[name].files:
        from calls.tasks import send_acknowledgement as task

        transaction.on_commit(lambda: task.delay(application.pk))
    elif name == "request_correction":
        from calls.tasks import send_correction_request as task

        transaction.on_commit(lambda: task.delay(application.pk))
    # Decisions ("select", "waitlist", "reject") are told by the publication of the call's
    # results (``evaluation.publication``), with the reasons staff chose to share.


def send_correction_request(application):
    """Tell every member of the applicant what to correct and by when."""
    from calls.domain.lifecycle import open_correction

    request = open_correction(application)
    if request is None:
        return 0
    return send(
        "correction_requested",
        to=member_emails(application.applicant),
        context={"application": application, "call": application.call, "request": request},
    )

"""The one entry point for messages about applications.

``send(kind, ...)`` renders ``templates/emails/<kind>.txt`` (and ``.html`` when present) in
French then in English — the portal does not know which language each recipient prefers —
and sends one bilingual e-mail. Transitions call ``on_transition``, which schedules the
e-mails for after the database commit.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.template import TemplateDoesNotExist
from django.utils import translation

logger = logging.getLogger(__name__)

LANGUAGES = ("fr", "en")


def _render(template, context):
    parts = []
    for language in LANGUAGES:
        with translation.override(language):
            parts.append(render_to_string(template, {**context, "language": language}).strip())
    return parts


def send(kind, *, to, context):
    """Render and send the bilingual message ``kind`` to the addresses ``to``."""
    if not to:
        return 0
    context = {"site_url": settings.SITE_URL, **context}
    subject_fr, subject_en = (
        " ".join(s.split()) for s in _render(f"emails/{kind}_subject.txt", context)
    )
    subject = subject_fr if subject_fr == subject_en else f"{subject_fr} / {subject_en}"
    separator = "\n\n" + "—" * 40 + "\n\n"
    body = separator.join(_render(f"emails/{kind}.txt", context))
    message = EmailMultiAlternatives(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        body=body,
        to=sorted(set(to)),
    )
    try:
        html = '<hr lang="en">'.join(_render(f"emails/{kind}.html", context))
    except TemplateDoesNotExist:
        html = None
    if html:
        message.attach_alternative(html, "text/html")
    return message.send()


def member_emails(applicant):
    return list(
        applicant.memberships.filter(confirmed_at__isnull=False, user__is_active=True)
        .values_list("user__email", flat=True)
    )


def send_acknowledgement(application):
    """Tell every member of the applicant that the application was submitted."""
    return send(
        "acknowledgement",
        to=member_emails(application.applicant),
        context={"application": application, "call": application.call},
    )


def on_transition(application, name):
    """Called by ``calls.services.transition`` inside its transaction."""
    if name == "submit":
        from .tasks import send_acknowledgement as task

        transaction.on_commit(lambda: task.delay(application.pk))

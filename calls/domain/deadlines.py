"""Per-applicant deadlines: staff grant one applicant a later deadline for one call, with a
reason; the applicant's applications to that call then follow it — the server's deadline rule
(``Application.is_open``), the countdown, the reminders and the receipt — and its members are
told by e-mail. The change is kept in the extension's history."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.domain import notifications
from calls.models import Application, DeadlineExtension
from qmi.permissions import require
from qmi.tasks import send_message


class ExtensionError(ValueError):
    """A deadline that cannot be granted; the message says why."""


def grant(application, *, closes_at, reason, by, now=None):
    """Give the applicant of ``application`` the deadline ``closes_at`` for its call (later
    than the call's, in the future; ``reason`` required). Granting again moves it. Returns the
    ``DeadlineExtension``; its members are told after the commit."""
    require("calls.grant_extension", by)
    now = now or timezone.now()
    call = application.call
    reason = (reason or "").strip()
    if not reason:
        raise ExtensionError(_("Say why the deadline is extended: the applicant reads it."))
    if closes_at <= call.closes_at:
        raise ExtensionError(_("The applicant's deadline must be later than the call's."))
    if closes_at <= now:
        raise ExtensionError(_("The applicant's deadline must be in the future."))
    with transaction.atomic():
        extension, _created = DeadlineExtension.objects.update_or_create(
            call=call,
            applicant_id=application.applicant_id,
            defaults={
                "closes_at": closes_at,
                "reason": reason,
                "granted_by": by,
                "granted_at": now,
            },
        )
        transaction.on_commit(lambda: send_message.delay("deadline_extended", extension.pk))
    return extension


def open_for(call, applicant, now=None):
    """Whether ``applicant`` may still act in ``call`` at ``now``: the call is open, or the
    applicant has a later deadline not yet passed."""
    now = now or timezone.now()
    if call.is_open(now):
        return True
    return (
        call.opens_at <= now
        and DeadlineExtension.objects.filter(
            call=call, applicant=applicant, closes_at__gte=now
        ).exists()
    )


def extension_notice(extension_id):
    """The e-mail telling the applicant's members their own deadline
    (``qmi.tasks.send_message``)."""
    extension = (
        DeadlineExtension.objects.select_related("call__edition", "applicant")
        .filter(pk=extension_id)
        .first()
    )
    if extension is None:
        return None
    applications = Application.objects.filter(
        call=extension.call, applicant=extension.applicant
    ).order_by("reference")
    return (
        "deadline_extended",
        notifications.member_emails(extension.applicant),
        {"extension": extension, "call": extension.call, "applications": list(applications)},
    )

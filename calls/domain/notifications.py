"""Messages about applications: who is told what, and the record of what was sent.

Rendering and sending are ``qmi.mail`` (bilingual, one retrying task); this module builds the
messages about applications and records each message sent as a ``Notification``
(``record``, registered with ``qmi.mail`` by ``calls.apps``). Transitions call
``on_transition``, which schedules the e-mails for after the database commit.
"""

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from calls.domain.workflow import TRANSITIONS, Status
from calls.models import Application, Notification
from qmi import mail
from qmi.models import Membership
from qmi.tasks import send_message


def record(kind, message, context):
    """Write the ``Notification`` of a message (kind, application, recipients, subject) before
    it goes; mark it sent or failed once the mail server answered. Written in the caller's
    transaction: a caller that rolls back loses it. A message claimed for a later send
    (``calls.domain.deliveries``) leaves it pending: the claim writes it with the others of its
    batch, and the send marks it."""
    application = context.get("application")
    entry = Notification(
        kind=kind,
        application=application if isinstance(application, Application) else None,
        recipients=", ".join(message.to),
        subject=message.subject[:255],
    )
    if getattr(message.connection, "defers_sending", False):
        message.pending_notifications = [*getattr(message, "pending_notifications", ()), entry]
        return None
    entry.save()

    def answered(error):
        if error is None:
            entry.status = Notification.State.SENT
            entry.sent_at = timezone.now()
            entry.save(update_fields=["status", "sent_at"])
        else:
            entry.status = Notification.State.FAILED
            entry.error = f"{type(error).__name__}: {error}"[:2000]
            entry.save(update_fields=["status", "error"])

    return answered


def send(kind, *, to, context, application=None, connection=None, headers=None):
    """Send the bilingual message ``kind`` about ``application`` (default: the context's)."""
    if application is not None:
        context = {**context, "application": application}
    return mail.send(kind, to=to, context=context, connection=connection, headers=headers)


def _confirmed_members():
    return Membership.objects.filter(confirmed_at__isnull=False, user__is_active=True)


def members_prefetch(applicant="applicant"):
    """What a queryset of many rows prefetches so that ``member_emails`` of the ``applicant``
    of each (a path: ``"applicant"``, ``"application__applicant"``…) costs no query."""
    return Prefetch(
        f"{applicant}__memberships",
        queryset=_confirmed_members().select_related("user").only("applicant", "user__email"),
        to_attr="confirmed_memberships",
    )


def member_emails(applicant):
    """The addresses of the confirmed, active members of ``applicant``."""
    prefetched = getattr(applicant, "confirmed_memberships", None)
    if prefetched is not None:
        return [membership.user.email for membership in prefetched]
    members = _confirmed_members().filter(applicant=applicant)
    return list(members.values_list("user__email", flat=True))


def on_transition(application, name):
    """Called by ``calls.domain.lifecycle.transition`` inside its transaction."""
    transition = TRANSITIONS[name]
    if transition.tells_members:
        message = transition.tells_members
    elif transition.opens_correction:
        message = "correction_requested"
    else:
        return
    transaction.on_commit(lambda: send_message.delay(message, application.pk))
    # Decisions ("select", "waitlist", "reject") are told by the publication of the call's
    # results (``evaluation.publication``), with the reasons staff chose to share.


# --- messages built from ids by ``qmi.tasks.send_message`` (registered by ``calls.apps``) ---


def acknowledgement_message(application_id):
    """The acknowledgement of a submission; nothing if the application was reopened or
    withdrawn meanwhile (the task may run late)."""
    application = (
        Application.objects.select_related("call__edition", "applicant", "submitted_by")
        .filter(pk=application_id, status=Status.SUBMITTED)
        .first()
    )
    if application is None:
        return None
    return (
        "acknowledgement",
        member_emails(application.applicant),
        {"application": application, "call": application.call},
    )


def member_notice(kind, status):
    """A builder of message ``kind``: every member of the applicant is told what happened to
    the application (withdrawn, reopened), by whom; nothing if it has moved on since."""

    def build(application_id):
        application = (
            Application.objects.select_related("call__edition", "applicant")
            .filter(pk=application_id, status=status)
            .first()
        )
        if application is None:
            return None
        change = application.history.select_related("by").order_by("-at", "-pk").first()
        return (
            kind,
            member_emails(application.applicant),
            {"application": application, "call": application.call, "change": change},
        )

    return build


def correction_message(application_id):
    """What staff asked to correct, and by when; nothing once it was answered."""
    application = (
        Application.objects.select_related("call__edition", "applicant")
        .filter(pk=application_id, status=Status.CORRECTION_REQUESTED)
        .first()
    )
    request = application.open_correction() if application else None
    if request is None:
        return None
    return (
        "correction_requested",
        member_emails(application.applicant),
        {"application": application, "call": application.call, "request": request},
    )

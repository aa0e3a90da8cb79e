"""The e-mail telling each applicant the decision on its application, once results are out:
a source of the reminder engine (``calls.domain.reminders``), so it is sent like every bulk
notice — in batches over the worker's processes, one mail connection a batch, each e-mail
once (``DecisionNotice``), and caught up by beat's scan if the mail server was down."""

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calls.domain import deliveries, notifications, reminders
from calls.domain.workflow import Status
from calls.models import Application, Notification
from qmi import mail

from .models import DecisionNotice

SOURCE = "decisions"  # its name among the sources of the reminder engine
deliveries.register_kind(
    "decision", _("Decisions at the publication of results"), hold=True
)  # staff read and release them in the outbox
DECISION_KINDS = {
    Status.SELECTED: "decision_selected",
    Status.WAITLISTED: "decision_waitlisted",
    Status.REJECTED: "decision_rejected",
    Status.INELIGIBLE: "decision_ineligible",
}


def _still_untold():
    """Applications whose call's results are published (or whose ineligibility staff chose
    to tell early), with a decision, not told yet (nor before decision notices were
    recorded: their e-mail recorded as sent)."""
    told_before = Notification.objects.filter(
        application=OuterRef("pk"),
        kind__in=list(DECISION_KINDS.values()),
        status=Notification.State.SENT,
    )
    return (
        Application.objects.filter(status__in=list(DECISION_KINDS))
        .filter(Q(call__results_published_at__isnull=False) | Q(decision_told_at__isnull=False))
        .filter(decision_notice__isnull=True)
        .exclude(Exists(told_before))
    )


def due(now=None, call=None):
    """The decision e-mails to send: ``[(application id, 0)]`` (a source of the reminder
    engine, ``calls.domain.reminders``: beat's scan catches up what failed)."""
    applications = _still_untold()
    if call is not None:
        applications = applications.filter(call=call)
    return [(pk, 0) for pk in applications.order_by("reference").values_list("pk", flat=True)]


def send_many(application_ids, offset=0, *, now=None, connection=None):
    """Tell the applicants of ``application_ids`` their decision unless told already: the
    applications locked, the ``DecisionNotice`` written and the e-mails claimed in one
    transaction, then sent (``reminders.deliver``)."""

    def record(application):
        application.recipients = notifications.member_emails(application.applicant)
        return DecisionNotice(
            application=application,
            kind=DECISION_KINDS[application.status],
            sent_at=now or timezone.now(),
            recipients=", ".join(sorted(application.recipients)),
        )

    def send(application, connection):
        notifications.send(
            DECISION_KINDS[application.status],
            to=application.recipients,
            context=_context(application, getattr(application, "decision", None)),
            application=application,
            connection=connection,
        )

    return reminders.deliver(
        _still_untold()
        .select_related("call__edition", "applicant", "decision__district__commune")
        .prefetch_related(notifications.members_prefetch()),
        application_ids,
        key=lambda application: ("decision", application.pk),
        still_due=lambda application: True,  # the locking query keeps only the untold
        record=record,
        send=send,
        connection=connection,
    )


send_one = reminders.one_at_a_time(send_many)


def send_decisions(call):
    """Send each applicant of ``call`` the e-mail of its decision now, in this process, each
    once (before the results: only the ineligibilities told early). Returns how many went."""
    return reminders.send_batch(SOURCE, due(call=call))["sent"]


def batches(call):
    """The decision e-mails of ``call`` in batches for the worker's processes."""
    return reminders.in_batches(SOURCE, due(call=call))


def _context(application, decision):
    return {
        "application": application,
        "call": application.call,
        "decision": decision,
        "district": decision.district if decision else None,
        "reason": screening_reason(application),
        "results_url": call_results_url(application.call),
    }


def screening_reason(application):
    """Why an ineligible application is ineligible: the reason staff gave when screening it
    (the note of its move to "ineligible"); "" for any other status."""
    if application.status != Status.INELIGIBLE:
        return ""
    change = application.history.filter(to_status=Status.INELIGIBLE).order_by("-at", "-pk").first()
    return change.note if change else ""


def previews(decisions):
    """The e-mail of the first decision of each outcome, rendered as it will go:
    ``[(decision, subject, body), …]`` — for staff to read before they publish."""
    seen, result = set(), []
    for decision in decisions:
        if decision.outcome in seen:
            continue
        seen.add(decision.outcome)
        subject, body = mail.render_message(
            DECISION_KINDS[decision.outcome], context=_context(decision.application, decision)
        )
        result.append((decision, subject, body))
    return result


def call_results_url(call):
    return settings.SITE_URL + reverse("evaluation:results", kwargs={"slug": call.slug})

"""The e-mail telling each applicant the decision on its application, once results are out."""

from django.conf import settings
from django.urls import reverse

from calls.domain import notifications
from calls.domain.workflow import Status
from calls.models import Application, Notification
from qmi import mail

DECISION_KINDS = {
    Status.SELECTED: "decision_selected",
    Status.WAITLISTED: "decision_waitlisted",
    Status.REJECTED: "decision_rejected",
    Status.INELIGIBLE: "decision_ineligible",
}


def send_decisions(call):
    """Send each applicant of ``call`` the e-mail of its decision, once: an application that
    already has its decision e-mail recorded as sent is skipped. Returns how many went."""
    if not call.results_published_at:
        return 0
    applications = (
        Application.objects.filter(call=call, status__in=list(DECISION_KINDS))
        .select_related("call__edition", "applicant", "decision__district__commune")
        .order_by("reference")
    )
    already = set(
        Notification.objects.filter(
            application__call=call,
            kind__in=list(DECISION_KINDS.values()),
            status=Notification.State.SENT,
        ).values_list("application_id", flat=True)
    )
    sent = 0
    for application in applications:
        if application.pk in already:
            continue
        sent += bool(
            notifications.send(
                DECISION_KINDS[application.status],
                to=notifications.member_emails(application.applicant),
                context=_context(application, getattr(application, "decision", None)),
                application=application,
            )
        )
    return sent


def _context(application, decision):
    return {
        "application": application,
        "call": application.call,
        "decision": decision,
        "district": decision.district if decision else None,
        "results_url": call_results_url(application.call),
    }


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

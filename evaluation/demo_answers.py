"""Demo of the decisions applicants follow (idempotent): each laureate of the results the
demo publishes accepted its place three days later (its owner, or a confirmed member of a
municipality), and the project screened ineligible during the open call is told at once,
with its reason — its e-mail waits in the outbox, for staff to read and release. The waiting
list is taken live: staff publish the 2nd edition's call for municipalities (six
applications, four places), a laureate declines, staff offer its place on the call's
"Waiting list" page."""

from datetime import timedelta

from calls.domain import offers
from calls.domain.workflow import Status
from calls.models import Application, Offer
from qmi.models import Membership, User

from . import publication


def follow_up():
    staff = User.objects.filter(is_staff=True).order_by("pk").first()
    if staff is None:
        return
    _accepted()
    publication.tell_ineligible(
        Application.objects.filter(
            status=Status.INELIGIBLE,
            decision_told_at__isnull=True,
            call__results_published_at__isnull=True,
        ),
        by=staff,
    )


def _accepted():
    waiting = Offer.objects.filter(
        answer=Offer.Answer.WAITING, application__status=Status.SELECTED
    ).select_related("application__call", "application__applicant")
    for offer in waiting:
        application = offer.application
        member = (
            Membership.objects.confirmed()
            .filter(applicant=application.applicant)
            .order_by("-role", "pk")  # the owner first, where there is one
            .select_related("user")
            .first()
        )
        if member is None:
            continue
        when = min(application.call.results_published_at + timedelta(days=3), offer.due_at)
        offers.accept(application, by=member.user, now=when)

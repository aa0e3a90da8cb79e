"""Demo of the staff's tools around a call (idempotent): a draft of an open call whose applicant
was given a later deadline, with its reason. (The outbox holds, for staff to read and release,
the decision e-mails of the results the demo publishes.)"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from calls.domain import deadlines
from calls.domain.workflow import Status
from calls.models import Application, DeadlineExtension

REASON = (
    "La délibération du conseil municipal qui approuve la candidature est reportée : "
    "une semaine de plus pour la joindre."
)


def seed():
    staff = get_user_model().objects.filter(email="staff@qmi.example").first()
    if staff is None or DeadlineExtension.objects.exists():
        return
    now = timezone.now()
    application = (
        Application.objects.filter(
            status=Status.DRAFT, call__opens_at__lte=now, call__closes_at__gt=now
        )
        .select_related("call")
        .order_by("pk")
        .first()
    )
    if application is not None:
        deadlines.grant(
            application,
            closes_at=application.call.closes_at + timedelta(days=7),
            reason=REASON,
            by=staff,
        )

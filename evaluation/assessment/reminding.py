"""The reminders of the assessment, a source of ``calls.domain.reminders``: each party that
has not submitted its side is reminded at the campaign's offsets before its own close (the
campaign's, or its extension's), exactly once per side, close and offset — an extension has
its own reminders."""

from datetime import timedelta

from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calls.domain import deliveries, reminders
from calls.domain.offsets import parse_offsets
from qmi import mail

from ..models import AssessmentReminder, AssessmentSide
from .campaign import closes_at_for
from .parties import emails_of

SOURCE = "assessment"
deliveries.register_kind("assessment", _("Assessment reminders"))


def current_offset(close, offsets, now):
    """The smallest offset (hours) whose moment before ``close`` has passed, or None (also
    once closed)."""
    if now > close:
        return None
    left = close - now
    passed = [hours for hours in offsets if timedelta(hours=hours) >= left]
    return min(passed) if passed else None


def _candidates(now):
    """Sides not submitted, of campaigns open at ``now`` for someone."""
    return (
        AssessmentSide.objects.filter(submitted_at__isnull=True)
        .filter(assessment__campaign__opens_at__lte=now)
        .annotate(extended=Max("assessment__extensions__closes_at"))
        .filter(Q(assessment__campaign__closes_at__gte=now) | Q(extended__gte=now))
        .exclude(assessment__campaign__reminder_offsets="")
        .select_related("assessment__campaign")
        .prefetch_related("assessment__extensions", "assessment__reminders")
        .order_by("pk")
    )


def _due_offset(side, now):
    assessment = side.assessment
    close = closes_at_for(assessment, side.party)
    offset = current_offset(close, parse_offsets(assessment.campaign.reminder_offsets), now)
    if offset is None:
        return None, close
    sent = any(
        r.party == side.party and r.closes_at == close and r.offset == offset
        for r in assessment.reminders.all()
    )
    return (None if sent else offset), close


def due(now=None):
    """``[(side id, offset)]`` due at ``now``."""
    now = now or timezone.now()
    pairs = []
    for side in _candidates(now):
        offset, _close = _due_offset(side, now)
        if offset is not None:
            pairs.append((side.pk, offset))
    return pairs


def side_url(side):
    return reverse(
        "evaluation:assessment_side", kwargs={"pk": side.assessment_id, "party": side.party}
    )


def send_many(side_ids, offset, *, now=None, connection=None):
    """Send reminder ``offset`` of the sides ``side_ids`` still due and not reminded of it."""
    now = now or timezone.now()

    def still_due(side):
        return not side.is_submitted and _due_offset(side, now)[0] == offset

    def record(side):
        side.recipients = emails_of(side.assessment, side.party)
        side.close = closes_at_for(side.assessment, side.party)
        return AssessmentReminder(
            assessment=side.assessment,
            party=side.party,
            closes_at=side.close,
            offset=offset,
            sent_at=now,
            recipients=", ".join(side.recipients),
        )

    def send(side, connection):
        mail.send(
            "assessment_reminder",
            to=side.recipients,
            context={"side": side, "close": side.close, "url": side_url(side), "now": now},
            connection=connection,
        )

    return reminders.deliver(
        AssessmentSide.objects.select_related(
            "assessment__campaign",
            "assessment__experimentation__application__project",
            "assessment__experimentation__district",
        ).prefetch_related("assessment__extensions", "assessment__reminders"),
        side_ids,
        key=lambda side: ("assessment", side.pk, offset, int(side.close.timestamp())),
        still_due=still_due,
        record=record,
        send=send,
        connection=connection,
    )

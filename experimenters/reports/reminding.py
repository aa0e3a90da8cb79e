"""The reminders about reports, a source of ``calls.domain.reminders``: before each due date
at the edition's offsets, and once when it has passed, exactly once per report, due date and
offset (a new due date has its own). Only the reports of running or ended experimentations
fall due."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calls.domain import deliveries, reminders
from calls.domain.notifications import member_emails, members_prefetch
from calls.domain.offsets import parse_offsets
from qmi import mail

from ..models import (
    OPEN_REPORT,
    REPORTS_FALL_DUE,
    ProgrammeSettings,
    Report,
    ReportReminder,
)
from .filing import report_url

deliveries.register_kind("report", _("Reminders of the experimentations' reports"))


def current_offset(report, offsets, now):
    """The reminder due for ``report`` at ``now``: the smallest offset (hours) whose moment
    has passed, ``ReportReminder.LATE`` once the due date has passed, or None."""
    if now > report.due_at:
        return ReportReminder.LATE
    left = report.due_at - now
    passed = [hours for hours in offsets if timedelta(hours=hours) >= left]
    return min(passed) if passed else None


def _offsets(edition, cache):
    if edition.pk not in cache:
        cache[edition.pk] = parse_offsets(ProgrammeSettings.for_edition(edition).report_reminders)
    return cache[edition.pk]


def _candidates(now):
    """Open reports of started experimentations whose due date is near or passed, with the
    reminders already sent for their due date."""
    return (
        Report.objects.filter(status__in=OPEN_REPORT, experimentation__status__in=REPORTS_FALL_DUE)
        .filter(due_at__lte=now + timedelta(hours=24 * 365))
        .select_related("experimentation__application__call__edition")
        .prefetch_related("reminders")
        .order_by("pk")
    )


def _is_due(report, offset):
    return offset is not None and not any(
        r.due_at == report.due_at and r.offset == offset for r in report.reminders.all()
    )


def due(now=None):
    """The report reminders due at ``now``: ``[(report id, offset)]``."""
    now = now or timezone.now()
    cache, pairs = {}, []
    for report in _candidates(now):
        offsets = _offsets(report.experimentation.application.call.edition, cache)
        offset = current_offset(report, offsets, now)
        if _is_due(report, offset):
            pairs.append((report.pk, offset))
    return pairs


def send_many(report_ids, offset, *, now=None, connection=None):
    """Send reminder ``offset`` of the reports ``report_ids`` still due and not reminded of it."""
    now = now or timezone.now()

    def still_due(report):
        offsets = parse_offsets(
            ProgrammeSettings.for_edition(
                report.experimentation.application.call.edition
            ).report_reminders
        )
        return (
            report.is_open
            and report.experimentation.status in REPORTS_FALL_DUE
            and current_offset(report, offsets, now) == offset
            and _is_due(report, offset)
        )

    def record(report):
        report.recipients = member_emails(report.experimentation.application.applicant)
        return ReportReminder(
            report=report,
            due_at=report.due_at,
            offset=offset,
            sent_at=now,
            recipients=", ".join(sorted(report.recipients)),
        )

    def send(report, connection):
        mail.send(
            "report_late" if offset == ReportReminder.LATE else "report_reminder",
            to=report.recipients,
            context={"report": report, "url": report_url(report), "now": now},
            connection=connection,
        )

    return reminders.deliver(
        Report.objects.select_related(
            "milestone",
            "experimentation__application__applicant",
            "experimentation__application__call__edition",
            "experimentation__application__project",
            "experimentation__district",
        ).prefetch_related(
            "reminders", members_prefetch("experimentation__application__applicant")
        ),
        report_ids,
        key=lambda report: ("report", report.pk, offset, int(report.due_at.timestamp())),
        still_due=still_due,
        record=record,
        send=send,
        connection=connection,
    )


send_one = reminders.one_at_a_time(send_many)

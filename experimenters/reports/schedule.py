"""The schedule of the reports: the milestones of an edition, the due date each gives an
experimentation (from its actual start, its planned start until then), and what the lists
show of them (the next due date, the late ones) without a query per row."""

from datetime import datetime, time, timedelta

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from qmi.models import Membership

from ..models import (
    OPEN_REPORT,
    REPORTS_FALL_DUE,
    Experimentation,
    Report,
    ReportMilestone,
    add_months,
)

# The schedule an edition starts with: (French title, English title, months, days).
DEFAULT_SCHEDULE = (
    ("Rapport de lancement", "Kick-off report", 0, 15),
    ("Rapport de déploiement", "Deployment report", 2, 0),
    ("Rapport intermédiaire", "Interim report", 9, 0),
    ("Rapport final", "Final report", 18, 0),
)


def schedule_of(edition):
    """The milestones of ``edition``, the default schedule written the first time."""
    milestones = list(ReportMilestone.objects.filter(edition=edition))
    if milestones:
        return milestones
    ReportMilestone.objects.bulk_create(
        [
            ReportMilestone(edition=edition, title=fr, title_en=en, months=months, days=days)
            for fr, en, months, days in DEFAULT_SCHEDULE
        ],
        ignore_conflicts=True,
    )
    return list(ReportMilestone.objects.filter(edition=edition))


def due_at_for(experimentation, milestone):
    """The end of the due day (23:59:59, Paris time) of ``milestone``, counted from the
    actual start of ``experimentation`` (its planned start until it has started)."""
    start = experimentation.actual_start or experimentation.planned_start
    day = add_months(start, milestone.months) + timedelta(days=milestone.days)
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def schedule(experimentation, milestones=None):
    """Give ``experimentation`` its reports (idempotent): one per milestone of its edition;
    the due date of a report never filed follows the start and the schedule. Returns the
    number of reports created."""
    if milestones is None:
        milestones = schedule_of(experimentation.application.call.edition)
    existing = {r.milestone_id: r for r in experimentation.reports.all()}
    created, moved = [], []
    for milestone in milestones:
        due_at = due_at_for(experimentation, milestone)
        report = existing.get(milestone.pk)
        if report is None:
            created.append(
                Report(experimentation=experimentation, milestone=milestone, due_at=due_at)
            )
        elif report.submitted_at is None and report.due_at != due_at:
            report.due_at = due_at  # never filed: it follows the start and the schedule
            moved.append(report)
    Report.objects.bulk_create(created, ignore_conflicts=True)
    Report.objects.bulk_update(moved, ["due_at"])
    return len(created)


def reschedule_edition(edition):
    """After staff changed the schedule of ``edition``: every experimentation's reports."""
    milestones = schedule_of(edition)
    count = 0
    for experimentation in Experimentation.objects.filter(
        application__call__edition=edition
    ).prefetch_related("reports"):
        count += schedule(experimentation, milestones)
    return count


def late(queryset, now=None):
    """The late reports of ``queryset``: due date passed, not filed, experimentation started."""
    return queryset.filter(
        status__in=OPEN_REPORT,
        due_at__lt=now or timezone.now(),
        experimentation__status__in=REPORTS_FALL_DUE,
    )


def with_report_dates(queryset, now=None):
    """``queryset`` of experimentations annotated with ``next_report_due`` (the first due
    date of a report still to file) and ``late_reports`` (how many are late), as
    subqueries: the list keeps its one query and its other counts stay right."""
    of_row = Report.objects.filter(experimentation=OuterRef("pk"))
    return queryset.annotate(
        next_report_due=Subquery(
            of_row.filter(status__in=OPEN_REPORT).order_by("due_at").values("due_at")[:1]
        ),
        late_reports=Coalesce(
            Subquery(
                late(of_row, now)
                .order_by()
                .values("experimentation")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
            0,
        ),
    )


def to_write_by(user):
    """The reports still to file of the organisations ``user`` is a confirmed member of."""
    applicants = Membership.objects.confirmed().filter(user=user).values("applicant_id")
    return Report.objects.filter(
        status__in=OPEN_REPORT, experimentation__application__applicant_id__in=applicants
    )


def reports_of(experimentation):
    return list(
        experimentation.reports.select_related("milestone").order_by("due_at", "milestone__pk")
    )

"""The programme board: every experimentation of an edition by district, with its status, its
dates, its project manager, the documents of its agreement still to accept, its next report
due and its late reports; the count of
each status per district; the same as a CSV or XLSX table. Bounded queries whatever the
number of experimentations."""

from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from . import experimentation as flow
from . import reports
from .models import Experimentation, ExperimentationStatus, Report


@dataclass
class Filters:
    edition: object = None
    district: object = None
    status: str = ""
    late_only: bool = False


def experimentations(filters):
    queryset = Experimentation.objects.all()
    if filters.edition is not None:
        queryset = queryset.filter(district__edition=filters.edition)
    if filters.district is not None:
        queryset = queryset.filter(district=filters.district)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.late_only:
        queryset = queryset.filter(
            pk__in=reports.late(Report.objects.all()).values("experimentation")
        )
    return queryset


def rows(queryset):
    """The experimentations of ``queryset`` with what the board shows, in district order:
    ``[(experimentation, documents still to accept)]``; each experimentation carries its
    ``next_report_due`` and its number of ``late_reports``."""
    queryset = (
        reports.with_report_dates(queryset)
        .select_related(
            "application__applicant",
            "application__project",
            "application__call__edition",
            "district__commune",
            "manager",
        )
        .prefetch_related("documents")
    )
    required = {}  # the documents each edition requires, read once per edition
    result = []
    for experimentation in queryset.order_by("district__name", "application__reference"):
        edition = experimentation.application.call.edition
        if edition.pk not in required:
            required[edition.pk] = flow.required_documents(edition)
        result.append(
            (experimentation, flow.missing_documents(experimentation, required[edition.pk]))
        )
    return result


def matrix(queryset):
    """``(statuses, [(district name, {status: count}, total)])``: the count of each status
    per district, in one query."""
    counts = {}
    for row in queryset.values("district__name", "status").annotate(n=Count("pk")):
        counts.setdefault(row["district__name"], {})[row["status"]] = row["n"]
    statuses = list(ExperimentationStatus)
    return statuses, [
        (name, by_status, sum(by_status.values())) for name, by_status in sorted(counts.items())
    ]


def table(queryset):
    """The header, then one row per experimentation (the board as an export)."""
    yield [
        _("Reference"),
        _("Project"),
        _("Organisation"),
        _("Innovation district"),
        _("Municipality"),
        _("Status"),
        _("Paris&Co project manager"),
        _("Planned start"),
        _("Planned end"),
        _("Actual start"),
        _("Actual end"),
        _("Documents still to accept"),
        _("Next report due"),
        _("Late reports"),
    ]
    for experimentation, missing in rows(queryset):
        yield [
            experimentation.application.reference,
            str(experimentation.application.content),
            experimentation.application.applicant.name,
            experimentation.district.name,
            experimentation.district.commune.name,
            experimentation.get_status_display(),
            experimentation.manager.email if experimentation.manager else "",
            experimentation.planned_start,
            experimentation.planned_end,
            experimentation.actual_start or "",
            experimentation.actual_end or "",
            ", ".join(missing),
            timezone.localdate(experimentation.next_report_due)
            if experimentation.next_report_due
            else "",
            experimentation.late_reports,
        ]

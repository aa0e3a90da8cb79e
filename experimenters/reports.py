"""The reports of an experimentation, on the mechanisms of the applications: the schedule of
an edition and the due dates it gives each experimentation, the one function that moves a
report (``qmi.statemachine``), the checks before filing, the files (``qmi.uploads``), the
versions (``calls.domain.versions``) and the reminders before each due date and once late
(a source of ``calls.domain.reminders``, exactly once per report, due date and offset).

    draft ──submit──▶ submitted ──accept──▶ accepted
                        │   ▲
      request_changes ──┘   └── submit (again, before the new due date or late)
           ▼
    changes_requested

A report falls due once its experimentation has started: until then its due date is planned
from the planned start, and nobody is reminded. A report filed after its due date is accepted
and shown as late; the members of the organisation are reminded before the due date and told
once when it has passed.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from calls.domain import reminders, versions
from calls.domain.fingerprint import content_data, digest
from calls.domain.notifications import member_emails
from calls.domain.offsets import parse_offsets
from qmi import mail
from qmi.permissions import allowed, require
from qmi.statemachine import Machine, WorkflowError
from qmi.tasks import send_message
from qmi.uploads import delete_stored, keep_in_slot

from . import experimentation as flow
from .models import (
    OPEN_REPORT,
    REPORTS_FALL_DUE,
    ExperimentationStatus,
    Report,
    ReportFile,
    ReportMilestone,
    ReportReminder,
    ReportStatus,
)

Status = ReportStatus
WRITE = "experimenters.write_report"
REVIEW = "experimenters.review_report"

# The schedule an edition starts with: (French title, English title, months, days).
DEFAULT_SCHEDULE = (
    ("Rapport de lancement", "Kick-off report", 0, 15),
    ("Rapport de déploiement", "Deployment report", 2, 0),
    ("Rapport intermédiaire", "Interim report", 9, 0),
    ("Rapport final", "Final report", 18, 0),
)
# The experimentations whose open reports are reminded and flagged late.
REMINDED = REPORTS_FALL_DUE


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    sources: frozenset
    target: str
    rule: str
    refusal: str = ""
    needs_note: bool = False
    files: bool = False  # the members file the report: complete, fingerprinted, a version
    needs_due_date: bool = False  # a new due date for the changes
    opens_correction: bool = False  # says what to change (the form of a correction)


TRANSITIONS = {
    s.name: s
    for s in [
        Step(
            "submit",
            gettext_lazy("Submit the report"),
            frozenset(OPEN_REPORT),
            Status.SUBMITTED,
            WRITE,
            files=True,
        ),
        Step(
            "request_changes",
            gettext_lazy("Ask for changes"),
            frozenset({Status.SUBMITTED}),
            Status.CHANGES_REQUESTED,
            REVIEW,
            needs_note=True,
            needs_due_date=True,
            opens_correction=True,
        ),
        Step(
            "accept",
            gettext_lazy("Accept the report"),
            frozenset({Status.SUBMITTED}),
            Status.ACCEPTED,
            REVIEW,
        ),
    ]
}

MACHINE = Machine(
    states=dict(Status.choices),
    transitions=TRANSITIONS,
    history="experimenters.ReportStatusChange",
    subject="report",
    wrong_state=gettext_lazy("This report is %(status)s: “%(action)s” is not possible."),
)


# --- the schedule ---


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
    day = flow.add_months(start, milestone.months) + timedelta(days=milestone.days)
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
    from .models import Experimentation

    milestones = schedule_of(edition)
    count = 0
    for experimentation in Experimentation.objects.filter(
        application__call__edition=edition
    ).prefetch_related("reports"):
        count += schedule(experimentation, milestones)
    return count


# --- filing ---


def missing_items(report):
    """What must be filled before submitting, as (field name, message) pairs."""
    missing = []
    if not report.progress.strip():
        missing.append(("progress", _("Describe the progress since the last report.")))
    indicators = list(report.indicators.all())
    if not indicators:
        missing.append(("indicators", _("Give at least one indicator of your protocol.")))
    elif any(not i.value.strip() for i in indicators):
        missing.append(("indicators", _("Give the value measured of every indicator.")))
    return missing


def can_edit(report, user):
    """True when ``user`` may change ``report`` now (for links and buttons)."""
    return (
        report.is_open
        and report.experimentation.status != ExperimentationStatus.ABANDONED
        and allowed(WRITE, user, report)
    )


def check_editable(report, *, by):
    """Raise unless ``by`` may change ``report`` now."""
    require(WRITE, by, report)
    if not report.is_open:
        raise WorkflowError(_("This report is filed: it can no longer be changed."))
    if report.experimentation.status == ExperimentationStatus.ABANDONED:
        raise WorkflowError(_("This experimentation is stopped: its reports no longer change."))


def attach(report, slot, uploaded, *, by):
    """A photo or a document of the report (checked, kept privately)."""
    check_editable(report, by=by)
    if slot not in ReportFile.SLOTS:
        raise WorkflowError(_("This kind of file is not asked for."))
    kind, max_files = ReportFile.SLOTS[slot]
    with transaction.atomic():
        record = keep_in_slot(
            ReportFile(report=report, slot=slot, uploaded_by=by),
            uploaded,
            kind=kind,
            siblings=report.files.filter(slot=slot),
            max_files=max_files,
            replace=False,
        )
        Report.objects.filter(pk=report.pk).update(updated_at=timezone.now())
    return record


def remove_file(report_file, *, by):
    check_editable(report_file.report, by=by)
    delete_stored(report_file)


def filed_data(report):
    """What a report files: its answers and its files (versions and fingerprint)."""
    files = [
        {"slot": f.slot, "name": f.original_name, "size": f.size, "sha256": f.sha256}
        for f in report.files.all()
    ]
    return {
        "content": content_data(report),
        "attachments": sorted(files, key=lambda f: (f["slot"], f["sha256"], f["name"])),
    }


def last_changes(report):
    """``(older, newer, [Change, …])`` between the last two versions, or None."""
    return versions.last_changes_of(report.versions, Report)


def may_take(report, name, *, by):
    """True when ``by`` may take transition ``name`` on ``report`` now (for buttons)."""
    try:
        MACHINE.check(report, name, by=by, view_rule="experimenters.view_report")
    except (WorkflowError, PermissionDenied):
        return False
    return True


def transition(report, name, *, by, note="", now=None, due_at=None):
    """Move ``report`` through transition ``name`` — the one way its status changes."""
    step = TRANSITIONS[name]
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Report.objects.select_for_update(of=("self",))
            .select_related("experimentation__application__applicant", "milestone")
            .get(pk=report.pk)
        )
        MACHINE.check(locked, name, by=by, note=note, view_rule="experimenters.view_report")
        fields = []
        if step.needs_due_date:
            if due_at is None:
                raise WorkflowError(_("A due date is required."))
            if due_at <= now:
                raise WorkflowError(_("The due date must be in the future."))
            locked.due_at = due_at
            fields.append("due_at")
        if step.files:
            if locked.experimentation.status == ExperimentationStatus.ABANDONED:
                raise WorkflowError(
                    _("This experimentation is stopped: its reports no longer change.")
                )
            missing = missing_items(locked)
            if missing:
                raise WorkflowError(
                    ngettext(
                        "The report is incomplete: %(count)d item missing.",
                        "The report is incomplete: %(count)d items missing.",
                        len(missing),
                    ),
                    params={"count": len(missing)},
                    code="incomplete",
                )
            data = filed_data(locked)
            locked.submitted_at, locked.submitted_by = now, by
            locked.fingerprint = digest(data)
            fields += ["submitted_at", "submitted_by", "fingerprint"]
        MACHINE.move(locked, name, by=by, note=note, now=now, fields=fields)
        if step.files:
            versions.record(locked.versions, data, now=now)
            transaction.on_commit(lambda: send_message.delay("report_submitted", locked.pk))
        if step.needs_due_date:
            transaction.on_commit(lambda: send_message.delay("report_changes_requested", locked.pk))
    report.refresh_from_db()
    return report


# --- what lists show ---


def late(queryset, now=None):
    """The late reports of ``queryset``: due date passed, not filed, experimentation started."""
    return queryset.filter(
        status__in=OPEN_REPORT,
        due_at__lt=now or timezone.now(),
        experimentation__status__in=REMINDED,
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


def reports_of(experimentation):
    return list(
        experimentation.reports.select_related("milestone").order_by("due_at", "milestone__pk")
    )


# --- reminders: a source of ``calls.domain.reminders`` ---


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
        cache[edition.pk] = parse_offsets(flow.settings_for(edition).report_reminders)
    return cache[edition.pk]


def _candidates(now):
    """Open reports of started experimentations whose due date is near or passed, with the
    reminders already sent for their due date."""
    return (
        Report.objects.filter(status__in=OPEN_REPORT, experimentation__status__in=REMINDED)
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


def send_one(report_id, offset, *, now=None):
    """Send reminder ``offset`` of one report unless no longer due or already sent."""
    now = now or timezone.now()

    def still_due(report):
        offsets = parse_offsets(
            flow.settings_for(report.experimentation.application.call.edition).report_reminders
        )
        return (
            report.is_open
            and report.experimentation.status in REMINDED
            and current_offset(report, offsets, now) == offset
            and _is_due(report, offset)
        )

    def record(report):
        report.recipients = member_emails(report.experimentation.application.applicant)
        ReportReminder.objects.create(
            report=report,
            due_at=report.due_at,
            offset=offset,
            sent_at=now,
            recipients=", ".join(sorted(report.recipients)),
        )

    def send(report):
        mail.send(
            "report_late" if offset == ReportReminder.LATE else "report_reminder",
            to=report.recipients,
            context={"report": report, "url": _url(report), "now": now},
        )

    return reminders.deliver_once(
        Report.objects.select_related(
            "milestone",
            "experimentation__application__applicant",
            "experimentation__application__call__edition",
            "experimentation__application__project",
            "experimentation__district",
        ).prefetch_related("reminders"),
        report_id,
        still_due=still_due,
        record=record,
        send=send,
    )


def _url(report):
    return reverse("experimenters:report", kwargs={"pk": report.pk})


# --- messages built from ids (``qmi.tasks.send_message``) ---


def _loaded(report_id, status):
    return (
        Report.objects.select_related(
            "milestone",
            "submitted_by",
            "experimentation__application__applicant",
            "experimentation__application__project",
            "experimentation__district__commune",
            "experimentation__manager",
        )
        .filter(pk=report_id, status=status)
        .first()
    )


def submitted_notice(report_id):
    """A report was filed: its members (receipt), the project manager and the referents."""
    report = _loaded(report_id, Status.SUBMITTED)
    if report is None:
        return None
    experimentation = report.experimentation
    to = set(member_emails(experimentation.application.applicant))
    to |= set(experimentation.referents.values_list("email", flat=True))
    if experimentation.manager_id:
        to.add(experimentation.manager.email)
    return ("report_submitted", sorted(to), {"report": report, "url": _url(report)})


def changes_notice(report_id):
    """Staff asked for changes: the members, with what to change and by when."""
    report = _loaded(report_id, Status.CHANGES_REQUESTED)
    if report is None:
        return None
    request = report.history.filter(transition="request_changes").order_by("-at").first()
    return (
        "report_changes_requested",
        member_emails(report.experimentation.application.applicant),
        {"report": report, "url": _url(report), "note": request.note if request else ""},
    )

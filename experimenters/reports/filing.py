"""Writing and filing a report, on the mechanisms of the applications: the one function that
moves it (``qmi.statemachine``), the checks before filing, its files (``qmi.uploads``), its
versions (``calls.domain.versions``) and the e-mails that say it was filed or sent back.

    draft ──submit──▶ submitted ──accept──▶ accepted
                        │   ▲
      request_changes ──┘   └── submit (again)
           ▼
    changes_requested
"""

from dataclasses import dataclass
from types import SimpleNamespace

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from calls.domain import versions
from calls.domain.fingerprint import content_data, digest
from calls.domain.notifications import member_emails
from qmi.permissions import allowed, require
from qmi.statemachine import Machine, WorkflowError
from qmi.tasks import send_message
from qmi.uploads import delete_stored, keep_in_slot

from ..models import OPEN_REPORT, ExperimentationStatus, Report, ReportFile, ReportStatus

Status = ReportStatus
WRITE = "experimenters.write_report"
REVIEW = "experimenters.review_report"


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


def _frozen(report):
    """Why ``report`` can no longer change (filed, or its experimentation stopped), or None."""
    if not report.is_open:
        return _("This report is filed: it can no longer be changed.")
    if report.experimentation.status == ExperimentationStatus.ABANDONED:
        return _("This experimentation is stopped: its reports no longer change.")
    return None


def can_edit(report, user):
    """True when ``user`` may change ``report`` now (for links and buttons)."""
    return _frozen(report) is None and allowed(WRITE, user, report)


def check_editable(report, *, by):
    """Raise unless ``by`` may change ``report`` now."""
    require(WRITE, by, report)
    refusal = _frozen(report)
    if refusal:
        raise WorkflowError(refusal)


def last_change_request(report):
    """The last time staff asked for changes (its ``note`` says what to change), or None."""
    return report.history.filter(transition="request_changes").order_by("-at").first()


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


def as_filed(report):
    """What ``report`` filed last, for those who read filed reports only (the municipality)
    while its members change it: ``(answers, indicators, sha256 of its files)``, or None when
    it was never filed."""
    version = report.versions.order_by("-number").first()
    if version is None:
        return None
    content = version.data.get("content", {})
    answers = SimpleNamespace(
        **{
            name: content.get(name, "")
            for name in ("progress", "next_steps", "difficulties", "needs")
        }
    )
    indicators = [SimpleNamespace(**row) for row in content.get("indicators", [])]
    files = {f.get("sha256") for f in version.data.get("attachments", [])}
    return answers, indicators, files


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
            refusal = _frozen(locked)  # the machine checked the state; not a stopped one
            if refusal:
                raise WorkflowError(refusal)
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


def report_url(report):
    return reverse("experimenters:report", kwargs={"pk": report.pk})


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
    return ("report_submitted", sorted(to), {"report": report, "url": report_url(report)})


def changes_notice(report_id):
    """Staff asked for changes: the members, with what to change and by when."""
    report = _loaded(report_id, Status.CHANGES_REQUESTED)
    if report is None:
        return None
    request = last_change_request(report)
    return (
        "report_changes_requested",
        member_emails(report.experimentation.application.applicant),
        {"report": report, "url": report_url(report), "note": request.note if request else ""},
    )

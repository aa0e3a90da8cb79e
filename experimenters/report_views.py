"""The reports of an experimentation as its members write them and its municipality reads them:
the report (read, with what is missing and the button to submit), its form with the autosave
of the applications, its files. Thin: find, pass the rule (404 otherwise), call
``experimenters.reports``, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calls.interfaces.autosave import autosave, refused
from qmi.downloads import download
from qmi.permissions import Find, allowed, rule_required
from qmi.ratelimit import limited

from . import experimentation as flow
from . import reports
from .forms import ReportForm
from .models import Report, ReportFile

by_pk = Find(
    Report.objects.select_related(
        "milestone",
        "submitted_by",
        "experimentation__application__applicant",
        "experimentation__application__project",
        "experimentation__application__call__edition",
        "experimentation__district__commune",
    ),
    "pk",
)


def _files_by_slot(report):
    files = {slot: [] for slot in ReportFile.SLOTS}
    for report_file in report.files.all():
        files[report_file.slot].append(report_file)
    return files


@rule_required("experimenters.view_report", by_pk)
def report_detail(request, report):
    """The report as filed or being written: answers, indicators, files, history; for its
    members what is still missing and the button to submit."""
    can_edit = reports.can_edit(report, request.user)
    may_submit = reports.may_take(report, "submit", by=request.user)
    staff = allowed("experimenters.review_report", request.user, report)
    answers, indicators, files = report, list(report.indicators.all()), _files_by_slot(report)
    filed = None
    if report.is_open and not staff and not allowed(reports.WRITE, request.user, report):
        filed = reports.as_filed(report)  # being changed: the municipality reads what was filed
    if filed:
        answers, indicators, filed_files = filed
        files = {
            slot: [f for f in items if f.sha256 in filed_files] for slot, items in files.items()
        }
    return render(
        request,
        "experimenters/report_detail.html",
        {
            "report": report,
            "answers": answers,
            "filed_only": bool(filed),
            "experimentation": report.experimentation,
            "indicators": indicators,
            "files": files,
            "history": list(report.history.select_related("by")),
            "missing": reports.missing_items(report) if can_edit else [],
            "can_edit": can_edit,
            "can_submit": may_submit,
            "late": report.is_late(),
            "changes": reports.last_changes(report) if staff else None,
            "public_label": flow.public_label(report.experimentation),
        },
    )


def _save(report, form, request):
    """The answers, the indicators and the files posted, in one transaction."""
    with transaction.atomic():
        form.save()
        for slot, uploaded in request.FILES.items():
            if slot in ReportFile.SLOTS and slot in form.fields:
                reports.attach(report, slot, uploaded, by=request.user)
        Report.objects.filter(pk=report.pk).update(updated_at=timezone.now())


def _render_form(request, report, form, *, status=200):
    return render(
        request,
        "experimenters/report_form.html",
        {
            "report": report,
            "experimentation": report.experimentation,
            "form": form,
            "files": _files_by_slot(report),
            "late": report.is_late(),
            "correction": reports.last_change_request(report)
            if report.status == reports.Status.CHANGES_REQUESTED
            else None,
        },
        status=status,
    )


@rule_required("experimenters.write_report", by_pk)
def report_edit(request, report):
    """The report's form. "Save" keeps what is typed; "Review and submit" goes to the report
    with what is still missing."""
    try:
        reports.check_editable(report, by=request.user)
    except reports.WorkflowError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("experimenters:report", pk=report.pk)
    if request.method != "POST":
        return _render_form(request, report, ReportForm(instance=report))
    form = ReportForm(request.POST, request.FILES, instance=report)
    if not form.is_valid():
        messages.error(request, _("Nothing was saved: correct the fields marked below."))
        return _render_form(request, report, form, status=400)
    try:
        _save(report, form, request)
    except ValidationError as error:
        form.add_error(next((n for n in request.FILES if n in form.fields), None), error)
        messages.error(request, _("Nothing was saved: correct the fields marked below."))
        return _render_form(request, report, form, status=400)
    if request.POST.get("action") == "review":
        return redirect("experimenters:report", pk=report.pk)
    messages.success(request, _("Your draft is saved."))
    return redirect("experimenters:report_edit", pk=report.pk)


@rule_required("experimenters.write_report", by_pk)
@require_POST
@limited("autosave", json=True)
def report_autosave(request, report):
    """Save the report while its author types (``calls.interfaces.autosave``)."""
    try:
        reports.check_editable(report, by=request.user)
    except reports.WorkflowError as error:
        return refused(" ".join(error.messages))

    def bind():
        form = ReportForm(request.POST, instance=report)
        form.drop_file_fields()
        return form

    return autosave(bind, lambda form: _save(report, form, request))


@rule_required("experimenters.write_report", by_pk)
@require_POST
def report_submit(request, report):
    try:
        reports.transition(report, "submit", by=request.user)
    except reports.WorkflowError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Your report is submitted. A receipt is sent to the members of the organisation."),
        )
    return redirect("experimenters:report", pk=report.pk)


@rule_required("experimenters.view_report", by_pk)
def report_file(request, report, file_pk):
    report_file = get_object_or_404(report.files, pk=file_pk)
    return download(report_file)


@rule_required("experimenters.write_report", by_pk)
@require_POST
def report_file_delete(request, report, file_pk):
    report_file = get_object_or_404(report.files, pk=file_pk)
    try:
        reports.remove_file(report_file, by=request.user)
    except reports.WorkflowError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s is removed.") % {"name": report_file.original_name})
    return redirect("experimenters:report_edit", pk=report.pk)

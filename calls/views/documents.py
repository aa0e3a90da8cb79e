"""Documents and exports: the applicant's deposit receipt, the dossier PDF for staff and jury,
export jobs (request, progress, download). Thin: check access, call one function, respond.

A refusal on someone else's object is a 404, so its existence does not leak.
"""

from pathlib import PurePath

from django import forms
from django.core.files.storage import storages
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy

from calls.domain.access import dossier_scope
from calls.domain.kinds import specs
from calls.domain.workflow import Status
from calls.interfaces import documents, export_requests, export_subjects, exports
from calls.models import Call, ExportJob
from calls.models.call import district_model
from calls.views.applications import by_reference
from qmi.downloads import private
from qmi.permissions import Find, allowed, rule_required
from qmi.ratelimit import limited


@rule_required("calls.view_application", by_reference)
def application_receipt(request, application):
    """The deposit receipt (PDF) of a submitted application, for its applicant's members."""
    if not documents.has_receipt(application):
        raise Http404
    response = HttpResponse(documents.receipt_pdf(application), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{application.reference}-receipt.pdf"'
    return private(response)


@rule_required("calls.read_dossier", by_reference)
def application_dossier(request, application):
    """The dossier PDF of an application: staff, and jury members assigned to it and not
    conflicted. Built when the application changed, else cached."""
    return private(
        FileResponse(
            documents.dossier(application).open(),
            as_attachment=True,
            filename=f"{application.reference}-dossier.pdf",
            content_type="application/pdf",
        )
    )


def readable_calls(user):
    """The calls whose dossiers ``user`` may pack: every call for staff, for a jury member the
    calls of the applications they review (``dossier_scope``)."""
    calls = Call.objects.select_related("edition")
    if allowed("qmi.is_staff", user):
        return calls
    return calls.filter(pk__in=dossier_scope(user).values("call_id"))


def readable_districts(user):
    """The innovation districts ``user`` may filter a pack by: every one for staff, for a jury
    member those the applications they review concern (each kind's ``districts_lookup``)."""
    districts = district_model().objects.select_related("commune")
    if allowed("qmi.is_staff", user):
        return districts
    scope = dossier_scope(user)
    concerned = Q(pk__in=[])
    for spec in specs():
        if spec.districts_lookup:
            of_kind = scope.filter(call__kind=spec.kind).values(spec.districts_lookup)
            concerned |= Q(pk__in=of_kind)
    return districts.filter(concerned)


class ExportRequestForm(forms.Form):
    call = forms.ModelChoiceField(
        label=gettext_lazy("Call"),
        queryset=Call.objects.none(),
        error_messages={
            "invalid_choice": gettext_lazy(
                "You cannot read the dossiers of this call: choose one of the calls whose "
                "dossiers you review."
            )
        },
    )
    format = forms.ChoiceField(label=gettext_lazy("Format"), choices=ExportJob.Format.choices)
    status = forms.MultipleChoiceField(
        label=gettext_lazy("Status"),
        choices=Status.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every application except drafts and withdrawn."),
    )
    district = forms.ModelChoiceField(
        label=gettext_lazy("Innovation district"), queryset=None, required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["call"].queryset = readable_calls(user)
        self.fields["district"].queryset = readable_districts(user)

    def clean(self):
        """Refuse, before any job, filters that match no dossier the requester may read."""
        data = super().clean()
        if data.get("call") and not self.errors:
            probe = ExportJob(requested_by=self.user, filters=exports.clean_filters(self.filters()))
            if not exports.applications_for(probe).exists():
                raise forms.ValidationError(
                    gettext_lazy(
                        "No application of this call that you may read matches these filters."
                    )
                )
        return data

    def filters(self):
        data = self.cleaned_data
        statuses = data["status"] or [
            s for s in Status.values if s not in (Status.DRAFT, Status.WITHDRAWN)
        ]
        return {
            "call": data["call"].pk,
            "status": statuses,
            "district": data["district"].pk if data["district"] else None,
        }


@rule_required("calls.request_exports")
@limited("export_request")
def export_new(request):
    """Request a pack or an export of a call's applications, with filters."""
    form = ExportRequestForm(
        request.POST or None, initial={"call": request.GET.get("call")}, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        job = export_requests.request_export(
            request.user,
            format=form.cleaned_data["format"],
            filters=form.filters(),
            description=str(form.cleaned_data["call"]),
        )
        return redirect(job)
    jobs = ExportJob.objects.filter(requested_by=request.user, subject=exports.APPLICATIONS)[:10]
    return render(request, "calls/export_new.html", {"form": form, "jobs": jobs})


by_pk = Find(ExportJob.objects.select_related("requested_by"), "pk")


def _current(job):
    """``job`` as it is now: taken back and queued again first if its worker died."""
    if job.state == ExportJob.State.RUNNING and export_requests.resume_stalled(job=job):
        job.refresh_from_db()
    return job


def _note(job):
    """What the page says of an export whose worker died and that started again."""
    taken_back = job.state == ExportJob.State.PENDING and job.attempts >= 1
    if job.is_finished or not (taken_back or job.attempts >= 2):
        return ""
    return gettext(
        "The worker building this export stopped. The export starts again by itself "
        "(attempt %(n)d of %(max)d), reusing the dossiers already built."
    ) % {"n": job.attempts + taken_back, "max": exports.MAX_ATTEMPTS}


def _status(job):
    return {
        "note": _note(job),
        "state": job.state,
        "label": job.get_state_display(),
        "progress": job.progress,
        "done": job.done,
        "total": job.total,
        "error": job.error,
        "finished": job.is_finished,
        "download": reverse("calls:export_download", kwargs={"pk": job.pk})
        if job.state == ExportJob.State.DONE and not job.is_expired()
        else "",
    }


@rule_required("calls.follow_export", by_pk)
def export_detail(request, job):
    """The job's page: a progress bar kept up to date by ``export_progress.js``, counting
    the job's items in its subject's words."""
    job = _current(job)
    count = export_subjects.job_count(job)
    context = {
        "job": job,
        "status": _status(job),
        "title": export_subjects.job_title(job),
        "count_text": count,
        "count": count.replace("{done}", str(job.done)).replace("{total}", str(job.total)),
        "again": export_subjects.job_again(job),
    }
    return render(request, "calls/export_detail.html", context)


@rule_required("calls.follow_export", by_pk)
def export_status(request, job):
    return JsonResponse(_status(_current(job)), headers={"Cache-Control": "no-store"})


@rule_required("calls.follow_export", by_pk)
def export_download(request, job):
    """The built file, to staff and to whoever requested it; 410 once expired."""
    if job.is_expired():
        return render(request, "calls/export_expired.html", {"job": job}, status=410)
    if job.state != ExportJob.State.DONE or not job.file:
        return redirect(job)
    filename = PurePath(job.file.name).name
    try:
        fh = storages["private"].open(job.file.name, "rb")
    except FileNotFoundError:
        return render(request, "calls/export_expired.html", {"job": job}, status=410)
    return private(
        FileResponse(
            fh,
            as_attachment=True,
            filename=filename,
            content_type=documents.guess_type(filename),
        )
    )

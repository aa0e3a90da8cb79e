"""The applicant side of both calls: dashboard, drafts, autosave, review, submit, reopen,
withdraw and attachments. Thin: find the object the user may see, call a service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from calls.domain import lifecycle
from calls.domain.access import jury_scope
from calls.domain.kinds import form_class_for, list_prefetches, progress, spec_for
from calls.domain.workflow import TRANSITIONS, Actor, Status
from calls.models import Application, Attachment, Call
from qmi.models import Membership

APPLICATIONS_PER_PAGE = 20
APPLICANT_TRANSITIONS = [t.name for t in TRANSITIONS.values() if t.actor == Actor.APPLICANT]


def _application_for(request, reference):
    """The application if the user is a confirmed member of its applicant; 404 otherwise,
    so that the existence of another applicant's application does not leak."""
    qs = Application.objects.visible_to(request.user).select_related(
        "call__edition", "applicant", "submitted_by"
    )
    return get_object_or_404(qs, reference=reference)


def _error_text(error):
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)


@login_required
def dashboard(request):
    """My space: the applicants I act for, their applications with what is missing, the
    calls I can apply to."""
    memberships = list(
        Membership.objects.filter(user=request.user)
        .select_related("applicant__commune")
        .order_by("applicant__name")
    )
    confirmed = [m.applicant_id for m in memberships if m.is_confirmed]
    applications = (
        Application.objects.filter(applicant_id__in=confirmed)
        .select_related("call__edition", "applicant")
        .prefetch_related("attachments", *list_prefetches())
        .order_by("-created_at")
    )
    page = Paginator(applications, APPLICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    for application in page:
        editable = application.state.applicant_can_edit
        missing = lifecycle.missing_items(application) if editable else []
        rows.append(
            {
                "application": application,
                "missing": len(missing),
                "progress": progress(application, missing) if editable else None,
            }
        )
    kinds = {m.applicant.kind for m in memberships if m.is_confirmed}
    now = timezone.now()
    open_calls = [
        call
        for call in Call.objects.published().open_at(now).select_related("edition")
        if spec_for(call.kind).applicant_kind in kinds
    ]
    return render(
        request,
        "calls/dashboard.html",
        {"memberships": memberships, "rows": rows, "page": page, "open_calls": open_calls},
    )


@login_required
def start_application(request, slug):
    """Choose for which applicant to apply, then create the draft (POST)."""
    call = get_object_or_404(Call.objects.published().select_related("edition"), slug=slug)
    spec = spec_for(call.kind)
    memberships = list(
        Membership.objects.confirmed()
        .filter(user=request.user, applicant__kind=spec.applicant_kind)
        .select_related("applicant")
    )
    if not memberships:
        pending = Membership.objects.pending().filter(
            user=request.user, applicant__kind=spec.applicant_kind
        )
        if pending.exists():
            messages.info(
                request,
                _("Your request to act for a municipality awaits confirmation by Paris&Co."),
            )
            return redirect("dashboard")
        if spec.no_applicant_url:
            messages.info(request, spec.no_applicant_message)
            return redirect(f"{reverse(spec.no_applicant_url)}?{urlencode({'next': request.path})}")
        raise Http404
    if spec.screening_form:
        return _start_after_screening(request, call, spec, memberships)
    existing = {
        a.applicant_id: a
        for a in Application.objects.active()
        .filter(call=call, applicant_id__in=[m.applicant_id for m in memberships])
        .order_by("created_at")
    }
    if request.method == "POST":
        chosen = next(
            (m for m in memberships if str(m.applicant_id) == request.POST.get("applicant")),
            None,
        )
        if chosen is None:
            messages.error(request, _("Choose for whom you apply."))
        else:
            try:
                application = lifecycle.start_application(call, chosen.applicant, by=request.user)
            except lifecycle.ApplicationExists as exists:
                messages.info(request, _error_text(exists))
                return redirect(exists.application.urls.edit)
            except lifecycle.WorkflowError as error:
                messages.error(request, _error_text(error))
            else:
                messages.success(
                    request,
                    _("Your draft %(reference)s is created. It is saved as you type.")
                    % {"reference": application.reference},
                )
                return redirect(application.urls.edit)
    return render(
        request,
        "calls/start.html",
        {
            "call": call,
            "choices": [(m, existing.get(m.applicant_id)) for m in memberships],
            "is_open": call.is_open(),
        },
    )


def _start_after_screening(request, call, spec, memberships):
    """For a kind of call with a screening (experimenters): choose the applicant and answer
    the short eligibility screening on one page. A draft is created only when the answers
    qualify; otherwise the page says why. Every start creates a new application."""
    form_class = import_string(spec.screening_form)
    form = form_class(request.POST or None, applicants=[m.applicant for m in memberships])
    is_open = call.is_open()
    if request.method == "POST" and is_open and form.is_valid():
        reasons = form.screen()
        if reasons:
            return render(request, "calls/not_eligible.html", {"call": call, "reasons": reasons})
        try:
            application = lifecycle.start_application(
                call,
                form.cleaned_data["applicant"],
                by=request.user,
                initial=form.initial_content(),
            )
        except lifecycle.WorkflowError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request,
                _("Your draft %(reference)s is created. It is saved as you type.")
                % {"reference": application.reference},
            )
            return redirect(application.urls.edit)
    drafts = lifecycle.drafts_to_continue(
        call, [m.applicant for m in memberships], user=request.user
    )
    return render(
        request,
        "calls/screening.html",
        {"call": call, "form": form, "is_open": is_open, "drafts": drafts},
        status=400 if form.errors else 200,
    )


def _bind_form(application, data=None, files=None, step=None):
    """The content form of the application, limited to one section when ``step`` is set."""
    form_class = form_class_for(application.kind)
    form = form_class(data=data, files=files, instance=application.content)
    if step:
        form.limit_to(form_class.fields_of(step))
    return form


def _step_from(request, application):
    """The section asked for (``?step=``), or None for the whole form."""
    form_class = form_class_for(application.kind)
    step = request.GET.get("step") or request.POST.get("step")
    if step in form_class.section_keys():
        return step
    if spec_for(application.kind).stepped:
        missing = lifecycle.missing_items(application)
        first_missing = next(
            (form_class.section_of(name) for name, _m in missing if form_class.section_of(name)),
            None,
        )
        return first_missing or form_class.section_keys()[0]
    return None


def _save_draft(application, form, request):
    """Save the draft form and the files of its fields in one transaction; nothing
    half-saved (an autosave form has no file field: it saves the answers only)."""
    with transaction.atomic():
        form.save()
        for name, uploaded in request.FILES.items():
            if name in form.fields:
                lifecycle.attach(application, name, uploaded, by=request.user)
        Application.objects.filter(pk=application.pk).update(updated_at=timezone.now())


def _render_edit(request, application, form, *, step=None, status=200, missing=None):
    spec = spec_for(application.kind)
    keys = form_class_for(application.kind).section_keys()
    attachments = {}
    for attachment in application.attachments.all():
        attachments.setdefault(attachment.slot, []).append(attachment)
    current_missing = missing if missing is not None else lifecycle.missing_items(application)
    index = keys.index(step) if step else None
    return render(
        request,
        spec.edit_template,
        {
            "application": application,
            "call": application.call,
            "form": form,
            "attachments": attachments,
            "missing": missing,
            "progress": progress(application, current_missing),
            "step": step,
            "previous_step": keys[index - 1] if step and index > 0 else None,
            "next_step": keys[index + 1] if step and index < len(keys) - 1 else None,
            "stepped": spec.stepped,
            "correction": lifecycle.open_correction(application)
            if application.status == Status.CORRECTION_REQUESTED
            else None,
        },
        status=status,
    )


def _edit_url(application, step=None):
    url = application.urls.edit
    return f"{url}?step={step}" if step else url


@login_required
def application_edit(request, reference):
    """The draft form, whole or one section (step) at a time. "Save" keeps what is typed;
    "Review and submit" also checks that everything is filled and shows each problem next
    to its field."""
    application = _application_for(request, reference)
    if not lifecycle.can_edit_now(application):
        return redirect(application.urls.review)
    step = _step_from(request, application)
    if request.method != "POST":
        return _render_edit(request, application, _bind_form(application, step=step), step=step)
    try:
        lifecycle.check_editable(application, by=request.user)
    except lifecycle.WorkflowError as error:
        messages.error(request, _error_text(error))
        return redirect(application.urls.review)
    form = _bind_form(application, request.POST, request.FILES, step=step)
    if not form.is_valid():
        messages.error(request, _("Nothing was saved: correct the fields marked below."))
        return _render_edit(request, application, form, step=step, status=400)
    try:
        _save_draft(application, form, request)
    except ValidationError as error:
        field = next((n for n in request.FILES if n in form.fields), None)
        form.add_error(field, error)
        messages.error(request, _("Nothing was saved: correct the fields marked below."))
        return _render_edit(request, application, form, step=step, status=400)
    action = request.POST.get("action", "save")
    if action.startswith("goto:"):
        target = action.removeprefix("goto:")
        if target in form_class_for(application.kind).section_keys():
            return redirect(_edit_url(application, target))
    if action != "review":
        messages.success(request, _("Your draft is saved."))
        return redirect(_edit_url(application, step))
    missing = lifecycle.missing_items(application)
    if not missing:
        return redirect(application.urls.review)
    form_class = form_class_for(application.kind)
    if step:
        # Show the first section that still needs something, with its problems marked.
        step = form_class.section_of(missing[0][0]) or step
    form = _bind_form(application, step=step)
    form.show_missing(missing)
    messages.warning(
        request,
        ngettext(
            "Your draft is saved, but %(count)d item must be completed before submitting.",
            "Your draft is saved, but %(count)d items must be completed before submitting.",
            len(missing),
        )
        % {"count": len(missing)},
    )
    return _render_edit(request, application, form, step=step, missing=missing)


@login_required
@require_POST
def application_autosave(request, reference):
    """Save the draft while the applicant types. Answers JSON for the autosave script."""
    application = _application_for(request, reference)
    try:
        lifecycle.check_editable(application, by=request.user)
    except lifecycle.WorkflowError as error:
        return JsonResponse({"ok": False, "message": _error_text(error)}, status=409)
    step = _step_from(request, application)
    form = _bind_form(application, request.POST, step=step)
    form.drop_file_fields()
    if form.is_valid():
        _save_draft(application, form, request)
        return JsonResponse({"ok": True, **_saved_now()})
    errors = {name: [str(m) for m in messages_] for name, messages_ in form.errors.items()}
    # Keep what is well-formed: save every other field, leave the malformed ones as they were
    # in the database, and say which ones to correct. The page still holds what was typed.
    rest = _bind_form(application, request.POST, step=step)
    rest.drop_file_fields()
    for name in errors:
        rest.fields.pop(name, None)
    if set(errors) <= set(form.fields) and rest.fields and rest.is_valid():
        _save_draft(application, rest, request)
        return JsonResponse(
            {
                "ok": False,
                "partial": True,
                "message": _("correct the fields marked; everything else is saved."),
                "errors": errors,
                **_saved_now(),
            },
            status=400,
        )
    return JsonResponse(
        {"ok": False, "message": _("Not saved: correct the fields marked."), "errors": errors},
        status=400,
    )


def _saved_now():
    now = timezone.localtime()
    return {"saved_at": now.isoformat(), "saved_at_display": date_format(now, "H:i")}


@login_required
def application_review(request, reference):
    """The read-only summary: what will be submitted, what is missing, and the actions."""
    application = _application_for(request, reference)
    spec = spec_for(application.kind)
    editable = application.state.applicant_can_edit
    return render(
        request,
        "calls/application_review.html",
        {
            "application": application,
            "call": application.call,
            "content": application.content,
            "summary_template": spec.summary_template,
            "attachments": list(application.attachments.all()),
            "missing": lifecycle.missing_items(application) if editable else [],
            "history": application.history.filter(
                transition__in=APPLICANT_TRANSITIONS
            ).select_related("by"),
            "can_submit": lifecycle.may_take(
                application, lifecycle.submission(application), by=request.user
            ),
            "can_reopen": lifecycle.may_take(application, "reopen", by=request.user),
            "can_withdraw": lifecycle.may_take(application, "withdraw", by=request.user),
            "can_edit": lifecycle.can_edit_now(application),
            "correction": lifecycle.open_correction(application) if editable else None,
        },
    )


def _take(request, application, name, success_message, redirect_to=None):
    """Take transition ``name`` for the applicant; refusals come back as a message."""
    try:
        lifecycle.transition(
            application, name, by=request.user, note=request.POST.get("note", "")[:2000]
        )
    except lifecycle.WorkflowError as error:
        messages.error(request, _error_text(error))
        if error.code == "incomplete":
            return redirect(application.urls.edit)
        return redirect(application.urls.review)
    messages.success(request, success_message)
    return redirect(redirect_to(application) if redirect_to else application.urls.review)


@login_required
@require_POST
def application_submit(request, reference):
    application = _application_for(request, reference)
    return _take(
        request,
        application,
        lifecycle.submission(application) or "submit",
        _("Your application is submitted. An acknowledgement is sent to every member."),
        redirect_to=lambda a: a.urls.done,
    )


@login_required
def application_submitted(request, reference):
    application = _application_for(request, reference)
    if application.submitted_at is None:
        return redirect(application.urls.review)
    return render(
        request,
        "calls/application_submitted.html",
        {"application": application, "call": application.call},
    )


@login_required
def application_reopen(request, reference):
    """GET: what reopening means (it must be submitted again before the deadline); POST: do it."""
    application = _application_for(request, reference)
    if request.method == "POST":
        return _take(
            request,
            application,
            "reopen",
            _("Your application is a draft again. Remember to submit it before the deadline."),
            redirect_to=lambda a: a.urls.edit,
        )
    return render(
        request,
        "calls/application_reopen.html",
        {"application": application, "call": application.call},
    )


@login_required
def application_withdraw(request, reference):
    """GET: what withdrawing means (irreversible), with an optional reason; POST: do it."""
    application = _application_for(request, reference)
    if request.method == "POST":
        return _take(request, application, "withdraw", _("Your application is withdrawn."))
    if not lifecycle.may_take(application, "withdraw", by=request.user):
        messages.error(request, _("You cannot withdraw this application."))
        return redirect(application.urls.review)
    return render(
        request,
        "calls/application_withdraw.html",
        {"application": application, "call": application.call},
    )


def _attachment_for(request, reference, pk, *, to_change=False):
    """The attachment if the user may read it — its applicant's members, staff, the jury
    members assigned to it who declared no conflict — or, ``to_change``, change it (members
    only); 404 otherwise."""
    visible = Application.objects.visible_to(request.user)
    if to_change:
        qs = Attachment.objects.filter(application__in=visible)
    elif request.user.is_staff:
        qs = Attachment.objects.all()
    else:
        qs = Attachment.objects.filter(
            Q(application__in=visible) | Q(application__in=jury_scope(request.user))
        )
    return get_object_or_404(
        qs.select_related("application"), pk=pk, application__reference=reference
    )


@login_required
def attachment_download(request, reference, pk):
    """Serve a private file to its applicant's members, to staff and to the jury members
    assigned to the application who declared no conflict of interest."""
    attachment = _attachment_for(request, reference, pk)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def attachment_delete(request, reference, pk):
    attachment = _attachment_for(request, reference, pk, to_change=True)
    application = attachment.application
    try:
        lifecycle.remove_attachment(attachment, by=request.user)
    except lifecycle.WorkflowError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The file was removed."))
    return redirect(application.urls.edit)

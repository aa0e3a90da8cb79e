"""The applicant side of both calls: the application form, its autosave and its review.
Thin: find the object the user may see, call a service, render. The dashboard and starting an
application are in ``dashboard``; submitting, reopening, withdrawing and attachments in
``actions``."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from calls.domain import lifecycle, offers
from calls.domain.kinds import form_class_for, progress, spec_for
from calls.domain.workflow import TRANSITIONS, Actor, Status
from calls.extensions import sections
from calls.interfaces.autosave import autosave, refused
from calls.models import Application
from qmi.models import Membership
from qmi.permissions import Find, allowed, rule_required
from qmi.ratelimit import limited

# The history the applicant reads: the moves made from their side.
APPLICANT_TRANSITIONS = [t.name for t in TRANSITIONS.values() if t.actor == Actor.APPLICANT]


# The application of the URL's reference; each view names the rule the user must pass on it
# (``calls.rules``): a refusal is a 404, so that another applicant's application does not leak.
by_reference = Find(
    Application.objects.select_related("call__edition", "applicant", "submitted_by"), "reference"
)


WITHDRAW = TRANSITIONS["withdraw"]


def withdrawal(application, user):
    """``(offered, owner)``: whether ``user`` may withdraw ``application`` now; when the state
    and the deadline allow it but the transition's rule does not (an organisation's member
    who is not its owner), the owner's name, to say who can."""
    if lifecycle.may_take(application, WITHDRAW.name, by=user):
        return True, None
    if (
        application.status not in WITHDRAW.sources
        or not application.is_open()
        or allowed(WITHDRAW.rule, user, application)
        or not application.applicant.has_owner
    ):
        return False, None
    owner = (
        Membership.objects.confirmed()
        .filter(applicant_id=application.applicant_id, role=Membership.Role.OWNER)
        .select_related("user")
        .first()
    )
    return False, str(owner.user) if owner else None


def _withdraw_context(application, user):
    can_withdraw, owner = withdrawal(application, user)
    return {"can_withdraw": can_withdraw, "withdraw_owner": owner}


def _error_text(error):
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)


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
            **_withdraw_context(application, request.user),
        },
        status=status,
    )


def _edit_url(application, step=None):
    url = application.urls.edit
    return f"{url}?step={step}" if step else url


@rule_required("calls.edit_application", by_reference)
def application_edit(request, application):
    """The draft form, whole or one section (step) at a time. "Save" keeps what is typed;
    "Review and submit" also checks that everything is filled and shows each problem next
    to its field."""
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


@rule_required("calls.edit_application", by_reference)
@require_POST
@limited("autosave", json=True)
def application_autosave(request, application):
    """Save the draft while the applicant types. Answers JSON for the autosave script."""
    try:
        lifecycle.check_editable(application, by=request.user)
    except lifecycle.WorkflowError as error:
        return refused(_error_text(error))
    step = _step_from(request, application)

    def bind():
        form = _bind_form(application, request.POST, step=step)
        form.drop_file_fields()
        return form

    return autosave(bind, lambda form: _save_draft(application, form, request))


@rule_required("calls.view_application", by_reference)
def application_review(request, application):
    """The read-only summary: what will be submitted, what is missing, and the actions."""
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
            **_withdraw_context(application, request.user),
            "can_edit": lifecycle.can_edit_now(application),
            "correction": lifecycle.open_correction(application) if editable else None,
            # the place offered to a laureate, to accept or decline by its due date
            "offer": offers.offer_of(application),
            # what other apps add (the published decision: its reason, the next steps)
            "sections": sections("application", application, request),
        },
    )

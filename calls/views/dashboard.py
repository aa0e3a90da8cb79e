"""The applicant's space (their applications and what to do next) and starting an
application, after the kind's screening where it asks one."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from calls.domain import lifecycle, sessions
from calls.domain.kinds import list_prefetches, progress, spec_for
from calls.extensions import sections
from calls.models import Application, Call, CorrectionRequest
from calls.views.applications import (
    _error_text,
)
from qmi.middleware import expires_at
from qmi.models import Membership
from qmi.permissions import rule_required

APPLICATIONS_PER_PAGE = 20


@rule_required("qmi.signed_in")
def dashboard(request):
    """My space: the applicants I act for, their applications with what is missing, the
    calls I can apply to."""
    memberships = list(
        Membership.objects.filter(user=request.user)
        .select_related("applicant__commune")
        .annotate(selected=sessions.ever_selected())
        .order_by("applicant__name")
    )
    confirmed = [m.applicant_id for m in memberships if m.is_confirmed]
    applications = (
        Application.objects.filter(applicant_id__in=confirmed)
        .with_deadline()
        .select_related("call__edition", "applicant", "offer")
        .prefetch_related("attachments", *list_prefetches())
        .order_by("-created_at")
    )
    page = Paginator(applications, APPLICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    on_page = list(page)
    correction_dues = _correction_dues(on_page)
    rows = []
    for application in on_page:
        editable = application.state.applicant_can_edit
        missing = lifecycle.missing_items(application) if editable else []
        rows.append(
            {
                "application": application,
                "missing": len(missing),
                "progress": progress(application, missing) if editable else None,
                # during a correction the deadline is the correction's due date
                "correction_due": correction_dues.get(application.pk),
            }
        )
    kinds = {m.applicant.kind for m in memberships if m.is_confirmed}
    session_warning = _session_warning(request, confirmed)
    now = timezone.now()
    open_calls = [
        call
        for call in Call.objects.published().open_at(now).select_related("edition")
        if spec_for(call.kind).applicant_kind in kinds
    ]
    return render(
        request,
        "calls/dashboard.html",
        {
            "memberships": memberships,
            "rows": rows,
            "page": page,
            "open_calls": open_calls,
            "session_warning": session_warning,
            # the training days of the municipalities and laureates I act for
            "training_days": list(sessions.training_days(request.user, now=now))
            if any(m.is_confirmed and m.selected for m in memberships)
            else [],
            "training_now": now,
            # what other apps add, from the confirmed memberships (e.g. my municipality's
            # innovation districts)
            "sections": sections("dashboard", [m for m in memberships if m.is_confirmed], request),
        },
    )


def _correction_dues(applications):
    """The due date of the open correction request of each of ``applications`` whose state
    is edited until a correction's due date (``State.edit_until``), by application id: one
    query, none when no application awaits a correction."""
    ids = [a.pk for a in applications if a.state.edit_until == "correction"]
    if not ids:
        return {}
    return dict(
        CorrectionRequest.objects.filter(
            application_id__in=ids, resolved_at__isnull=True
        ).values_list("application_id", "due_at")
    )


def _session_warning(request, applicant_ids):
    """``(session end or None, the draft's call)`` when the session ends (or ends with the
    browser) before the deadline of a call where the user has a draft; else None."""
    draft = lifecycle.next_deadline(applicant_ids)
    if draft is None:
        return None
    ends = expires_at(request.session)
    if ends is not None and ends >= draft.call.closes_at:
        return None
    return {"ends": ends, "call": draft.call}


@rule_required("qmi.signed_in")
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

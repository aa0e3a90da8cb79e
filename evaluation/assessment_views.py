"""The pages where each party fills its side of an assessment, and the programme
questionnaire. Thin: find, check who asks (404 for anyone but the party), call
``evaluation.assessment``, render.

- ``bilan/``: the assessments I fill and the questionnaires my municipality or organisation
  answers;
- ``bilan/<id>/<party>/``: my side (autosaved, submitted once), read-only once submitted or
  closed, with the other sides I may then read;
- ``bilan/<id>/preuves/…``: the evidence of the protocol (the experimenter adds and removes
  it while its side is open; the parties and staff read it);
- ``bilan/questionnaire/<campaign>/``: the questionnaire on the programme.
"""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calls.interfaces.autosave import autosave, refused
from qmi.downloads import download
from qmi.permissions import signed_out
from qmi.ratelimit import limited

from .assessment import filling, grid, protocol
from .assessment.campaign import closes_at_for, side_url
from .assessment.parties import acts_as
from .assessment_forms import FeedbackForm, side_form
from .models import AssessmentCampaign, Party

PER_PAGE = 20
FORM_MARK = "side-form"  # posted by the side's page form: its answers are saved first


def _signed_in(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return signed_out(request)
        return view(request, *args, **kwargs)

    return wrapped


def _assessment(request, pk, party):
    """The assessment, when the user fills ``party``'s side of it (else 404)."""
    if party not in Party.values:
        raise Http404
    assessment = filling.assessment_for_page(pk)
    if assessment is None or not acts_as(request.user, assessment, party):
        raise Http404
    return assessment


def party_view(view):
    """The view of one party's side, for that party only: receives the side."""

    @_signed_in
    @wraps(view)
    def wrapped(request, pk, party, *args, **kwargs):
        assessment = _assessment(request, pk, party)
        side = grid.side_for(assessment, party)
        side.assessment = assessment
        return view(request, side, *args, **kwargs)

    return wrapped


def _experimenter_side(request, pk):
    assessment = _assessment(request, pk, Party.EXPERIMENTER)
    side = grid.side_for(assessment, Party.EXPERIMENTER)
    side.assessment = assessment
    return side


def _save_posted(request, side):
    """What the side's form posted, saved as the autosave saves it (malformed fields left as
    they were), before an upload, a removal or the submission."""
    if FORM_MARK not in request.POST:
        return

    def bind():
        form = side_form(side, data=request.POST)
        form.drop_file_fields()
        return form

    autosave(bind, lambda form: filling.save_side(side, form))


def _read_only(side):
    answers = grid.answers_of(side)
    axes = []
    for answer in answers:
        if not axes or axes[-1][0].pk != answer.criterion.axis_id:
            axes.append((answer.criterion.axis, []))
        axes[-1][1].append(answer)
    return {"side": side, "axes": axes}


def _render(request, side, form=None, *, status=200):
    assessment = side.assessment
    reason = filling.editable_reason(side)
    indicators = [(i, protocol.achievement(i)) for i in assessment.indicators.all()]
    closes_at = closes_at_for(assessment, side.party)
    context = {
        "assessment": assessment,
        "experimentation": assessment.experimentation,
        "campaign": assessment.campaign,
        "side": side,
        "party": Party(side.party),
        "form": form if not reason else None,
        "reason": reason,
        "closes_at": closes_at,
        "closed": timezone.now() > closes_at,
        "indicators": indicators,
        "evidence": list(assessment.evidence.all()),
        "max_evidence": filling.MAX_EVIDENCE,
        "own": _read_only(side) if reason else None,
        "others": [_read_only(s) for s in grid.readable_sides(assessment, side.party)],
        "form_mark": FORM_MARK,
    }
    return render(request, "evaluation/assessment/side.html", context, status=status)


@_signed_in
def assessment_home(request):
    """The assessments I fill, each with my party or parties, their close and whether my side
    is submitted; the questionnaires on the programme my applicants answer."""
    page = Paginator(filling.assessments_filled_by(request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "evaluation/assessment/home.html",
        {
            "page": page,
            "items": filling.mine(request.user, page.object_list),
            "questionnaires": filling.questionnaires_of(request.user),
        },
    )


@party_view
def assessment_side(request, side):
    """My side: its form while it may change ("Save" keeps what is typed), read-only after."""
    assessment = side.assessment
    reason = filling.editable_reason(side)
    if side.party == Party.EXPERIMENTER and not reason:
        protocol.start_protocol(assessment)
    if request.method != "POST":
        return _render(request, side, None if reason else side_form(side))
    if reason:
        messages.error(request, reason)
        return redirect(side_url(assessment, side.party))
    form = side_form(side, data=request.POST, files=request.FILES)
    if not form.is_valid():
        messages.error(request, _("Nothing was saved: correct the fields marked below."))
        return _render(request, side, form, status=400)
    try:
        with transaction.atomic():
            filling.save_side(side, form)
            if request.FILES.get("evidence"):
                filling.add_evidence(assessment, request.FILES["evidence"], by=request.user)
    except ValidationError as error:
        form.add_error("evidence", error)
        messages.error(request, _("Nothing was saved: correct the fields marked below."))
        return _render(request, side, form, status=400)
    messages.success(request, _("Your draft is saved."))
    return redirect(side_url(assessment, side.party))


@party_view
@require_POST
@limited("autosave", json=True)
def assessment_autosave(request, side):
    """Save my side while I type (``calls.interfaces.autosave``)."""
    reason = filling.editable_reason(side)
    if reason:
        return refused(reason)

    def bind():
        form = side_form(side, data=request.POST)
        form.drop_file_fields()
        return form

    return autosave(bind, lambda form: filling.save_side(side, form))


@party_view
@require_POST
def assessment_submit(request, side):
    """Submit my side: what the page posts is saved first; what is missing is shown next to
    its field, with everything typed."""
    reason = filling.editable_reason(side)
    if reason:
        messages.error(request, reason)
        return redirect(side_url(side.assessment, side.party))
    _save_posted(request, side)
    try:
        grid.submit(side, by=request.user)
    except PermissionDenied as denied:
        messages.error(request, str(denied))
        return redirect(side_url(side.assessment, side.party))
    except ValidationError as error:
        side.assessment.refresh_from_db()
        missing = [(key, m) for key, items in error.message_dict.items() for m in items]
        form = side_form(side, data=request.POST) if FORM_MARK in request.POST else side_form(side)
        form.show_missing(missing)
        messages.error(request, _("Not submitted: complete the items marked below."))
        return _render(request, side, form, status=400)
    messages.success(request, _("Your side is submitted. Thank you."))
    return redirect(side_url(side.assessment, side.party))


# --- Evidence --------------------------------------------------------------------------------


def _to_evidence(side):
    return redirect(f"{side_url(side.assessment, side.party)}#section-evidence")


@_signed_in
@require_POST
def evidence_upload(request, pk):
    side = _experimenter_side(request, pk)
    reason = filling.editable_reason(side)
    if reason:
        messages.error(request, reason)
        return _to_evidence(side)
    _save_posted(request, side)
    uploaded = request.FILES.get("evidence")
    if uploaded is None:
        messages.error(request, _("Choose a file to add first."))
        return _to_evidence(side)
    try:
        filling.add_evidence(side.assessment, uploaded, by=request.user)
    except ValidationError as error:
        form = side_form(side, data=request.POST) if FORM_MARK in request.POST else side_form(side)
        form.is_valid()
        form.add_error("evidence", error)
        return _render(request, side, form, status=400)
    messages.success(request, _("%(name)s is added.") % {"name": uploaded.name})
    return _to_evidence(side)


@_signed_in
@require_POST
def evidence_delete(request, pk, file_pk):
    side = _experimenter_side(request, pk)
    evidence = get_object_or_404(side.assessment.evidence, pk=file_pk)
    reason = filling.editable_reason(side)
    if reason:
        messages.error(request, reason)
        return _to_evidence(side)
    _save_posted(request, side)
    filling.remove_evidence(evidence)
    messages.success(request, _("%(name)s is removed.") % {"name": evidence.original_name})
    return _to_evidence(side)


@_signed_in
def evidence_download(request, pk, file_pk):
    assessment = filling.assessment_for_page(pk)
    if assessment is None or not filling.reads_evidence(request.user, assessment):
        raise Http404
    return download(get_object_or_404(assessment.evidence, pk=file_pk))


# --- The questionnaire on the programme ----------------------------------------------------


def _feedback(request, campaign_pk):
    """The questionnaire of the user's applicant concerned by the campaign (``?pour=`` when
    several), or the list of those applicants to choose from."""
    campaign = get_object_or_404(AssessmentCampaign, pk=campaign_pk, opens_at__lte=timezone.now())
    applicants = filling.concerned_applicants(request.user, campaign)
    if not applicants:
        raise Http404
    chosen = request.GET.get("pour")
    if chosen is None and len(applicants) > 1:
        return campaign, applicants, None
    applicant = (
        applicants[0]
        if chosen is None
        else next((a for a in applicants if str(a.pk) == chosen), None)
    )
    if applicant is None:
        raise Http404
    return campaign, applicants, filling.feedback_for(campaign, applicant)


def _feedback_reason(feedback):
    try:
        filling.check_feedback_editable(feedback)
    except PermissionDenied as denied:
        return str(denied)
    return ""


@_signed_in
def programme_feedback(request, campaign_pk):
    campaign, applicants, feedback = _feedback(request, campaign_pk)
    context = {"campaign": campaign, "applicants": applicants, "feedback": feedback}
    if feedback is None:
        return render(request, "evaluation/assessment/feedback_choice.html", context)
    reason = _feedback_reason(feedback)
    here = request.get_full_path()
    if request.method == "POST" and reason:
        messages.error(request, reason)
        return redirect(here)
    form = FeedbackForm(request.POST or None, instance=feedback)
    context.update({"form": form, "reason": reason})
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, _("Nothing was saved: correct the fields marked below."))
            return render(request, "evaluation/assessment/feedback.html", context, status=400)
        filling.save_feedback(feedback, form)
        if request.POST.get("action") != "submit":
            messages.success(request, _("Your answers are saved."))
            return redirect(here)
        try:
            filling.submit_feedback(feedback, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
            return render(request, "evaluation/assessment/feedback.html", context, status=400)
        messages.success(request, _("Your answers are submitted. Thank you."))
        return redirect(here)
    return render(request, "evaluation/assessment/feedback.html", context)


@_signed_in
@require_POST
@limited("autosave", json=True)
def programme_feedback_autosave(request, campaign_pk):
    _campaign, _applicants, feedback = _feedback(request, campaign_pk)
    if feedback is None:
        raise Http404
    reason = _feedback_reason(feedback)
    if reason:
        return refused(reason)
    return autosave(
        lambda: FeedbackForm(request.POST, instance=feedback),
        lambda form: filling.save_feedback(feedback, form),
    )


# --- "My space" ------------------------------------------------------------------------------


def dashboard_section(obj, request):
    """On "My space": the sides of assessments I still have to submit, open now ("" when
    none)."""
    if not request.user.is_authenticated:
        return ""
    rows = filling.open_to_fill(request.user)
    if not rows:
        return ""
    return render_to_string(
        "evaluation/assessment/dashboard_section.html",
        {"rows": rows[:5], "count": len(rows), "home": reverse("evaluation:assessment_home")},
        request=request,
    )

"""The rules of the jury: its phase, the assignment of applications to members (automatic and
manual), declarations of conflict of interest, reviews and scores, and the decisions staff
record before publishing. Views, admin actions and tasks call these."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.domain.kinds import spec_for, specs
from calls.domain.workflow import DECISION_TRANSITIONS, TRANSITIONS, Status
from calls.models import Application
from qmi.permissions import allowed, require

from .models import (
    Assignment,
    CallJury,
    ConflictDeclaration,
    Criterion,
    Decision,
    JuryMember,
    Phase,
    Placement,
    Review,
    Score,
)
from .placement.wishes import takes_placement, wishes_of
from .ranking import review_total

# The applications the jury reviews.
REVIEWED_STATUSES = (Status.ELIGIBLE, Status.SHORTLISTED)


class EvaluationError(ValidationError):
    """A change the rules refuse; the message is meant for the user."""


# --- The jury of a call -----------------------------------------------------------------------


def jury_of(call):
    """The jury settings of ``call``, created with their defaults the first time."""
    jury, _created = CallJury.objects.get_or_create(call=call)
    return jury


def set_phase(call, phase, *, by):
    """Move the call's jury to ``phase`` (preparation, scoring, deliberation, closed)."""
    require("evaluation.run_selection", by)
    if phase not in Phase.values:
        raise EvaluationError(_("Unknown jury phase."))
    jury = jury_of(call)
    jury.phase = phase
    jury.save(update_fields=["phase"])
    return jury


# --- Assignment -------------------------------------------------------------------------------


def application_districts(application_ids):
    """``{application id: {district id, …}}``: the innovation districts each application
    concerns, as its kind says (``KindSpec.districts_lookup``: a municipality's commune's
    districts, a project's wished districts). One query per kind."""
    districts = defaultdict(set)
    for spec in specs():
        if not spec.districts_lookup:
            continue
        rows = Application.objects.filter(pk__in=application_ids, kind=spec.kind)
        for pk, district in rows.values_list("pk", f"{spec.districts_lookup}__pk"):
            if district:
                districts[pk].add(district)
    return districts


def member_may_review(member_districts, application_districts):
    """A member limited to some districts reviews only the applications about one of them."""
    return not member_districts or bool(member_districts & application_districts)


@dataclass
class AssignmentReport:
    created: int = 0
    short: list = field(default_factory=list)  # (reference, members still missing)


def assign_automatically(call, *, by, k=None):
    """Give each application of ``call`` under review (eligible or shortlisted) ``k`` jury
    members who declared no conflict on it (the jury's setting by default).

    Greedy and deterministic: the applications with the fewest possible members go first (then
    by reference); each takes the least-loaded possible members (then the earliest added). A
    member never gets an application they declared a conflict on (they keep that assignment,
    which does not count) nor one outside their districts. Existing assignments are kept, so
    running it again only tops up. Returns an ``AssignmentReport``.
    """
    require("evaluation.run_selection", by)
    k = k or jury_of(call).reviewers_per_application
    with transaction.atomic():
        members = list(
            JuryMember.objects.filter(call=call).prefetch_related("districts").order_by("pk")
        )
        member_districts = {m.pk: {d.pk for d in m.districts.all()} for m in members}
        applications = list(
            Application.objects.filter(call=call, status__in=REVIEWED_STATUSES)
            .order_by("reference")
            .values_list("pk", "reference")
        )
        districts = application_districts([pk for pk, _ref in applications])
        taken = set()
        valid = defaultdict(int)  # non-conflicted assignments per application
        load = defaultdict(int)  # non-conflicted assignments per member
        existing = Assignment.objects.filter(jury_member__call=call).values_list(
            "jury_member_id", "application_id", "conflict__has_conflict"
        )
        for member, application, conflicted in existing:
            taken.add((member, application))
            if not conflicted:
                valid[application] += 1
                load[member] += 1

        def candidates(pk):
            return [
                m.pk
                for m in members
                if (m.pk, pk) not in taken
                and member_may_review(member_districts[m.pk], districts[pk])
            ]

        order = sorted(applications, key=lambda a: (len(candidates(a[0])), a[1]))
        report = AssignmentReport()
        new = []
        for pk, reference in order:
            need = k - valid[pk]
            if need <= 0:
                continue
            chosen = sorted(candidates(pk), key=lambda m: (load[m], m))[:need]
            for member in chosen:
                new.append(Assignment(jury_member_id=member, application_id=pk, automatic=True))
                load[member] += 1
                taken.add((member, pk))
            if len(chosen) < need:
                report.short.append((reference, need - len(chosen)))
        Assignment.objects.bulk_create(new)
        report.created = len(new)
    return report


def assign(application, member, *, by):
    """Assign ``application`` to jury member ``member`` by hand (staff)."""
    require("evaluation.run_selection", by)
    if member.call_id != application.call_id:
        raise EvaluationError(
            _("%(member)s is on the jury of another call."), params={"member": member.user}
        )
    assignment, _created = Assignment.objects.get_or_create(
        jury_member=member, application=application
    )
    return assignment


# --- Declarations of interests ----------------------------------------------------------------


def declare_interests(assignment, *, by, has_conflict, reason="", now=None):
    """Record that ``by`` has (or has not) a conflict of interest on the assigned application.

    A conflict needs a reason and is final; "no conflict" can later become a conflict (the
    member discovers one), never the reverse. From a conflict on, the member no longer sees
    the dossier and their review no longer counts.
    """
    if not allowed("evaluation.declare_interests", by, assignment):
        raise EvaluationError(_("You can no longer declare on this application."))
    reason = (reason or "").strip()
    if has_conflict and not reason:
        raise EvaluationError(
            _("Say briefly why you have a conflict of interest."), code="reason_required"
        )
    now = now or timezone.now()
    declaration = getattr(assignment, "conflict", None)
    if declaration is None:
        declaration = ConflictDeclaration.objects.create(
            assignment=assignment,
            has_conflict=has_conflict,
            reason=reason if has_conflict else "",
            declared_at=now,
        )
    elif has_conflict:
        declaration.has_conflict = True
        declaration.reason = reason
        declaration.declared_at = now
        declaration.save(update_fields=["has_conflict", "reason", "declared_at"])
    assignment.conflict = declaration
    return declaration


# --- Reviews ----------------------------------------------------------------------------------


def criteria_of(call):
    return list(Criterion.objects.filter(call=call).order_by("position", "pk"))


def save_review(
    assignment,
    *,
    by,
    scores,
    overall_opinion="",
    recommendation="",
    abstain=False,
    finalise=False,
    now=None,
):
    """Save ``by``'s review of the assigned application as a draft, or finalise it.

    ``scores``: ``{criterion id: (value or None, comment)}``. Refused outside the scoring
    phase, on a conflicted or someone else's assignment, and once final. A value outside its
    criterion's scale is refused. To finalise, every criterion needs a score and a
    recommendation is required — unless the member abstains. Returns the review.
    """
    if not allowed("evaluation.score", by, assignment):
        if allowed("evaluation.view_dossier", by, assignment):
            raise EvaluationError(
                _("Scoring is not open for this call's jury: your review was not saved."),
                code="phase",
            )
        raise PermissionDenied
    criteria = criteria_of(assignment.application.call)
    errors = {}
    clean = {}
    for criterion in criteria:
        value, comment = scores.get(criterion.pk, (None, ""))
        if value is not None and not 0 <= value <= criterion.scale_max:
            errors[f"score_{criterion.pk}"] = _("Give a score from 0 to %(max)d.") % {
                "max": criterion.scale_max
            }
        elif finalise and not abstain and value is None:
            errors[f"score_{criterion.pk}"] = _("Give a score to finalise the review.")
        clean[criterion.pk] = (value, (comment or "").strip())
    if finalise and not abstain and not recommendation:
        errors["recommendation"] = _("Give a recommendation to finalise the review.")
    if errors:
        raise EvaluationError(errors)
    now = now or timezone.now()
    with transaction.atomic():
        review, _created = Review.objects.select_for_update().get_or_create(assignment=assignment)
        if review.is_final:
            raise EvaluationError(_("This review is final: it can no longer be changed."))
        review.overall_opinion = (overall_opinion or "").strip()
        review.recommendation = recommendation or ""
        review.abstain = bool(abstain)
        fields = ["overall_opinion", "recommendation", "abstain", "updated_at"]
        for criterion in criteria:
            value, comment = clean[criterion.pk]
            Score.objects.update_or_create(
                review=review, criterion=criterion, defaults={"value": value, "comment": comment}
            )
        if finalise:
            review.status = Review.Status.FINAL
            review.finalised_at = now
            review.total = (
                None
                if review.abstain
                else review_total({c.pk: clean[c.pk][0] for c in criteria}, criteria)
            )
            fields += ["status", "finalised_at", "total"]
        review.save(update_fields=fields)
    return review


def refresh_totals(call_id):
    """Compute again the stored total of every final review of the call (after a criterion's
    weight or scale changed)."""
    criteria = list(Criterion.objects.filter(call_id=call_id))
    reviews = list(
        Review.objects.filter(
            assignment__application__call_id=call_id, status=Review.Status.FINAL, abstain=False
        ).prefetch_related("scores")
    )
    for review in reviews:
        values = {s.criterion_id: s.value for s in review.scores.all()}
        if all(values.get(c.pk) is not None for c in criteria):
            review.total = review_total(values, criteria)
        else:
            review.total = None  # a criterion added after it was finalised: not comparable
    Review.objects.bulk_update(reviews, ["total"])


# --- Decisions --------------------------------------------------------------------------------


def decision_applies(outcome, status):
    """True when the transition that applies ``outcome`` at publication leaves ``status``."""
    return status in TRANSITIONS[DECISION_TRANSITIONS[outcome]].sources


def _check_district(application, district):
    """A decision's district is covered by the call and, where applications wish districts,
    one the project wished — unless staff allowed it (pinned there, or any district) on the
    placement."""
    call = application.call
    if not call.districts.filter(pk=district.pk).exists():
        raise EvaluationError(_("This district is not covered by the call."))
    if (
        not takes_placement(call)
        or district.pk in wishes_of(call, [application.pk])[application.pk]
    ):
        return
    placement = Placement.objects.filter(application=application).first()
    if placement and (
        placement.allow_unwished or (placement.pinned and placement.district_id == district.pk)
    ):
        return
    raise EvaluationError(
        _(
            "%(reference)s did not wish %(district)s: allow it on the placement page "
            "(any district, or moved there by hand) first."
        ),
        params={"reference": application.reference, "district": district.name},
    )


def record_decision(application, *, outcome, by, district=None, reason_shared="", now=None):
    """Record (or change) the pending decision on ``application``; invisible to the applicant
    until the call's results are published. ``outcome`` "" removes a pending decision."""
    require("evaluation.run_selection", by)
    call = application.call
    if call.results_published_at:
        raise EvaluationError(
            _("The results of this call are published: its decisions can no longer change.")
        )
    if not outcome:
        Decision.objects.filter(application=application).delete()
        return None
    if outcome not in Decision.Outcome.values:
        raise EvaluationError(_("Unknown decision."))
    if not decision_applies(outcome, application.status):
        raise EvaluationError(
            _("%(reference)s is %(status)s: it cannot be “%(outcome)s”."),
            params={
                "reference": application.reference,
                "status": application.get_status_display().lower(),
                "outcome": Decision.Outcome(outcome).label.lower(),
            },
        )
    if not spec_for(call.kind).decision_needs_district:
        district = None  # e.g. a selected municipality's district is created at publication
    elif district is None and outcome == Decision.Outcome.SELECTED:
        if not takes_placement(call):
            raise EvaluationError(
                _("%(reference)s: choose the innovation district of the selected project."),
                params={"reference": application.reference},
            )
        # else the placement of the laureates proposes one; the publication requires it
    elif district is not None:
        _check_district(application, district)
    decision, _created = Decision.objects.update_or_create(
        application=application,
        defaults={
            "outcome": outcome,
            "district": district,
            "reason_shared": (reason_shared or "").strip(),
            "recorded_by": by,
            "recorded_at": now or timezone.now(),
        },
    )
    return decision

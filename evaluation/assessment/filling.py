"""Filling the 2026 assessment: what each party's pages do with the domain.

- the assessments a user fills, with the party or parties they fill, for the list of
  ``bilan/`` (the user's memberships read once, whatever the number of assessments);
- saving a side (its grid, the protocol and the outcome of the experimenter, the comment on
  the protocol of the others) and the evidence of the protocol;
- the programme questionnaire of the municipalities and organisations concerned by a
  campaign: who answers it, saving and submitting it once before the close.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from qmi.models import Applicant, Membership
from qmi.uploads import delete_stored, keep_in_slot

from ..models import (
    Assessment,
    AssessmentCampaign,
    AssessmentSide,
    Evidence,
    Party,
    ProgrammeFeedback,
)
from .campaign import closes_at_for, is_open_for
from .grid import check_editable
from .parties import PartyFinder, assessments_of, parties_of

MAX_EVIDENCE = 10
FEEDBACK_RATINGS = ("support", "training", "network")
FEEDBACK_TEXTS = ("worked_well", "to_change")

RELATED = (
    "campaign",
    "experimentation__application__applicant",
    "experimentation__application__project",
    "experimentation__district__commune",
)


def with_parts(queryset):
    """``queryset`` of assessments with what their pages read, in a fixed number of queries."""
    return queryset.select_related(*RELATED).prefetch_related("sides", "extensions")


def assessment_for_page(pk):
    return with_parts(Assessment.objects.filter(pk=pk)).first()


@dataclass
class Mine:
    """An assessment of the list ``bilan/``: the parties the user fills, each with its side
    and its close."""

    assessment: Assessment
    parties: list

    @property
    def rows(self):
        sides = {s.party: s for s in self.assessment.sides.all()}
        return [
            {
                "party": Party(party),
                "side": sides.get(party),
                "closes_at": closes_at_for(self.assessment, party),
                "open": is_open_for(self.assessment, party),
            }
            for party in self.parties
        ]


def assessments_filled_by(user):
    """The assessments ``user`` fills a side of, in campaigns that have opened, newest first."""
    return with_parts(assessments_of(user).filter(campaign__opens_at__lte=timezone.now())).order_by(
        "-campaign__opens_at", "experimentation__district__name", "pk"
    )


def mine(user, assessments):
    finder = PartyFinder(user)
    return [Mine(a, finder(a)) for a in assessments]


def open_to_fill(user, now=None):
    """What ``user`` still has to submit among the assessments open now (the dashboard)."""
    now = now or timezone.now()
    open_now = Q(campaign__closes_at__gte=now) | Q(extensions__closes_at__gte=now)
    assessments = list(assessments_filled_by(user).filter(open_now).distinct())
    if not assessments:  # most users, most of the year: one query
        return []
    rows = []
    for item in mine(user, assessments):
        for row in item.rows:  # open: up to the party's close, an extension included
            if row["open"] and not (row["side"] and row["side"].is_submitted):
                rows.append({"assessment": item.assessment, **row})
    return rows


# --- A side ----------------------------------------------------------------------------------


def editable_reason(side, now=None):
    """Why ``side`` can no longer change, or "" while it can."""
    try:
        check_editable(side, now)
    except PermissionDenied as denied:
        return str(denied)
    return ""


def save_side(side, form):
    """Save what a valid form of ``side`` holds (the grid, the protocol, the outcome, the
    comment) in one transaction; the side's "last saved" moves."""
    check_editable(side)
    with transaction.atomic():
        form.save()
        AssessmentSide.objects.filter(pk=side.pk).update(updated_at=timezone.now())


def add_evidence(assessment, uploaded, *, by):
    """Check and keep a file proving the protocol (a PDF or an image), 10 at most."""
    head = uploaded.read(1024)
    uploaded.seek(0)
    kind = "pdf" if b"%PDF-" in head else "image"
    try:
        return keep_in_slot(
            Evidence(assessment=assessment, uploaded_by=by),
            uploaded,
            kind=kind,
            siblings=assessment.evidence.all(),
            max_files=MAX_EVIDENCE,
            replace=False,
        )
    except ValidationError as error:
        if error.code == "not_image":
            raise ValidationError(
                _("Only PDF documents and PNG or JPEG images are accepted."), code="not_evidence"
            ) from error
        raise


def remove_evidence(evidence):
    delete_stored(evidence)


def reads_evidence(user, assessment):
    """The assessment's parties and staff read its evidence."""
    return user.is_authenticated and (user.is_staff or bool(parties_of(user, assessment)))


# --- The programme questionnaire -----------------------------------------------------------


def _concerned_pairs(user, campaign=None):
    """``{(campaign id, applicant id)}``: the user's applicants concerned by a campaign (an
    organisation whose project is assessed, a municipality hosting an assessed one)."""
    confirmed = list(
        Membership.objects.confirmed()
        .filter(user=user)
        .values_list("applicant_id", "applicant__commune")
    )
    if not confirmed:
        return set()
    applicants = {a for a, _c in confirmed}
    by_commune = {c: a for a, c in confirmed if c}
    assessments = Assessment.objects.filter(
        Q(experimentation__application__applicant__in=applicants)
        | Q(experimentation__district__commune__in=list(by_commune))
    )
    if campaign is not None:
        assessments = assessments.filter(campaign=campaign)
    pairs = set()
    for campaign_id, applicant_id, commune_id in assessments.values_list(
        "campaign_id",
        "experimentation__application__applicant_id",
        "experimentation__district__commune_id",
    ).distinct():
        if applicant_id in applicants:
            pairs.add((campaign_id, applicant_id))
        if commune_id in by_commune:
            pairs.add((campaign_id, by_commune[commune_id]))
    return pairs


def questionnaires_of(user):
    """The programme questionnaires ``user``'s applicants answer: ``[(campaign, applicant,
    feedback or None)]``, in campaigns that have opened."""
    pairs = _concerned_pairs(user)
    if not pairs:
        return []
    campaigns = {
        c.pk: c
        for c in AssessmentCampaign.objects.filter(
            pk__in={c for c, _a in pairs}, opens_at__lte=timezone.now()
        )
    }
    applicants = Applicant.objects.in_bulk({a for _c, a in pairs})
    feedback = {
        (f.campaign_id, f.applicant_id): f
        for f in ProgrammeFeedback.objects.filter(
            campaign__in=list(campaigns), applicant__in=list(applicants)
        )
    }
    rows = [(campaigns[c], applicants[a], feedback.get((c, a))) for c, a in pairs if c in campaigns]
    return sorted(rows, key=lambda r: (-r[0].opens_at.timestamp(), r[1].name))


def concerned_applicants(user, campaign):
    """The user's applicants concerned by ``campaign``, by name."""
    pairs = _concerned_pairs(user, campaign)
    return list(Applicant.objects.filter(pk__in={a for _c, a in pairs}).order_by("name"))


def feedback_for(campaign, applicant):
    """The questionnaire of ``applicant`` for ``campaign`` (created empty the first time)."""
    feedback, _created = ProgrammeFeedback.objects.select_related(
        "campaign", "applicant"
    ).get_or_create(campaign=campaign, applicant=applicant)
    return feedback


def check_feedback_editable(feedback, now=None):
    now = now or timezone.now()
    if feedback.submitted_at:
        raise PermissionDenied(_("This questionnaire was submitted: it no longer changes."))
    if now < feedback.campaign.opens_at:
        raise PermissionDenied(_("The assessment has not opened yet."))
    if feedback.campaign.is_closed(now):
        raise PermissionDenied(_("The assessment is closed: the questionnaire no longer changes."))


def save_feedback(feedback, form):
    check_feedback_editable(feedback)
    form.save()


def submit_feedback(feedback, *, by, now=None):
    """Submit the questionnaire once, before the campaign's close; a rating may be "not
    concerned" (empty), but at least one thing must be answered."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            ProgrammeFeedback.objects.select_for_update()
            .select_related("campaign")
            .get(pk=feedback.pk)
        )
        check_feedback_editable(locked, now)
        answered = [n for n in FEEDBACK_RATINGS if getattr(locked, n) is not None] + [
            n for n in FEEDBACK_TEXTS if getattr(locked, n).strip()
        ]
        if not answered:
            raise ValidationError(
                _("Answer at least one question before submitting the questionnaire.")
            )
        locked.submitted_at = now
        locked.submitted_by = by
        locked.save(update_fields=["submitted_at", "submitted_by", "updated_at"])
    return locked

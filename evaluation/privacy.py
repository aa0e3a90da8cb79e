"""What ``evaluation`` holds about a person (``qmi.privacy``): their jury seats, declarations of
interests and reviews, the assessment sides and questionnaires they submitted. A jury member
does not delete their own account: the reviews of a selection are part of its record, so
Paris&Co closes it. Registered from ``EvaluationConfig.ready``."""

from django.conf import settings
from django.utils.translation import gettext as _

from .models import AssessmentSide, JuryMember, ProgrammeFeedback, Review


def jury_of(user):
    seats = (
        JuryMember.objects.filter(user=user).select_related("call").prefetch_related("districts")
    )
    reviews = (
        Review.objects.filter(assignment__jury_member__user=user)
        .select_related("assignment__application")
        .prefetch_related("scores__criterion")
        .order_by("created_at", "pk")
    )
    return {
        "seats": [
            {
                "call": seat.call.title,
                "districts": [d.name for d in seat.districts.all()],
                "added_at": seat.added_at,
            }
            for seat in seats
        ],
        "reviews": [
            {
                "application": review.assignment.application.reference,
                "status": review.status,
                "recommendation": review.recommendation,
                "abstain": review.abstain,
                "overall_opinion": review.overall_opinion,
                "scores": {s.criterion.label: s.value for s in review.scores.all()},
                "finalised_at": review.finalised_at,
            }
            for review in reviews
        ],
    }


def assessment_of(user):
    sides = AssessmentSide.objects.filter(submitted_by=user).order_by("submitted_at", "pk")
    feedback = ProgrammeFeedback.objects.filter(submitted_by=user).order_by("submitted_at", "pk")
    return {
        "sides_submitted": [
            {"party": s.party, "protocol_comment": s.protocol_comment, "at": s.submitted_at}
            for s in sides
        ],
        "questionnaires_submitted": [
            {"worked_well": f.worked_well, "to_change": f.to_change, "at": f.submitted_at}
            for f in feedback
        ],
    }


def refusal(user):
    if JuryMember.objects.filter(user=user).exists():
        return _(
            "You sit on a jury: its reviews are part of the selection's record, so Paris&Co "
            "closes your account. Write to %(email)s."
        ) % {"email": settings.PRIVACY_DPO_EMAIL}
    return ""


def data_of(user):
    return {"jury": jury_of(user), "assessment": assessment_of(user)}

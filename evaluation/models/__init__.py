"""The selection's models: the jury and its reviews, the decisions (``selection``), and the
placement of a call's laureates in its innovation districts (``placement``); the 2026
assessment: its campaign and grid (``campaign``), each experimentation's assessment
(``assessment``)."""

from .assessment import (
    Assessment,
    AssessmentExtension,
    AssessmentReminder,
    AssessmentSide,
    Evidence,
    GridAnswer,
    Outcome,
    Party,
    ProgrammeFeedback,
    ProtocolIndicator,
)
from .campaign import AssessmentCampaign, GridAxis, GridCriterion, PublicChart
from .notices import DecisionNotice
from .placement import Placement
from .selection import (
    Assignment,
    AssignmentQuerySet,
    CallJury,
    ConflictDeclaration,
    Criterion,
    Decision,
    JuryMember,
    JuryMemberQuerySet,
    Phase,
    Recommendation,
    Review,
    ReviewQuerySet,
    Score,
)

__all__ = [
    "Assessment",
    "AssessmentCampaign",
    "AssessmentExtension",
    "AssessmentReminder",
    "AssessmentSide",
    "Evidence",
    "GridAnswer",
    "GridAxis",
    "GridCriterion",
    "Outcome",
    "Party",
    "ProgrammeFeedback",
    "ProtocolIndicator",
    "PublicChart",
    "DecisionNotice",
    "Assignment",
    "AssignmentQuerySet",
    "CallJury",
    "ConflictDeclaration",
    "Criterion",
    "Decision",
    "JuryMember",
    "JuryMemberQuerySet",
    "Phase",
    "Placement",
    "Recommendation",
    "Review",
    "ReviewQuerySet",
    "Score",
]

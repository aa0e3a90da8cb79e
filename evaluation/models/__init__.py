"""The selection's models: the jury and its reviews, the decisions (``selection``), and the
placement of a call's laureates in its innovation districts (``placement``)."""

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

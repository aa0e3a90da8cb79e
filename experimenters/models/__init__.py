"""The experimenters' models: organisations and their project applications (``projects``),
the experimentations of the selected projects (``experimentation``)."""

from .experimentation import (
    AgreementDocument,
    Experimentation,
    ExperimentationStatus,
    ExperimentationStatusChange,
    Message,
    MessageRead,
    ProgrammeSettings,
)
from .projects import (
    FRANCE_AND_OVERSEAS,
    MAX_DURATION_MONTHS,
    MAX_IMAGES,
    DistrictWish,
    Maturity,
    Organisation,
    ProjectApplication,
    ProjectEnvelope,
    ProjectEnvelopeManager,
    ScreeningStage,
    StructureType,
    TeamMember,
)

__all__ = [
    "FRANCE_AND_OVERSEAS",
    "MAX_DURATION_MONTHS",
    "MAX_IMAGES",
    "AgreementDocument",
    "DistrictWish",
    "Experimentation",
    "ExperimentationStatus",
    "ExperimentationStatusChange",
    "Maturity",
    "Message",
    "MessageRead",
    "Organisation",
    "ProgrammeSettings",
    "ProjectApplication",
    "ProjectEnvelope",
    "ProjectEnvelopeManager",
    "ScreeningStage",
    "StructureType",
    "TeamMember",
]

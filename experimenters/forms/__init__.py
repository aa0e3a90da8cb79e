"""Forms of the experimenter side: the organisation profile, the eligibility screening and the
project application with its wished districts and team."""

from .organisation import OrganisationForm
from .project import ProjectApplicationForm
from .screening import ScreeningForm

__all__ = ["OrganisationForm", "ProjectApplicationForm", "ScreeningForm"]

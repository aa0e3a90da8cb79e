"""Forms of the experimenter side: the organisation profile, the eligibility screening and the
project application with its wished districts and team, the report of an experimentation."""

from .organisation import OrganisationForm
from .project import ProjectApplicationForm
from .report import ReportForm
from .screening import ScreeningForm

__all__ = ["OrganisationForm", "ProjectApplicationForm", "ReportForm", "ScreeningForm"]

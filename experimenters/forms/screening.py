"""The eligibility screening asked before a project starts."""

from django import forms
from django.utils.translation import gettext_lazy as _

from calls.models import UrbanChallenge
from qmi.models import Applicant

from .. import services
from ..models import (
    Organisation,
    ScreeningStage,
    StructureType,
)
from .common import ANSWER_REQUIRED, YES_NO, _yes  # noqa: F401


class ScreeningForm(forms.Form):
    """The short eligibility screening asked before a project application is started."""

    NOT_ELIGIBLE_STRUCTURES = [
        ("large-company", _("A large company (250 people or more)")),
        ("public-body", _("A public body or a local authority")),
    ]

    applicant = forms.ModelChoiceField(
        label=_("For which organisation do you apply?"),
        queryset=Applicant.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of your organisations.")},
    )
    structure_type = forms.ChoiceField(
        label=_("Which best describes your structure?"),
        choices=[*StructureType.choices, *NOT_ELIGIBLE_STRUCTURES],
        widget=forms.RadioSelect,
        error_messages=ANSWER_REQUIRED,
    )
    stage = forms.ChoiceField(
        label=_("Where is your solution today?"),
        choices=ScreeningStage.choices,
        widget=forms.RadioSelect,
        error_messages=ANSWER_REQUIRED,
    )
    commercialised = forms.TypedChoiceField(
        label=_("Is the solution already sold or marketed?"),
        choices=YES_NO,
        coerce=_yes,
        widget=forms.RadioSelect,
        error_messages=ANSWER_REQUIRED,
    )
    challenges = forms.ModelMultipleChoiceField(
        label=_("Which urban challenges does your project address?"),
        queryset=UrbanChallenge.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Tick every challenge that applies. Leave them all unticked if none does."),
    )
    can_deploy = forms.TypedChoiceField(
        label=_(
            "Can your organisation deploy the solution in Île-de-France during the whole "
            "experimentation (up to 18 months)?"
        ),
        choices=YES_NO,
        coerce=_yes,
        widget=forms.RadioSelect,
        error_messages=ANSWER_REQUIRED,
    )

    def __init__(self, data=None, *, applicants, **kwargs):
        super().__init__(data, **kwargs)
        applicants = list(applicants)
        field = self.fields["applicant"]
        field.queryset = Applicant.objects.filter(pk__in=[a.pk for a in applicants]).order_by(
            "name"
        )
        if len(applicants) == 1:
            field.widget = forms.HiddenInput()
            self.initial["applicant"] = applicants[0].pk
            self.single_applicant = applicants[0]
            organisation = Organisation.objects.filter(applicant=applicants[0]).first()
            if organisation:
                self.initial["structure_type"] = organisation.structure_type
        else:
            self.single_applicant = None

    def screen(self):
        """The reasons the answers do not qualify (empty when they do)."""
        return services.screen(self.cleaned_data)

    def initial_content(self):
        """The first values of the project application started after this screening."""
        return services.initial_content(self.cleaned_data)

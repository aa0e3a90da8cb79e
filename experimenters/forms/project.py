"""The project application, one section per page, with its wished districts and its team."""

from django import forms
from django.utils.translation import gettext_lazy as _

from calls.interfaces.forms import ApplicationContentForm, challenges_field
from calls.interfaces.formsets import PostedRowsFormSet
from calls.models.call import district_model

from ..models import (
    DistrictWish,
    Maturity,
    ProjectApplication,
    TeamMember,
)
from .common import ANSWER_REQUIRED, YES_NO, _yes  # noqa: F401


def _district_label(district):
    if district.commune.name in district.name:
        return district.name
    return f"{district.name} — {district.commune.name}"


class WishForm(forms.Form):
    district = forms.ModelChoiceField(
        label=_("Innovation district"),
        queryset=district_model().objects.none(),
        required=False,
        empty_label=_("— No district —"),
        error_messages={"invalid_choice": _("This district is not covered by this call.")},
    )
    reason = forms.CharField(
        label=_("Why this district fits your project"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, districts, **kwargs):
        """``districts``: the districts the call covers, loaded once for every row."""
        super().__init__(*args, **kwargs)
        field = self.fields["district"]
        field.queryset = district_model().objects.filter(pk__in=[d.pk for d in districts])
        # Rendered from the loaded list: no query per row.
        field.choices = [("", field.empty_label), *((d.pk, _district_label(d)) for d in districts)]


def _text(form, name):
    return (form.cleaned_data.get(name) or "").strip()


class BaseWishFormSet(PostedRowsFormSet):
    """The wished districts in order of preference: the first row is the first choice."""

    label = _("Wished districts")
    related_name = "wishes"

    def clean(self):
        seen = set()
        for form in self.forms:
            if "district" in form.errors:
                continue
            district = form.cleaned_data.get("district")
            if district is None:
                if _text(form, "reason"):
                    form.add_error("district", _("Choose the district this reason is about."))
                continue
            if district.pk in seen:
                form.add_error("district", _("This district is already chosen above."))
            seen.add(district.pk)

    def rows(self, project):
        chosen = [form for form in self.forms if form.cleaned_data.get("district")]
        return [
            DistrictWish(
                project=project,
                district=form.cleaned_data["district"],
                rank=rank,
                reason=_text(form, "reason"),
            )
            for rank, form in enumerate(chosen, start=1)
        ]


class TeamMemberForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150, required=False)
    role = forms.CharField(label=_("Role in the project"), max_length=200, required=False)


class BaseTeamFormSet(PostedRowsFormSet):
    label = _("Team")
    related_name = "team"

    def clean(self):
        for form in self.forms:
            if "name" in form.errors:
                continue
            if not _text(form, "name") and _text(form, "role"):
                form.add_error("name", _("Give the name of this team member."))

    def rows(self, project):
        named = [form for form in self.forms if _text(form, "name")]
        return [
            TeamMember(
                project=project,
                name=_text(form, "name"),
                role=_text(form, "role"),
                position=position,
            )
            for position, form in enumerate(named)
        ]


MAX_TEAM = 20
TEAM_EMPTY_ROWS = 2


class ProjectApplicationForm(ApplicationContentForm):
    """The draft form of a project, in six steps. The wished districts and the team are
    formsets owned by the form: validated in ``full_clean``, saved in ``save``, kept only in
    their step by ``limit_to``, so the generic views need not know about them."""

    REQUIRED_TO_SUBMIT = frozenset(
        (
            *ProjectApplication.REQUIRED_FIELDS,
            "challenges",
            "wishes",
            "team",
            ProjectApplication.PITCH_DECK,
        )
    )

    SECTIONS = (
        (
            "project",
            _("The project"),
            ("title", "pitch", "problem", "solution", "innovation", "maturity"),
        ),
        ("districts", _("Urban challenges and wished districts"), ("challenges", "wishes")),
        (
            "deployment",
            _("Deployment"),
            (*ProjectApplication.NEEDS, "deployment_details", "duration_months"),
        ),
        ("impact", _("Expected impacts"), ("expected_impacts", "impact_measurement")),
        ("budget_team", _("Budget and team"), ("budget", "funding", "references", "team")),
        ("attachments", _("Attachments"), ("pitch_deck", "images", "video_url")),
    )

    challenges = challenges_field()
    maturity = forms.ChoiceField(
        label=_("Maturity of the solution"),
        choices=Maturity.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text=_("Where the prototype is today, on a scale from the lab to a pre-series."),
    )
    pitch_deck = forms.FileField(
        label=_("Pitch deck"),
        required=False,
        help_text=_("PDF only, 10 MB at most. A new file replaces the previous one."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    video_url = ProjectApplication._meta.get_field("video_url").formfield(
        assume_scheme="https", widget=forms.URLInput(attrs={"placeholder": "https://"})
    )
    images = forms.FileField(
        label=_("Add an image"),
        required=False,
        help_text=_("Optional. PNG or JPEG, 10 MB at most, up to 5 images added one at a time."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )

    class Meta:
        model = ProjectApplication
        fields = [
            "title",
            "pitch",
            "problem",
            "solution",
            "innovation",
            "maturity",
            "challenges",
            *ProjectApplication.NEEDS,
            "deployment_details",
            "duration_months",
            "expected_impacts",
            "impact_measurement",
            "budget",
            "funding",
            "references",
            "video_url",
        ]
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 5}),
            "solution": forms.Textarea(attrs={"rows": 5}),
            "innovation": forms.Textarea(attrs={"rows": 4}),
            "deployment_details": forms.Textarea(attrs={"rows": 4}),
            "expected_impacts": forms.Textarea(attrs={"rows": 5}),
            "impact_measurement": forms.Textarea(attrs={"rows": 5}),
            "funding": forms.Textarea(attrs={"rows": 4}),
            "references": forms.Textarea(attrs={"rows": 4}),
            "duration_months": forms.NumberInput(attrs={"min": 1, "max": 18}),
            "budget": forms.NumberInput(attrs={"min": 0, "step": "0.01"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.formsets = {"wishes": self._wish_formset(), "team": self._team_formset()}

    def _wish_formset(self):
        project = self.instance
        districts = list(
            district_model()
            .objects.published()
            .filter(calls=project.application.call_id)
            .select_related("commune")
            .order_by("name")
        )
        count = max(len(districts), 1)
        initial = (
            []
            if self.is_bound
            else [{"district": w.district_id, "reason": w.reason} for w in project.wishes.all()][
                :count
            ]
        )
        return self.make_formset(
            WishForm,
            BaseWishFormSet,
            "wishes",
            initial,
            extra=count - len(initial),
            max_num=count,
            form_kwargs={"districts": districts},
        )

    def _team_formset(self):
        initial = (
            []
            if self.is_bound
            else [{"name": m.name, "role": m.role} for m in self.instance.team.all()]
        )
        return self.make_formset(
            TeamMemberForm,
            BaseTeamFormSet,
            "team",
            initial,
            extra=min(TEAM_EMPTY_ROWS + (0 if initial else 1), MAX_TEAM - len(initial)),
            max_num=MAX_TEAM,
        )

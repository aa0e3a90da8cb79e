"""Forms of the experimenter side: the organisation profile, the eligibility screening and the
project application with its wished districts and team."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms import BaseFormSet, formset_factory
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from calls.interfaces.forms import ApplicationContentForm, challenges_field
from calls.models import UrbanChallenge
from calls.models.call import district_model
from qmi.models import Applicant

from . import services
from .models import (
    FRANCE_AND_OVERSEAS,
    DistrictWish,
    Maturity,
    Organisation,
    ProjectApplication,
    ScreeningStage,
    StructureType,
    TeamMember,
)
from .validators import normalize_siret

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
ANSWER_REQUIRED = {"required": _("Answer this question.")}


def _yes(value):
    return value == "yes"


class OrganisationForm(forms.ModelForm):
    """The profile of an organisation. A French one gives its SIRET; a foreign one its country
    and national registration number.

    The page shows both blocks; a small script (static/js/organisation_form.js) hides the one
    that does not apply. Whatever is posted, ``clean`` keeps only the block chosen with
    ``is_foreign``: the other block's values and errors are dropped.
    """

    FRENCH_COUNTRY_ERROR = _(
        "An organisation established in France, overseas included, is identified by its "
        "SIRET: choose “In France” above."
    )

    is_foreign = forms.TypedChoiceField(
        label=_("Where is the organisation established?"),
        choices=[
            ("no", _("In France: it has a SIRET")),
            ("yes", _("Outside France: it is registered in another country")),
        ],
        coerce=_yes,
        widget=forms.RadioSelect,
        initial="no",
        error_messages=ANSWER_REQUIRED,
    )
    structure_type = forms.ChoiceField(
        label=capfirst(Organisation._meta.get_field("structure_type").verbose_name),
        choices=StructureType.choices,
        widget=forms.RadioSelect,
        error_messages=ANSWER_REQUIRED,
    )
    siret = forms.CharField(
        label=Organisation._meta.get_field("siret").verbose_name,
        max_length=30,  # spaces and dots are allowed when typed; the model keeps 14 digits
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    website = Organisation._meta.get_field("website").formfield(
        assume_scheme="https", widget=forms.URLInput(attrs={"placeholder": "https://"})
    )

    class Meta:
        model = Organisation
        fields = [
            "legal_name",
            "structure_type",
            "is_foreign",
            "siret",
            "country",
            "registration_number",
            "created_on",
            "headcount",
            "address",
            "postal_code",
            "city",
            "website",
            "description",
        ]
        widgets = {
            "created_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "country": _("Only for an organisation established outside France."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["is_foreign"] = "yes" if self.instance.is_foreign else "no"
        country = self.fields["country"]
        country.required = False
        country.choices = [("", _("— Choose the country —"))] + [
            (code, name)
            for code, name in country.choices
            if code and code not in FRANCE_AND_OVERSEAS
        ]
        if not self.instance.is_foreign:
            # The model's default (France) is no foreign country: nothing is chosen yet.
            self.initial["country"] = ""
        self.fields["siret"].help_text = _(
            "Only for an organisation established in France: 14 digits, on your Kbis extract "
            "or your INSEE registration notice. Spaces are accepted."
        )
        self.fields["registration_number"].help_text = _(
            "Only for an organisation established outside France: its number in the company "
            "or association register of its country (e.g. the BCE/KBO number in Belgium)."
        )

    def clean_siret(self):
        return normalize_siret(self.cleaned_data.get("siret")) or None

    def clean(self):
        cleaned = super().clean()
        foreign = cleaned.get("is_foreign")
        if foreign is None:
            return cleaned
        if foreign:
            cleaned["siret"] = None
            self._errors.pop("siret", None)
            posted_country = (self.data.get(self.add_prefix("country")) or "").strip().upper()
            if posted_country in FRANCE_AND_OVERSEAS:
                # Not offered in the list: a forged or stale value gets a clear reason.
                self._errors.pop("country", None)
                cleaned.pop("country", None)
                self.add_error("country", self.FRENCH_COUNTRY_ERROR)
            elif not cleaned.get("country") and "country" not in self._errors:
                self.add_error("country", _("Choose the country where it is registered."))
            if not (cleaned.get("registration_number") or "").strip():
                self.add_error(
                    "registration_number",
                    _("Give the registration number of the organisation in its country."),
                )
        else:
            self._errors.pop("country", None)
            self._errors.pop("registration_number", None)
            cleaned["country"] = "FR"
            cleaned["registration_number"] = ""
            if not cleaned.get("siret") and "siret" not in self.errors:
                self.add_error("siret", _("Give the SIRET of the organisation (14 digits)."))
        return cleaned

    def profile_data(self):
        return {name: self.cleaned_data[name] for name in self._meta.fields}


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


class PostedRowsFormSet(BaseFormSet):
    """A formset saved as a whole list: what the user posted is exactly what is saved.

    The page autosaves without reloading, so its management form goes stale: a row added
    and saved since the page was loaded is still posted as an "extra" row. Every posted row
    is therefore cleaned, whatever ``INITIAL_FORMS`` says (no "unchanged extra row" is
    skipped), and a bound formset has no ``initial``: the rows in the database are not what
    the posted rows are compared with. A row left entirely empty is ignored by ``rows``.
    """

    label = ""
    related_name = ""  # the rows of the project the posted rows replace

    def _construct_form(self, i, **kwargs):
        if self.is_bound:
            kwargs.setdefault("empty_permitted", False)
        return super()._construct_form(i, **kwargs)

    def rows(self, project):
        """The unsaved rows of ``project`` posted, in the order posted."""
        raise NotImplementedError

    def save_to(self, project):
        related = getattr(project, self.related_name)
        related.all().delete()
        related.model.objects.bulk_create(self.rows(project))


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
        self.formset_messages = {}

    def _formset(self, form, formset, prefix, initial, *, extra, max_num, **kwargs):
        """A formset of rows of the project. ``initial``: the rows in the database, for an
        unbound form only; bound, the posted rows are the whole list (see
        ``PostedRowsFormSet``), not changes to the rows in the database."""
        formset_class = formset_factory(
            form,
            formset=formset,
            extra=extra,
            max_num=max_num,
            absolute_max=max_num,
            validate_max=True,
        )
        return formset_class(
            self.data if self.is_bound else None, initial=initial, prefix=prefix, **kwargs
        )

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
        return self._formset(
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
        return self._formset(
            TeamMemberForm,
            BaseTeamFormSet,
            "team",
            initial,
            extra=min(TEAM_EMPTY_ROWS + (0 if initial else 1), MAX_TEAM - len(initial)),
            max_num=MAX_TEAM,
        )

    @property
    def formsets_by_section(self):
        """``{section key: [formset, …]}`` for the template."""
        return {key: self.extra_section_content(key) or [] for key in self.section_keys()}

    def extra_section_content(self, key):
        """The formsets of section ``key`` (None when it has none)."""
        names = self.fields_of(key)
        return [formset for prefix, formset in self.formsets.items() if prefix in names] or None

    def limit_to(self, names):
        super().limit_to(names)
        self.formsets = {p: fs for p, fs in self.formsets.items() if p in names}

    def full_clean(self):
        super().full_clean()
        if not self.is_bound:
            return
        for formset in self.formsets.values():
            if formset.is_valid():
                continue
            for form in formset.forms:
                for name, errors in form.errors.items():
                    key = form.prefix if name == NON_FIELD_ERRORS else form.add_prefix(name)
                    self._errors[key] = errors
            problems = [str(m) for m in formset.non_form_errors()]
            if any(form.errors for form in formset.forms):
                problems.insert(0, str(_("Correct the rows marked below.")))
            self._add_formset_message(formset, problems)

    def _add_formset_message(self, formset, messages):
        """Show ``messages`` next to the formset and, labelled, in the summary at the top."""
        errors = self._errors.setdefault(
            NON_FIELD_ERRORS, self.error_class(error_class="nonfield", renderer=self.renderer)
        )
        for message in messages:
            errors.append(f"{formset.label}: {message}")
        self.formset_messages.setdefault(formset.prefix, []).extend(str(m) for m in messages)

    def show_missing(self, missing):
        super().show_missing(missing)
        for name, message in missing:
            if name in self.formsets:
                self._add_formset_message(self.formsets[name], [message])

    def save(self, commit=True):
        project = super().save(commit=commit)
        for formset in self.formsets.values():
            formset.save_to(project)
        return project

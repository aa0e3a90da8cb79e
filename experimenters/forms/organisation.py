"""The organisation profile: identity, SIRET or foreign registration, address."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ..models import (
    FRANCE_AND_OVERSEAS,
    Organisation,
    StructureType,
)
from ..validators import normalize_siret
from .common import ANSWER_REQUIRED, YES_NO, _yes  # noqa: F401


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

"""Forms of the municipality side: asking to act for a commune, and the application."""

import unicodedata

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from calls.interfaces.forms import ApplicationContentForm, challenges_field

from .models import Commune, KeyArea, MunicipalityApplication


def french_sort_key(text):
    """Sort key of a name the way a French reader expects: accents, case and hyphens do not
    count first ("Châtenay-Malabry" before "Choisy-le-Roi", "Épinay-sur-Seine" among the E),
    then break ties on the accents so the order is stable."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = "".join(c if c.isalnum() else " " for c in bare.casefold()).split()
    return (words, text.casefold())


class FrenchSortedModelChoiceIterator(ModelChoiceIterator):
    """The choices of a ``ModelChoiceField`` ordered in Python with ``french_sort_key``:
    SQLite sorts by code point, so "É" came after "Z". For short lists (130 communes)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        queryset = self.queryset
        if not queryset._prefetch_related_lookups:
            queryset = queryset.iterator()
        objects = sorted(
            queryset, key=lambda obj: french_sort_key(str(self.field.label_from_instance(obj)))
        )
        for obj in objects:
            yield self.choice(obj)


class FrenchSortedModelChoiceField(forms.ModelChoiceField):
    iterator = FrenchSortedModelChoiceIterator


class JoinMunicipalityForm(forms.Form):
    commune = FrenchSortedModelChoiceField(
        label=_("Municipality"),
        queryset=Commune.objects.all(),
        empty_label=_("Choose your municipality"),
        help_text=_("Only the 130 member communes of the Métropole du Grand Paris can apply."),
        error_messages={
            "invalid_choice": _(
                "This municipality is not a member of the Métropole du Grand Paris: "
                "only member communes can apply."
            )
        },
    )
    job_title = forms.CharField(
        label=_("Your position"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),  # WCAG 1.3.5
    )
    note = forms.CharField(
        label=_("Anything Paris&Co should know to confirm your request"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MunicipalityApplicationForm(ApplicationContentForm):
    """The draft form: every field may stay empty until submission, but what is typed must
    be well-formed (an e-mail address, a phone number, a number)."""

    SECTIONS = (
        (
            "district",
            _("The proposed innovation district"),
            ("district_name", "key_area", "location", "inhabitants", "current_projects"),
        ),
        ("challenges", _("Urban challenges and motivation"), ("challenges", "local_stakes")),
        ("offer", _("What the municipality offers experimenters"), ("offer",)),
        ("commitments", _("Commitments"), MunicipalityApplication.COMMITMENTS),
        (
            "elected",
            _("Elected official in charge"),
            ("elected_name", "elected_role", "elected_email", "elected_phone"),
        ),
        (
            "referent",
            _("Technical referent"),
            ("referent_name", "referent_role", "referent_email", "referent_phone"),
        ),
        ("documents", _("Council deliberation or letter of commitment"), ("deliberation",)),
    )

    REQUIRED_TO_SUBMIT = frozenset(
        (
            *MunicipalityApplication.REQUIRED_FIELDS,
            "challenges",
            *MunicipalityApplication.COMMITMENTS,
            MunicipalityApplication.DELIBERATION,
        )
    )

    challenges = challenges_field()
    key_area = forms.ChoiceField(
        label=_("Key area"),
        choices=KeyArea.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    deliberation = forms.FileField(
        label=_("Council deliberation or letter of commitment"),
        required=False,
        help_text=_("PDF only, 10 MB at most."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    class Meta:
        model = MunicipalityApplication
        exclude = ["application"]
        widgets = {
            "location": forms.Textarea(attrs={"rows": 4}),
            "current_projects": forms.Textarea(attrs={"rows": 4}),
            "local_stakes": forms.Textarea(attrs={"rows": 6}),
            "offer": forms.Textarea(attrs={"rows": 5}),
            "elected_email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "referent_email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "elected_phone": forms.TextInput(attrs={"type": "tel"}),
            "referent_phone": forms.TextInput(attrs={"type": "tel"}),
        }
        # Under the legend of their section ("Elected official in charge", "Technical
        # referent") the contacts keep short labels; the model's verbose names, which the
        # exports and the admin read, say whose contact it is.
        labels = {
            "elected_name": capfirst(_("name")),
            "elected_role": capfirst(_("office")),
            "elected_email": capfirst(_("e-mail address")),
            "elected_phone": capfirst(_("phone")),
            "referent_name": capfirst(_("name")),
            "referent_role": capfirst(_("job title")),
            "referent_email": capfirst(_("e-mail address")),
            "referent_phone": capfirst(_("phone")),
        }

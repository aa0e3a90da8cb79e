"""The "keep me informed" form: who you are, what interests you, your language, your consent."""

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from calls.domain.outreach import CONSENT
from calls.extensions import provided
from calls.models import Contact, UrbanChallenge


class KeepInformedForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("We send a link to confirm it: nothing else before you follow it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    profile = forms.ChoiceField(
        label=_("You are"), choices=Contact.Profile.choices, widget=forms.RadioSelect
    )
    organisation = forms.CharField(
        label=_("Organisation"),
        required=False,
        max_length=255,
        help_text=_("Its name, if you act for one (optional)."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    commune = forms.ChoiceField(
        label=_("Commune"),
        required=False,
        help_text=_("For a municipality: one of the 130 member communes of the Métropole."),
    )
    challenges = forms.ModelMultipleChoiceField(
        label=_("Urban challenges that interest you"),
        queryset=UrbanChallenge.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    language = forms.ChoiceField(
        label=_("Language of the e-mails"),
        choices=Contact.Language.choices,
        widget=forms.RadioSelect,
    )
    consent = forms.BooleanField(label=CONSENT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the language of the page the form is read in, French when it is neither
        page = (get_language() or "fr")[:2]
        self.fields["language"].initial = page if page in Contact.Language.values else "fr"
        choices = provided("communes:choices", default=[]) or []
        self.fields["commune"].choices = [("", _("— Choose the commune —")), *choices]

    def clean(self):
        data = super().clean()
        if data.get("profile") == Contact.Profile.MUNICIPALITY and not data.get("commune"):
            self.add_error("commune", _("Choose your commune among the member communes."))
        return data

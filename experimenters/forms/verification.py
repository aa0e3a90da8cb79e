"""The proof a pending owner sends, and the claim of a company on an organisation registered
by someone else."""

from django import forms
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as NumberError
from stdnum.fr import siret as siret_number


class ProofForm(forms.Form):
    proof = forms.FileField(
        label=_("Proof that you speak for the organisation (PDF)"),
        help_text=_(
            "An extract of the trade register (Kbis) or a SIRENE notice of less than three "
            "months, or a statement signed by its legal representative. 10 MB at most."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )


class ClaimForm(forms.Form):
    siret = forms.CharField(
        label=_("SIRET of the organisation"),
        max_length=20,
        help_text=_("14 digits, spaces allowed."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    job_title = forms.CharField(
        label=_("Your position in the organisation"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    message = forms.CharField(
        label=_("Message to Paris&Co"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Who registered it, as far as you know, and what you ask."),
    )
    proof = forms.FileField(
        label=_("Proof that you speak for the organisation (PDF)"),
        help_text=ProofForm.base_fields["proof"].help_text,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_siret(self):
        value = self.cleaned_data["siret"]
        try:
            return siret_number.validate(value)
        except NumberError:
            raise forms.ValidationError(
                _("This is not a valid SIRET: 14 digits, as on the SIRENE notice."),
                code="invalid",
            ) from None

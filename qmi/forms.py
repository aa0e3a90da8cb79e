from django import forms
from django.utils.translation import gettext_lazy as _


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Colleague's e-mail address"),
        error_messages={"invalid": _("Enter a valid e-mail address, e.g. name@ville.fr.")},
    )

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import User


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Colleague's e-mail address"),
        error_messages={"invalid": _("Enter a valid e-mail address, e.g. name@ville.fr.")},
    )


class SignupForm(forms.Form):
    """What allauth's sign-up form asks on top of the e-mail and password
    (``ACCOUNT_SIGNUP_FORM_CLASS``): the person's name, shown on dossiers and lists."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)

    field_order = ["first_name", "last_name", "email", "password1", "password2"]

    def signup(self, request, user):
        user.first_name = self.cleaned_data["first_name"].strip()
        user.last_name = self.cleaned_data["last_name"].strip()
        user.save(update_fields=["first_name", "last_name"])


class ProfileForm(forms.ModelForm):
    """My name and phone (``/compte/profil/``); the e-mail and password have allauth's pages."""

    class Meta:
        model = User
        fields = ["first_name", "last_name", "phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True

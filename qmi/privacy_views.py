"""My personal data: download it (a ZIP), or delete my account (``qmi.privacy``)."""

from django import forms
from django.conf import settings
from django.contrib.auth import logout
from django.http import FileResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import privacy
from .downloads import private
from .permissions import rule_required


@rule_required("qmi.signed_in")
def download(request):
    """The signed-in user's own data, never anyone else's: there is no key in the address."""
    filename = f"qmi-personal-data-{timezone.localdate():%Y-%m-%d}.zip"
    response = FileResponse(
        privacy.zip_archive(request.user),
        as_attachment=True,
        filename=filename,
        content_type="application/zip",
    )
    return private(response)


class DeletionForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=gettext_lazy("To confirm that it is you."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."))
        return password


@rule_required("qmi.signed_in")
def delete(request):
    """What happens, the password asked again, then the account deleted and the person signed
    out; refused, with why, to staff, jury members and the owner of a team."""
    refusal = privacy.deletion_refusal(request.user)
    form = None if refusal else DeletionForm(request.POST or None, user=request.user)
    if form is not None and request.method == "POST" and form.is_valid():
        privacy.delete_account(request.user)
        logout(request)
        return render(request, "qmi/privacy_deleted.html")
    context = {
        "refusal": refusal,
        "form": form,
        "dpo_email": settings.PRIVACY_DPO_EMAIL,
        "personal_data_url": reverse("qmi:personal_data"),
        **privacy.retention_context(),
    }
    return render(
        request,
        "qmi/privacy_delete.html",
        context,
        status=403 if refusal and request.method == "POST" else 200,
    )

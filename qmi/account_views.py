"""My account: my name and phone; the e-mail and password are changed on allauth's pages,
linked from here; the e-mails I choose to receive (``qmi.preferences``)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from . import preferences
from .forms import ProfileForm
from .permissions import rule_required
from .preference_forms import EmailPreferencesForm


@rule_required("qmi.signed_in")
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your details were saved."))
        return redirect("qmi:profile")
    return render(request, "qmi/profile.html", {"form": form, "privacy_url": reverse("privacy")})


@rule_required("qmi.signed_in")
def email_preferences(request):
    """My own choices, never anyone else's (no key in the address): per topic offered to me,
    immediately, in the daily digest (staff and jury) or never; the mandatory e-mails listed."""
    form = EmailPreferencesForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your choices of e-mails were saved."))
        return redirect("qmi:email_preferences")
    context = {
        "form": form,
        "mandatory": [(label, help) for label, help, _kinds in preferences.MANDATORY],
        "digest_offered": any(
            preferences.Mode.DIGEST in dict(field.choices) for field in form.fields.values()
        ),
    }
    return render(request, "account/email_preferences.html", context)

"""My account: my name and phone; the e-mail and password are changed on allauth's pages,
linked from here."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from .forms import ProfileForm
from .permissions import rule_required


@rule_required("qmi.signed_in")
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your details were saved."))
        return redirect("qmi:profile")
    return render(request, "qmi/profile.html", {"form": form, "privacy_url": reverse("privacy")})

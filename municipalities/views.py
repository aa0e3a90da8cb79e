from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from .forms import JoinMunicipalityForm
from .services import ask_to_act_for


@login_required
def join(request):
    """Ask to act for a member commune."""
    form = JoinMunicipalityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        commune = form.cleaned_data["commune"]
        try:
            ask_to_act_for(
                commune,
                request.user,
                job_title=form.cleaned_data["job_title"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error("commune", error)
        else:
            messages.success(
                request,
                _(
                    "Your request to act for %(name)s is recorded. Paris&Co will confirm it "
                    "shortly; you will receive an e-mail."
                )
                % {"name": commune.name},
            )
            next_url = request.POST.get("next", "")
            if url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
                return redirect(next_url)
            return redirect("dashboard")
    return render(
        request, "municipalities/join.html", {"form": form, "next": request.GET.get("next", "")}
    )

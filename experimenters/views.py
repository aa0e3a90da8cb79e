"""The organisation pages: create one, edit its profile, hand its ownership over. Thin: find
what the user may see (404 otherwise), call a service, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from qmi.http import safe_next
from qmi.models import Membership
from qmi.permissions import Find, rule_required

from . import services
from .forms import OrganisationForm
from .models import Organisation
from .verification_views import verification_context

# The organisation of the URL; each view names its rule (``qmi.rules``): a refusal is a 404.
by_pk = Find(Organisation.objects.select_related("applicant"), "pk")


@rule_required("qmi.signed_in")
def organisation_create(request):
    """Create the profile of an organisation; its creator becomes its owner."""
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.create_organisation(by=request.user, **form.profile_data())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if organisation.applicant.awaits_verification:
                messages.info(
                    request,
                    _(
                        "%(name)s is created and you are its owner, pending verification: you "
                        "can prepare applications now and submit them once Paris&Co has "
                        "verified that you speak for it. Send a proof from its profile page."
                    )
                    % {"name": organisation.legal_name},
                )
                return redirect(safe_next(request) or organisation.get_absolute_url())
            messages.success(
                request,
                _(
                    "%(name)s is created and you are its owner. You can invite colleagues from its "
                    "members page."
                )
                % {"name": organisation.legal_name},
            )
            return redirect(safe_next(request) or "dashboard")
    return render(
        request,
        "experimenters/organisation_form.html",
        {"form": form, "next": safe_next(request), "organisation": None},
        status=400 if form.errors else 200,
    )


@rule_required("qmi.act_for", by_pk)
def organisation_edit(request, organisation):
    """The profile of an organisation, edited by any of its confirmed members."""
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_organisation(organisation, by=request.user, **form.profile_data())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The profile of the organisation is saved."))
            return redirect(organisation.get_absolute_url())
    return render(
        request,
        "experimenters/organisation_form.html",
        {
            "form": form,
            "organisation": organisation,
            "next": "",
            **verification_context(organisation),
        },
        status=400 if form.errors else 200,
    )


@rule_required("qmi.own", by_pk)
def transfer(request, organisation, user_pk):
    """The owner hands the organisation over to a confirmed member (confirm, then POST)."""
    target = get_object_or_404(
        Membership.objects.select_related("user").filter(
            applicant_id=organisation.applicant_id, confirmed_at__isnull=False
        ),
        user_id=user_pk,
    )
    if request.method == "POST":
        try:
            services.transfer_ownership(organisation, to=target.user, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(email)s now owns %(name)s. You remain a member.")
                % {"email": target.user.email, "name": organisation.legal_name},
            )
        return redirect("qmi:members", pk=organisation.applicant_id)
    return render(
        request,
        "experimenters/transfer_confirm.html",
        {"organisation": organisation, "target": target},
    )

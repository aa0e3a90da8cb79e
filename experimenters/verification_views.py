"""The pages of an organisation's verification: the proof its pending owner sends, the claim
of a company on an organisation registered by someone else, and the notice on an application
of an organisation not verified yet."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qmi.permissions import Find, rule_required

from . import verification
from .forms.verification import ClaimForm, ProofForm
from .models import Organisation

by_pk = Find(Organisation.objects.select_related("applicant"), "pk")


@rule_required("qmi.act_for", by_pk)
@require_POST
def organisation_proof(request, organisation):
    """A member sends a proof for staff to verify the organisation."""
    form = ProofForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            with transaction.atomic():
                verification.add_proof(organisation, form.cleaned_data["proof"], by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Your proof is sent. Paris&Co will verify the organisation and tell you."),
            )
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(organisation.get_absolute_url())


@rule_required("qmi.signed_in")
def organisation_claim(request):
    """Claim an organisation whose SIRET someone else registered."""
    form = ClaimForm(request.POST or None, request.FILES or None, initial=request.GET or None)
    if request.method == "POST" and form.is_valid():
        organisation = verification.find_by_siret(form.cleaned_data["siret"])
        if organisation is None:
            form.add_error(
                "siret",
                _("No organisation is registered with this SIRET: you can create it."),
            )
        else:
            try:
                with transaction.atomic():
                    verification.claim(
                        organisation,
                        by=request.user,
                        job_title=form.cleaned_data["job_title"],
                        message=form.cleaned_data["message"],
                        uploaded=form.cleaned_data["proof"],
                    )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return render(request, "experimenters/organisation_claim_sent.html")
    return render(
        request,
        "experimenters/organisation_claim.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def verification_context(organisation):
    """What the organisation's page says of its verification."""
    return {
        "awaits_verification": organisation.applicant.awaits_verification,
        "proofs": list(organisation.proofs.all()),
        "proof_form": ProofForm(),
        "max_proofs": verification.MAX_PROOFS,
    }


def application_section(application, request):
    """On an application's page: its organisation awaits verification, so it cannot be
    submitted yet, and what to do."""
    organisation = getattr(application.applicant, "organisation", None)
    if organisation is None or not application.applicant.awaits_verification:
        return ""
    return render_to_string(
        "experimenters/includes/verification_pending.html",
        {"organisation": organisation},
        request,
    )

"""Inviting colleagues and accepting an invitation (municipalities and organisations)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .forms import InviteForm
from .models import Applicant, Invitation
from .permissions import Find, allowed, rule_required
from .ratelimit import limited
from .services import accept_invitation, invite


@rule_required("qmi.act_for", Find(Applicant.objects.all(), "pk"))
@limited("invitation")
def members(request, applicant):
    """The members of an applicant I act for, and the form to invite a colleague."""
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invite(applicant, form.cleaned_data["email"], by=request.user)
        except ValidationError as error:
            form.add_error("email", error)
        else:
            messages.success(
                request,
                _("An invitation was sent to %(email)s.") % {"email": form.cleaned_data["email"]},
            )
            return redirect("qmi:members", pk=applicant.pk)
    memberships = list(applicant.memberships.select_related("user").order_by("created_at"))
    return render(
        request,
        "qmi/members.html",
        {
            "applicant": applicant,
            "memberships": memberships,
            "i_own": applicant.has_owner and allowed("qmi.own", request.user, applicant),
            "invitations": applicant.invitations.filter(accepted_at__isnull=True),
            "form": form,
        },
    )


@rule_required("qmi.signed_in")
def invitation(request, token):
    invitation = get_object_or_404(Invitation.objects.select_related("applicant"), token=token)
    return render(request, "qmi/invitation.html", {"invitation": invitation})


@rule_required("qmi.signed_in")
@require_POST
def invitation_accept(request, token):
    invitation = get_object_or_404(Invitation.objects.select_related("applicant"), token=token)
    try:
        accept_invitation(invitation, request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("qmi:accept_invitation", token=token)
    messages.success(request, _("You now act for %(name)s.") % {"name": invitation.applicant.name})
    return redirect("dashboard")

"""Membership rules shared by municipalities and organisations."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Invitation, Membership
from .permissions import require
from .tasks import send_message


def request_membership(applicant, user, *, job_title="", note=""):
    """Ask to act for ``applicant``; staff confirm it before it gives any access."""
    membership, created = Membership.objects.get_or_create(
        applicant=applicant,
        user=user,
        defaults={"job_title": job_title, "request_note": note},
    )
    if not created and membership.is_confirmed:
        raise ValidationError(_("You already act for %(name)s."), params={"name": applicant.name})
    if not created:
        raise ValidationError(
            _("Your request to act for %(name)s is already awaiting confirmation."),
            params={"name": applicant.name},
        )
    return membership


def confirm_membership(membership, *, by):
    """Staff confirm that ``membership.user`` really acts for the applicant; tell them."""
    require("qmi.confirm_membership", by, membership)
    if membership.is_confirmed:
        return False
    membership.confirmed_at = timezone.now()
    membership.confirmed_by = by
    membership.save(update_fields=["confirmed_at", "confirmed_by"])
    transaction.on_commit(lambda: send_message.delay("membership_confirmed", membership.pk))
    return True


def invite(applicant, email, *, by):
    """A confirmed member invites a colleague; the e-mail carries a personal link."""
    email = email.strip().lower()
    require("qmi.act_for", by, applicant)
    if Membership.objects.filter(applicant=applicant, user__email__iexact=email).exists():
        raise ValidationError(
            _("%(email)s is already a member of %(name)s."),
            params={"email": email, "name": applicant.name},
        )
    with transaction.atomic():
        Invitation.objects.filter(
            applicant=applicant, email=email, accepted_at__isnull=True
        ).delete()
        invitation = Invitation.objects.create(applicant=applicant, email=email, invited_by=by)
    transaction.on_commit(lambda: send_message.delay("invitation", invitation.pk))
    return invitation


def accept_invitation(invitation, user, *, now=None):
    """Turn an invitation into a confirmed membership of ``user``, whose verified e-mail
    must be the invited address."""
    if not invitation.is_usable(now):
        raise ValidationError(_("This invitation has expired or was already used."))
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(
            _("This invitation was sent to %(email)s. Sign in with that address to accept it."),
            params={"email": invitation.email},
        )
    with transaction.atomic():
        membership, _created = Membership.objects.get_or_create(
            applicant=invitation.applicant, user=user
        )
        if not membership.is_confirmed:
            membership.confirmed_at = now or timezone.now()
            membership.confirmed_by = invitation.invited_by
            membership.save(update_fields=["confirmed_at", "confirmed_by"])
        invitation.accepted_at = now or timezone.now()
        invitation.save(update_fields=["accepted_at"])
    return membership


# --- messages built from ids by ``qmi.tasks.send_message`` (registered by ``qmi.apps``) -----


def membership_confirmed_message(membership_id):
    membership = Membership.objects.select_related("user", "applicant").get(pk=membership_id)
    return (
        "membership_confirmed",
        [membership.user.email],
        {"membership": membership, "dashboard_url": reverse("dashboard")},
    )


def invitation_message(invitation_id):
    invitation = (
        Invitation.objects.select_related("applicant", "invited_by")
        .filter(pk=invitation_id, accepted_at__isnull=True)
        .first()
    )
    if invitation is None:
        return None
    accept_url = reverse("qmi:accept_invitation", kwargs={"token": invitation.token})
    return ("invitation", [invitation.email], {"invitation": invitation, "accept_url": accept_url})

"""Who speaks for an organisation: verification of its owner, and claims.

Anyone signed in may register an organisation by its SIRET, but its creator is a **pending
owner** until the organisation is verified: they prepare applications, invite colleagues, and
cannot submit (``qmi.submit_for``). An organisation is verified

- **automatically** when its creator's (verified) e-mail address is of the organisation's
  own domain, the one of the website it declares (``jane@urbanlab.fr`` for
  ``https://www.urbanlab.fr``; a sub-domain on either side counts). Addresses of public mail
  providers never count, whatever the website says;
- otherwise **by Paris&Co staff**, on a proof the owner uploads (an extract of the trade
  register, a SIRENE notice, a statement signed by the legal representative).

A company that finds its SIRET registered by someone else **claims** it, with a proof. Staff
read the dispute in the admin and settle it: granted, the claimant becomes the owner (the
previous owner stays a plain member, whom the new owner may remove) and the organisation is
verified; refused, nothing changes. Both sides are told, with the reason.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.domain.notifications import member_emails
from qmi import mail
from qmi.models import Applicant, Membership
from qmi.permissions import allowed, require
from qmi.uploads import store_upload

from .models import Organisation, OrganisationProof, OwnershipClaim

MAX_PROOFS = 5
PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "outlook.fr",
        "hotmail.com",
        "hotmail.fr",
        "live.com",
        "live.fr",
        "msn.com",
        "yahoo.com",
        "yahoo.fr",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.fr",
        "orange.fr",
        "wanadoo.fr",
        "free.fr",
        "sfr.fr",
        "neuf.fr",
        "laposte.net",
        "bbox.fr",
    }
)


class VerificationError(ValidationError):
    """A step the rules refuse; the message is meant for the user."""


def _host(website):
    host = (urlsplit(website if "//" in website else f"//{website}").hostname or "").lower()
    return host.removeprefix("www.")


def domain_matches(email, website):
    """Whether ``email`` is an address of the organisation whose website is ``website``."""
    domain = email.rpartition("@")[2].lower().strip()
    host = _host(website or "")
    if not domain or not host or domain in PUBLIC_MAIL_DOMAINS or host in PUBLIC_MAIL_DOMAINS:
        return False
    return domain == host or domain.endswith(f".{host}") or host.endswith(f".{domain}")


def _mark_verified(organisation, *, how, by=None):
    Applicant.objects.filter(pk=organisation.applicant_id).update(
        verified_at=timezone.now(), verified_by=by, verification=how
    )
    organisation.applicant.refresh_from_db(fields=["verified_at", "verified_by", "verification"])


def verify_on_creation(organisation, *, by):
    """Verify a new organisation at once when its creator's address is of its domain."""
    if domain_matches(by.email, organisation.website):
        _mark_verified(organisation, how=Applicant.Verification.EMAIL_DOMAIN)
        return True
    return False


def verify(organisation, *, by):
    """Staff verify the organisation: its owner may submit from now on; its members are
    told."""
    require("qmi.is_staff", by)
    if organisation.applicant.verified_at is not None:
        return False
    _mark_verified(organisation, how=Applicant.Verification.STAFF, by=by)
    transaction.on_commit(
        lambda: mail.send(
            "organisation_verified",
            to=member_emails(organisation.applicant),
            context={"organisation": organisation},
        )
    )
    return True


def add_proof(organisation, uploaded, *, by):
    """A member uploads a proof for staff to verify the organisation."""
    require("qmi.act_for", by, organisation)
    if organisation.applicant.verified_at is not None:
        raise VerificationError(_("This organisation is already verified."))
    if organisation.proofs.count() >= MAX_PROOFS:
        raise VerificationError(
            _("You can send at most %(max)d proofs: Paris&Co will read them."),
            params={"max": MAX_PROOFS},
        )
    proof = OrganisationProof(organisation=organisation, uploaded_by=by)
    store_upload(proof, uploaded, kind="pdf")
    proof.save()
    return proof


def find_by_siret(siret):
    return Organisation.objects.select_related("applicant").filter(siret=siret).first()


def claim(organisation, *, by, job_title, message, uploaded):
    """``by`` says ``organisation`` is theirs, with a proof; staff settle it."""
    if allowed("qmi.own", by, organisation):
        raise VerificationError(_("You already own this organisation."))
    record = OwnershipClaim(
        organisation=organisation,
        claimant=by,
        job_title=job_title,
        message=message,
        uploaded_by=by,
    )
    store_upload(record, uploaded, kind="pdf")
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        record.file.delete(save=False)
        raise VerificationError(
            _("Your claim on this organisation is already being examined by Paris&Co.")
        ) from None
    transaction.on_commit(
        lambda: mail.send("organisation_claimed", to=[by.email], context={"claim": record})
    )
    return record


def settle(claim_record, *, by, grant, reason):
    """Staff settle a claim, with the reason both sides read."""
    require("qmi.is_staff", by)
    if not reason.strip():
        raise VerificationError(_("Give the reason both sides will read."))
    with transaction.atomic():
        locked = OwnershipClaim.objects.select_for_update().get(pk=claim_record.pk)
        if locked.outcome != OwnershipClaim.Outcome.OPEN:
            raise VerificationError(_("This claim is already settled."))
        organisation = locked.organisation
        previous_owner = organisation.owner()
        if grant:
            _hand_over(organisation, to=locked.claimant, by=by)
            _mark_verified(organisation, how=Applicant.Verification.STAFF, by=by)
        locked.outcome = OwnershipClaim.Outcome.GRANTED if grant else OwnershipClaim.Outcome.REFUSED
        locked.reason = reason.strip()
        locked.settled_at = timezone.now()
        locked.settled_by = by
        locked.save()
    recipients = {locked.claimant.email}
    if previous_owner is not None:
        recipients.add(previous_owner.email)
    transaction.on_commit(
        lambda: mail.send(
            "organisation_claim_settled", to=sorted(recipients), context={"claim": locked}
        )
    )
    return locked


def _hand_over(organisation, *, to, by):
    """The claimant becomes the confirmed owner; every other member a plain member."""
    Membership.objects.filter(applicant_id=organisation.applicant_id).exclude(user=to).update(
        role=Membership.Role.MEMBER
    )
    membership, created = Membership.objects.get_or_create(
        applicant_id=organisation.applicant_id,
        user=to,
        defaults={
            "role": Membership.Role.OWNER,
            "confirmed_at": timezone.now(),
            "confirmed_by": by,
        },
    )
    if not created:
        membership.role = Membership.Role.OWNER
        membership.confirmed_at = membership.confirmed_at or timezone.now()
        membership.confirmed_by = membership.confirmed_by or by
        membership.save(update_fields=["role", "confirmed_at", "confirmed_by"])

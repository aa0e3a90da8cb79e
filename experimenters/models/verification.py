"""Who may speak for an organisation: the proof its pending owner gives, and the claims of a
company that finds its SIRET registered by someone else."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calls.models.files import PrivateFile, private_storage

from .projects import Organisation


def _proof_path(instance, filename):
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"organisations/proofs/{uuid.uuid4().hex}{suffix}"


class OrganisationProof(PrivateFile):
    """A document showing that its uploader speaks for the organisation: an extract of the
    trade register (Kbis), a SIRENE notice, a statement signed by its legal representative."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="proofs",
        verbose_name=_("organisation"),
    )
    file = models.FileField(_("file"), storage=private_storage, upload_to=_proof_path)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("proof of the organisation")
        verbose_name_plural = _("proofs of the organisation")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return self.original_name


def _claim_path(instance, filename):
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"organisations/claims/{uuid.uuid4().hex}{suffix}"


class OwnershipClaim(PrivateFile):
    """Someone says an organisation registered on the portal is theirs: staff settle it, both
    sides are told. The proof is the claim's file."""

    class Outcome(models.TextChoices):
        OPEN = "open", _("To settle")
        GRANTED = "granted", _("Granted: the claimant owns the organisation")
        REFUSED = "refused", _("Refused")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="claims",
        verbose_name=_("organisation"),
    )
    claimant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="organisation_claims",
        verbose_name=_("claimant"),
    )
    job_title = models.CharField(_("position in the organisation"), max_length=150)
    message = models.TextField(_("message"))
    file = models.FileField(_("proof"), storage=private_storage, upload_to=_claim_path)
    created_at = models.DateTimeField(_("claimed at"), default=timezone.now)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.OPEN
    )
    reason = models.TextField(_("reason told to both sides"), blank=True)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("settled by"),
    )

    class Meta:
        verbose_name = _("claim on an organisation")
        verbose_name_plural = _("claims on organisations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "claimant"],
                condition=Q(outcome="open"),
                name="one_open_claim_per_claimant",
            )
        ]

    def __str__(self):
        return f"{self.claimant} → {self.organisation}"

"""Demo data of the organisations' verification: the demo's organisations are verified (their
projects are submitted), one new organisation waits for verification with its proof, and a
claim on Fraîcheur Urbaine waits for staff to settle it."""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from calls.demo import demo_user
from calls.domain.samples import sample_pdf
from qmi.models import Applicant

from . import verification
from .models import Organisation, OwnershipClaim
from .services import create_organisation

ACCOUNTS = [
    ("nouvelle@qmi.example", "Owner of Canopée Labs, waiting for verification (drafts only)"),
    ("reclamation@qmi.example", "Claims Fraîcheur Urbaine as theirs (a claim for staff)"),
]


def verified(organisation):
    """Mark a demo organisation verified by staff (its projects are submitted)."""
    if organisation.applicant.verified_at is None:
        Applicant.objects.filter(pk=organisation.applicant_id).update(
            verified_at=timezone.now(), verification=Applicant.Verification.STAFF
        )
        organisation.applicant.refresh_from_db()
    return organisation


def _pdf(name, title):
    return SimpleUploadedFile(name, sample_pdf(title), "application/pdf")


def seed():
    owner = demo_user(ACCOUNTS[0][0])
    pending = Organisation.objects.filter(legal_name="Canopée Labs").first()
    if pending is None:
        pending = create_organisation(
            by=owner,
            legal_name="Canopée Labs",
            siret="35600000000048",
            structure_type="startup",
            created_on=date(2025, 9, 1),
            headcount=2,
            address="3 allée des Tilleuls",
            postal_code="93200",
            city="Saint-Denis",
            website="https://canopee-labs.example",
            description="Des micro-forêts modulaires pour les cours d'immeubles.",
        )
        verification.add_proof(pending, _pdf("extrait-kbis.pdf", "Extrait Kbis"), by=owner)
    claimant = demo_user(ACCOUNTS[1][0])
    target = Organisation.objects.filter(legal_name="Fraîcheur Urbaine SAS").first()
    if target and not OwnershipClaim.objects.filter(claimant=claimant).exists():
        verification.claim(
            target,
            by=claimant,
            job_title="Présidente",
            message="Je suis la présidente de Fraîcheur Urbaine : je ne connais pas la personne "
            "qui a inscrit notre SIRET.",
            uploaded=_pdf("avis-sirene.pdf", "Avis de situation SIRENE"),
        )

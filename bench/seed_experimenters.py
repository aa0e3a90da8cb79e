"""Seeding of the call for experimenters: organisations, owners and project envelopes."""

import hashlib
import math
from datetime import timedelta

from bench import environment  # noqa: F401  (starts Django before any model is imported)

# isort: split

from django.core.files.base import ContentFile
from django.core.files.storage import storages

from bench.seed_common import BENCH_EDITION, history, people
from calls.domain.workflow import Status
from calls.models import (
    Application,
    Attachment,
    Call,
    ReferenceSequence,
    StatusChange,
    UrbanChallenge,
)
from experimenters import samples as project_samples
from experimenters.models import (
    DistrictWish,
    Maturity,
    Organisation,
    ProjectApplication,
    StructureType,
    TeamMember,
)
from municipalities.models import Commune, KeyArea
from qmi.models import Applicant, Membership
from tests.factories import (
    ApplicantFactory,
    DistrictFactory,
    ExperimenterCallFactory,
    MembershipFactory,
    OrganisationFactory,
    ProjectApplicationFactory,
    png_bytes,
    siret_for,
)

PROJECTS_PER_ORGANISATION = 3  # the measured owner's organisation has exactly that many


DISTRICTS = 5  # innovation districts covered by the call for experimenters


def seed_experimenters(n, edition, staff, now, pdf):
    """The call for experimenters, open now and covering DISTRICTS innovation districts, and N
    project applications to it, bulk inserted.

    Project ``i`` belongs to organisation ``i // PROJECTS_PER_ORGANISATION``, so there are
    ceil(N / 3) organisations, each with its applicant (kind organisation) and a confirmed
    owner; one in ten is established in Belgium (no SIRET, a registration number), the others
    have a valid SIRET. Organisation 0, whose owner is measured, has the same three projects
    at every N: a half-filled draft, a complete draft and a submitted project. Returns the
    owner and the counts seeded.
    """

    challenges = list(UrbanChallenge.objects.order_by("position").values_list("pk", flat=True))
    structures = StructureType.values
    maturities = Maturity.values
    communes = list(Commune.objects.order_by("insee_code")[:DISTRICTS])
    districts = [
        DistrictFactory(
            commune=commune,
            edition=edition,
            slug=f"quartier-{d + 1}",
            name=f"Quartier d'innovation {commune.name}",
            key_area=KeyArea.values[d % len(KeyArea.values)],
            challenges=[challenges[(d + k) % len(challenges)] for k in range(2)],
        )
        for d, commune in enumerate(communes)
    ]
    call = ExperimenterCallFactory(
        edition=edition,
        slug="appel-experimentateurs-1",
        opens_at=now - timedelta(days=10),
        closes_at=now + timedelta(days=30),
        districts=districts,
    )
    ReferenceSequence.objects.create(edition=edition, kind=Call.Kind.EXPERIMENTERS, last=n)

    n_organisations = math.ceil(n / PROJECTS_PER_ORGANISATION)
    owners = people(
        n_organisations, email="porteur{n:05d}@organisation.example", first_name="Porteur"
    )
    applicants = Applicant.objects.bulk_create(
        ApplicantFactory.build(kind=Applicant.Kind.ORGANISATION, name=f"Urbanlab {o:05d}")
        for o in range(n_organisations)
    )

    def foreign(o):
        return o % 10 == 9

    Organisation.objects.bulk_create(
        OrganisationFactory.build(
            applicant=applicant,
            legal_name=applicant.name,
            is_foreign=foreign(o),
            siret=None if foreign(o) else siret_for(o),
            country="BE" if foreign(o) else "FR",
            registration_number=f"0{o:03d}.{o % 1000:03d}.{o % 997:03d}" if foreign(o) else "",
            structure_type=structures[o % len(structures)],
            created_on=(now - timedelta(days=400 + o % 2000)).date(),
            headcount=2 + o % 40,
            address=f"{1 + o % 200} rue de l'Innovation",
            postal_code="1000" if foreign(o) else f"750{1 + o % 20:02d}",
            city="Bruxelles" if foreign(o) else "Paris",
            website=f"https://urbanlab{o}.example",
        )
        for o, applicant in enumerate(applicants)
    )
    Membership.objects.bulk_create(
        MembershipFactory.build(
            applicant=applicant,
            user=owner,
            role=Membership.Role.OWNER,
            job_title="",
            confirmed_at=now,
            confirmed_by=owner,
        )
        for applicant, owner in zip(applicants, owners, strict=True)
    )

    # The call is open: most projects are drafts or submitted, staff screened some already.
    plan = [
        Status.DRAFT,
        Status.DRAFT,
        Status.SUBMITTED,
        Status.SUBMITTED,
        Status.ELIGIBLE,
        Status.DRAFT,
        Status.INELIGIBLE,
        Status.SUBMITTED,
        Status.WITHDRAWN,
        Status.SHORTLISTED,
    ]
    # (organisation index, status) of each project
    rows = [(i // PROJECTS_PER_ORGANISATION, plan[i % len(plan)]) for i in range(n)]
    applications = Application.objects.bulk_create(
        ProjectApplicationFactory.build(
            call=call,
            kind=Call.Kind.EXPERIMENTERS,
            applicant=applicants[o],
            created_by=owners[o],
            reference=f"QMI{BENCH_EDITION}-E-{i + 1:05d}",
            status=status,
            submitted_at=None
            if status == Status.DRAFT
            else call.opens_at + timedelta(minutes=i % 10_000),
            submitted_by=None if status == Status.DRAFT else owners[o],
        )
        for i, (o, status) in enumerate(rows)
    )

    # One draft in three is half-filled: answers, team and pitch deck missing, a wish
    # without its reason.
    def complete(i, status):
        return status != Status.DRAFT or i % 3 != 0

    text = "Des voiles d'ombrage orientées selon la température mesurée par des capteurs. " * 4
    projects = ProjectApplication.objects.bulk_create(
        ProjectApplication(
            application=application,
            **{
                **project_samples.ANSWERS,
                "screening_structure_type": structures[o % len(structures)],
                "screening_stage": "prototype",
                "screening_commercialised": False,
                "screening_can_deploy": True,
                "screened_at": application.created_at,
                "title": f"Îlots de fraîcheur connectés n° {i + 1}",
                "problem": text if complete(i, status) else "",
                "solution": text if complete(i, status) else "",
                "innovation": text,
                "maturity": maturities[i % len(maturities)],
                "needs_energy": i % 2 == 0,
                "needs_network": i % 3 == 0,
                "deployment_details": text,
                "duration_months": 1 + i % 18,
                "expected_impacts": text,
                "impact_measurement": text,
                "budget": None if not complete(i, status) else 10_000 + (i * 137) % 90_000,
                "references": "Deux expérimentations avec des bailleurs sociaux.",
            },
        )
        for i, (application, (o, status)) in enumerate(zip(applications, rows, strict=True))
    )
    through = ProjectApplication.challenges.through
    through.objects.bulk_create(
        through(
            projectapplication_id=project.pk,
            urbanchallenge_id=challenges[(i + k) % len(challenges)],
        )
        for i, project in enumerate(projects)
        for k in range(1 + i % 3)
    )
    wishes = DistrictWish.objects.bulk_create(
        DistrictWish(
            project=project,
            district=districts[(i + k) % len(districts)],
            rank=k + 1,
            reason="Une place très minérale, des habitants mobilisés."
            if complete(i, status)
            else "",
        )
        for i, (project, (_o, status)) in enumerate(zip(projects, rows, strict=True))
        for k in range(min(1 + i % 3, len(districts)))
    )
    team = TeamMember.objects.bulk_create(
        TeamMember(project=project, name=f"Membre {k + 1}", role="Cheffe de projet", position=k)
        for i, (project, (_o, status)) in enumerate(zip(projects, rows, strict=True))
        if complete(i, status)
        for k in range(1 + i % 4)
    )

    def stored(name, content, content_type):
        return {
            "file": storages["private"].save(f"bench/{name}", ContentFile(content)),
            "original_name": name,
            "content_type": content_type,
            "size": len(content),
            "sha256": hashlib.sha256(content).hexdigest(),
        }

    files = {
        ProjectApplication.PITCH_DECK: stored("pitch-deck.pdf", pdf, "application/pdf"),
        ProjectApplication.IMAGES: stored("photo.png", png_bytes(), "image/png"),
    }

    def slots(i):
        """The pitch deck, and one or two images for one project in four."""
        images = 1 + i // 4 % 2 if i % 4 == 1 else 0
        return [ProjectApplication.PITCH_DECK] + [ProjectApplication.IMAGES] * images

    Attachment.objects.bulk_create(
        Attachment(application=application, slot=slot, uploaded_by=owners[o], **files[slot])
        for i, (application, (o, status)) in enumerate(zip(applications, rows, strict=True))
        if complete(i, status)
        for slot in slots(i)
    )
    StatusChange.objects.bulk_create(
        StatusChange(
            application=application,
            transition=name,
            from_status=source,
            to_status=target,
            by=owners[o] if actor == "applicant" else staff,
            at=application.submitted_at + timedelta(days=step),
            note="" if actor == "applicant" else "Examen du dossier.",
        )
        for application, (o, status) in zip(applications, rows, strict=True)
        for step, (name, source, target, actor) in enumerate(history(status))
    )
    counts = {
        "projects": len(projects),
        "organisations": n_organisations,
        "wishes": len(wishes),
        "team members": len(team),
    }
    return owners[0], counts


# --- Measuring -------------------------------------------------------------------------------

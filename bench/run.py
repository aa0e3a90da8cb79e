"""Benchmark of the portal's pages against the number of applications.

For each size N, build a fresh database, migrate it, seed N applications to the calls for
municipalities and N project applications to a call for experimenters with bulk inserts,
then request the pages with Django's test client and report the median and p95 server time
and the number of SQL queries. The budget (DESIGN.md, "Budgets") is that a page's query count
does not depend on N: the run ends with exit code 1 when a page's count differs between sizes.

    .venv/bin/python bench/run.py [--sizes 100 10000] [--repeat 30] [--queries] [--json FILE]

See bench/README.md.
"""

import argparse
import gc
import hashlib
import io
import json
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent

CALLS = 3  # calls of the edition; every applicant applies at most once to each
BENCH_EDITION = 9
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
JURY_MEMBERS = 8  # on the jury of the judged call; each application under review gets two
PROJECTS_PER_ORGANISATION = 3  # the measured owner's organisation has exactly that many
DISTRICTS = 5  # innovation districts covered by the call for experimenters
PAGE_ORDER = [
    "admin: applications",
    "applicant dashboard",
    "public call page",
    "jury dashboard",
    "ranking",
    "experimenter dashboard",
    "admin: projects",
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[100, 10_000],
        metavar="N",
        help="numbers of applications to seed, one fresh database each (default: 100 10000)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=30,
        help="timed requests per page and size, after one warm-up (default: 30)",
    )
    parser.add_argument(
        "--queries",
        action="store_true",
        help="print the SQL of every page at the largest size, slowest first",
    )
    parser.add_argument("--json", metavar="FILE", help="also write the results to FILE as JSON")
    args = parser.parse_args(argv)
    if any(n < max(CALLS, PROJECTS_PER_ORGANISATION) for n in args.sizes):
        parser.error(f"each size must be at least {max(CALLS, PROJECTS_PER_ORGANISATION)}")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def setup_django(bench_dir):
    sys.path.insert(0, str(PROJECT_DIR))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["QMI_BENCH_DIR"] = str(bench_dir)
    # Without collected static files WhiteNoise warns that STATIC_ROOT is missing: irrelevant.
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()


# --- Seeding ---------------------------------------------------------------------------------


@dataclass
class World:
    """What the measurements need from a seeded database."""

    staff: object
    officer: object  # confirmed member of one applicant, which has CALLS applications
    open_call: object
    counts: dict = field(default_factory=dict)
    juror: object = None  # a jury member of the judged call, whose dossiers grow with N
    jury_call: object = None  # the closed call whose jury scored its applications
    experimenter: object = None  # owner of one organisation, which has 3 projects at every N


def _status_plan():
    from calls.domain.workflow import Status

    # Per call (newest first): what the applications of that call are in.
    return [
        [Status.DRAFT, Status.DRAFT, Status.SUBMITTED, Status.SUBMITTED, Status.DRAFT],
        [
            Status.SUBMITTED,
            Status.ELIGIBLE,
            Status.INELIGIBLE,
            Status.SHORTLISTED,
            Status.WITHDRAWN,
        ],
        [Status.SELECTED, Status.REJECTED, Status.REJECTED, Status.INELIGIBLE, Status.REJECTED],
    ]


def _history(status):
    """The status changes that lead from draft to ``status``: (transition, from, to, actor)."""
    from calls.domain.workflow import Status

    if status == Status.DRAFT:
        return []
    steps = [("submit", Status.DRAFT, Status.SUBMITTED, "applicant")]
    if status == Status.WITHDRAWN:
        return [*steps, ("withdraw", Status.SUBMITTED, Status.WITHDRAWN, "applicant")]
    if status == Status.SUBMITTED:
        return steps
    if status == Status.INELIGIBLE:
        return [*steps, ("mark_ineligible", Status.SUBMITTED, Status.INELIGIBLE, "staff")]
    steps.append(("mark_eligible", Status.SUBMITTED, Status.ELIGIBLE, "staff"))
    if status == Status.ELIGIBLE:
        return steps
    if status == Status.REJECTED:
        return [*steps, ("reject", Status.ELIGIBLE, Status.REJECTED, "staff")]
    steps.append(("shortlist", Status.ELIGIBLE, Status.SHORTLISTED, "staff"))
    if status == Status.SELECTED:
        steps.append(("select", Status.SHORTLISTED, Status.SELECTED, "staff"))
    return steps


def _pdf():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def seed(n):
    """N applications of kind "municipalities" over CALLS calls of one edition, bulk inserted.

    Applicant ``i`` applies to calls 0..CALLS-1 (one application per call, as the call for
    municipalities allows), so there are ceil(N / CALLS) applicants; the first 130 are the
    member communes, the others municipalities made up for the benchmark. Applicant 0, whose
    member is the measured officer, always has exactly CALLS applications. Then N projects to
    a call for experimenters of the same edition (``seed_experimenters``).
    """
    from django.contrib.auth.hashers import make_password
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages
    from django.db import connection, transaction
    from django.utils import timezone

    from calls.domain.workflow import Status
    from calls.models import (
        Application,
        Attachment,
        Call,
        Edition,
        FaqEntry,
        KeyDate,
        ReferenceSequence,
        StatusChange,
        UrbanChallenge,
    )
    from municipalities.models import Commune, KeyArea, MunicipalityApplication
    from qmi.models import Applicant, Membership, User

    if not connection.features.can_return_rows_from_bulk_insert:
        raise SystemExit("The database must return the ids of bulk inserts (SQLite >= 3.35).")

    now = timezone.now()
    unusable = make_password(None)
    challenges = list(UrbanChallenge.objects.order_by("position").values_list("pk", flat=True))
    key_areas = [value for value, _label in KeyArea.choices]
    plan = _status_plan()
    pdf = _pdf()

    with transaction.atomic():
        staff = User.objects.create_superuser(
            "equipe@parisandco.example", "bench-password", first_name="Équipe", last_name="QMI"
        )
        edition = Edition.objects.create(
            number=BENCH_EDITION,
            title=f"{BENCH_EDITION}e édition",
            title_en=f"Edition {BENCH_EDITION}",
            is_current=True,
        )
        KeyDate.objects.bulk_create(
            KeyDate(
                edition=edition,
                starts_on=(now + timedelta(days=30 * k - 60)).date(),
                label=label,
                label_en=label,
            )
            for k, label in enumerate(["Ouverture", "Clôture", "Jury", "Résultats"])
        )
        FaqEntry.objects.bulk_create(
            FaqEntry(question=f"Question {k} ?", answer="Réponse.", position=k) for k in range(8)
        )
        # Newest first: the call open now, then two closed calls (the oldest with results).
        calls = Call.objects.bulk_create(
            Call(
                edition=edition,
                kind=Call.Kind.MUNICIPALITIES,
                slug=f"appel-communes-{c + 1}",
                title=f"Appel à manifestation d'intérêt des communes n° {CALLS - c}",
                title_en=f"Call for municipalities no. {CALLS - c}",
                description="Proposez un quartier d'innovation.\n\nDeux paragraphes.",
                description_en="Propose an innovation district.",
                eligibility="Les communes membres de la Métropole du Grand Paris.",
                opens_at=now - timedelta(days=10 + 365 * c),
                closes_at=now + timedelta(days=30 - 365 * c),
                results_published_at=now - timedelta(days=200) if c == CALLS - 1 else None,
            )
            for c in range(CALLS)
        )
        ReferenceSequence.objects.create(edition=edition, kind=Call.Kind.MUNICIPALITIES, last=n)

        n_applicants = math.ceil(n / CALLS)
        communes = list(Commune.objects.filter(applicant__isnull=True).order_by("insee_code"))
        users = User.objects.bulk_create(
            User(
                email=f"agent{a:05d}@commune.example",
                first_name="Agent",
                last_name=f"{a:05d}",
                password=unusable,
            )
            for a in range(n_applicants)
        )
        applicants = Applicant.objects.bulk_create(
            Applicant(
                kind=Applicant.Kind.MUNICIPALITY,
                name=communes[a].name if a < len(communes) else f"Commune fictive {a:05d}",
            )
            for a in range(n_applicants)
        )
        for commune, applicant in zip(communes, applicants, strict=False):
            commune.applicant = applicant
        Commune.objects.bulk_update(communes[:n_applicants], ["applicant"], batch_size=500)
        Membership.objects.bulk_create(
            Membership(
                applicant=applicant,
                user=user,
                role=Membership.Role.OWNER,
                job_title="Chargé·e de mission",
                confirmed_at=now,
                confirmed_by=staff,
            )
            for applicant, user in zip(applicants, users, strict=True)
        )

        rows = []  # (applicant index, call index, status)
        for i in range(n):
            a, c = divmod(i, CALLS)
            rows.append((a, c, plan[c][a % len(plan[c])]))
        applications = Application.objects.bulk_create(
            Application(
                call=calls[c],
                kind=Call.Kind.MUNICIPALITIES,
                applicant=applicants[a],
                created_by=users[a],
                reference=f"QMI{BENCH_EDITION}-M-{i + 1:05d}",
                status=status,
                submitted_at=None
                if status == Status.DRAFT
                else calls[c].opens_at + timedelta(minutes=a % 10_000),
                submitted_by=None if status == Status.DRAFT else users[a],
            )
            for i, (a, c, status) in enumerate(rows)
        )

        # Drafts are left half-filled one time in three, so the dashboard has items missing.
        def complete(i, status):
            return status != Status.DRAFT or i % 3 != 0

        MunicipalityApplication.objects.bulk_create(
            MunicipalityApplication(
                application=application,
                district_name=f"Quartier {i:05d}",
                key_area=key_areas[i % len(key_areas)],
                location="Autour de la gare, entre l'avenue et le canal." * 3,
                inhabitants=2000 + (i * 37) % 20000,
                current_projects="Rénovation urbaine, travaux de la ligne 15." * 3,
                local_stakes="Apaiser l'espace public et accueillir de nouveaux usages." * 5,
                offer="Deux sites, des données de comptage et un agent à mi-temps." * 3,
                commits_to_facilitate=complete(i, status),
                commits_to_referent=complete(i, status),
                commits_to_training=complete(i, status),
                commits_to_assessment=complete(i, status),
                elected_name="Camille Martin",
                elected_role="Adjointe au maire",
                elected_email=f"elu{i}@commune.example",
                elected_phone="01 23 45 67 89",
                referent_name="Alex Durand" if complete(i, status) else "",
                referent_role="Chef de projet",
                referent_email=f"referent{i}@commune.example",
                referent_phone="01 98 76 54 32",
            )
            for i, (application, (_a, _c, status)) in enumerate(
                zip(applications, rows, strict=True)
            )
        )
        through = MunicipalityApplication.challenges.through
        through.objects.bulk_create(
            through(
                municipalityapplication_id=application.pk,
                urbanchallenge_id=challenges[(i + k) % len(challenges)],
            )
            for i, application in enumerate(applications)
            for k in range(1 + i % 3)
        )

        stored = storages["private"].save("bench/deliberation.pdf", ContentFile(pdf))
        digest = hashlib.sha256(pdf).hexdigest()
        Attachment.objects.bulk_create(
            Attachment(
                application=application,
                slot=MunicipalityApplication.DELIBERATION,
                file=stored,
                original_name="deliberation-conseil-municipal.pdf",
                content_type="application/pdf",
                size=len(pdf),
                sha256=digest,
                uploaded_by=users[a],
            )
            for i, (application, (a, _c, status)) in enumerate(zip(applications, rows, strict=True))
            if complete(i, status)
        )
        StatusChange.objects.bulk_create(
            StatusChange(
                application=application,
                transition=name,
                from_status=source,
                to_status=target,
                by=users[a] if actor == "applicant" else staff,
                at=application.submitted_at + timedelta(days=step * 7),
                note="" if actor == "applicant" else "Examen du dossier.",
            )
            for application, (a, _c, status) in zip(applications, rows, strict=True)
            for step, (name, source, target, actor) in enumerate(_history(status))
        )
        # The jury of the closed call without results (calls[1]) scored its applications.
        judged = [
            application
            for application, (_a, c, status) in zip(applications, rows, strict=True)
            if c == 1 and status in (Status.ELIGIBLE, Status.SHORTLISTED)
        ]
        jurors = seed_jury(calls[1], judged, now)
        experimenter, projects = seed_experimenters(n, edition, staff, now, pdf)

    if connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk load: planner statistics for the new rows.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    counts = {
        "applications": len(applications),
        "applicants": len(applicants),
        "users": len(users) + 1,
        "status changes": StatusChange.objects.count(),
        "attachments": Attachment.objects.count(),
        "jury reviews": 2 * len(judged),
        **projects,
    }
    return World(
        staff=staff,
        officer=users[0],
        open_call=calls[0],
        counts=counts,
        juror=jurors[0],
        jury_call=calls[1],
        experimenter=experimenter,
    )


def seed_jury(call, judged, now):
    """The jury of ``call``, in deliberation: three criteria, JURY_MEMBERS members; each
    application of ``judged`` is assigned to two members (round robin), who declared no
    conflict and finalised a review with a score per criterion. Returns the members' users."""
    from django.contrib.auth.hashers import make_password

    from evaluation.models import (
        Assignment,
        CallJury,
        ConflictDeclaration,
        Criterion,
        JuryMember,
        Review,
        Score,
    )
    from evaluation.ranking import review_total
    from qmi.models import User

    CallJury.objects.create(call=call, phase="deliberation", reviewers_per_application=2)
    criteria = Criterion.objects.bulk_create(
        Criterion(call=call, label=f"Critère {k}", weight=k + 1, scale_max=5, position=k)
        for k in range(3)
    )
    users = User.objects.bulk_create(
        User(email=f"jure{j}@jury.example", password=make_password(None))
        for j in range(JURY_MEMBERS)
    )
    members = JuryMember.objects.bulk_create(JuryMember(call=call, user=u) for u in users)
    assignments = Assignment.objects.bulk_create(
        Assignment(jury_member=members[(i + k) % JURY_MEMBERS], application=application)
        for i, application in enumerate(judged)
        for k in range(2)
    )
    ConflictDeclaration.objects.bulk_create(
        ConflictDeclaration(assignment=a, has_conflict=False, declared_at=now) for a in assignments
    )

    def values(i):
        return {c.pk: (i * 7 + c.position * 3) % 6 for c in criteria}

    reviews = Review.objects.bulk_create(
        Review(
            assignment=a,
            status=Review.Status.FINAL,
            recommendation=("select", "waitlist", "reject")[i % 3],
            total=review_total(values(i), criteria),
            finalised_at=now,
        )
        for i, a in enumerate(assignments)
    )
    Score.objects.bulk_create(
        Score(review=r, criterion=c, value=values(i)[c.pk])
        for i, r in enumerate(reviews)
        for c in criteria
    )
    return users


def _siret(k):
    """A valid SIRET, different for every ``k`` below 10**8: a SIREN (8 digits, a multiple of
    the prime 7919 modulo 10**8, and its Luhn check digit), an establishment number and the
    Luhn check digit of the whole."""
    from stdnum import luhn

    siren = f"{(k + 1) * 7919 % 10**8:08d}"
    siren += luhn.calc_check_digit(siren)
    nic = f"{k % 10**4:04d}"
    return siren + nic + luhn.calc_check_digit(siren + nic)


def _png():
    """A PNG signature and padding: the images are stored, never decoded, by the pages."""
    return b"\x89PNG\r\n\x1a\n" + bytes(2048)


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
    from django.contrib.auth.hashers import make_password
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    from calls.domain.workflow import Status
    from calls.models import (
        Application,
        Attachment,
        Call,
        ReferenceSequence,
        StatusChange,
        UrbanChallenge,
    )
    from experimenters.models import (
        DistrictWish,
        Maturity,
        Organisation,
        ProjectApplication,
        StructureType,
        TeamMember,
    )
    from municipalities.models import Commune, InnovationDistrict, KeyArea
    from qmi.models import Applicant, Membership, User

    challenges = list(UrbanChallenge.objects.order_by("position").values_list("pk", flat=True))
    structures = StructureType.values
    maturities = Maturity.values
    call = Call.objects.create(
        edition=edition,
        kind=Call.Kind.EXPERIMENTERS,
        slug="appel-experimentateurs-1",
        title="Appel à expérimentations",
        title_en="Call for experimenters",
        description="Expérimentez votre solution dans un quartier d'innovation.",
        description_en="Test your solution in an innovation district.",
        opens_at=now - timedelta(days=10),
        closes_at=now + timedelta(days=30),
        max_selected=24,
    )
    ReferenceSequence.objects.create(edition=edition, kind=Call.Kind.EXPERIMENTERS, last=n)
    communes = list(Commune.objects.order_by("insee_code")[:DISTRICTS])
    districts = InnovationDistrict.objects.bulk_create(
        InnovationDistrict(
            commune=commune,
            edition=edition,
            slug=f"quartier-{d + 1}",
            name=f"Quartier d'innovation {commune.name}",
            key_area=KeyArea.values[d % len(KeyArea.values)],
            perimeter="Autour de la gare.",
            offer="Deux sites d'expérimentation et un agent référent.",
            is_published=True,
        )
        for d, commune in enumerate(communes)
    )
    call.districts.add(*districts)
    InnovationDistrict.challenges.through.objects.bulk_create(
        InnovationDistrict.challenges.through(
            innovationdistrict_id=district.pk,
            urbanchallenge_id=challenges[(d + k) % len(challenges)],
        )
        for d, district in enumerate(districts)
        for k in range(2)
    )

    n_organisations = math.ceil(n / PROJECTS_PER_ORGANISATION)
    unusable = make_password(None)
    owners = User.objects.bulk_create(
        User(
            email=f"porteur{o:05d}@organisation.example",
            first_name="Porteur",
            last_name=f"{o:05d}",
            password=unusable,
        )
        for o in range(n_organisations)
    )
    applicants = Applicant.objects.bulk_create(
        Applicant(kind=Applicant.Kind.ORGANISATION, name=f"Urbanlab {o:05d}")
        for o in range(n_organisations)
    )

    def foreign(o):
        return o % 10 == 9

    Organisation.objects.bulk_create(
        Organisation(
            applicant=applicant,
            legal_name=applicant.name,
            is_foreign=foreign(o),
            siret=None if foreign(o) else _siret(o),
            country="BE" if foreign(o) else "FR",
            registration_number=f"0{o:03d}.{o % 1000:03d}.{o % 997:03d}" if foreign(o) else "",
            structure_type=structures[o % len(structures)],
            created_on=(now - timedelta(days=400 + o % 2000)).date(),
            headcount=2 + o % 40,
            address=f"{1 + o % 200} rue de l'Innovation",
            postal_code="1000" if foreign(o) else f"750{1 + o % 20:02d}",
            city="Bruxelles" if foreign(o) else "Paris",
            website=f"https://urbanlab{o}.example",
            description="Des capteurs pour rafraîchir les cours d'école." * 3,
        )
        for o, applicant in enumerate(applicants)
    )
    Membership.objects.bulk_create(
        Membership(
            applicant=applicant,
            user=owner,
            role=Membership.Role.OWNER,
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
        Application(
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
            screening_structure_type=structures[o % len(structures)],
            screening_stage="prototype",
            screening_commercialised=False,
            screening_can_deploy=True,
            screened_at=application.created_at,
            title=f"Îlots de fraîcheur connectés n° {i + 1}",
            pitch="Des capteurs et des voiles d'ombrage pilotés pour rafraîchir les places.",
            problem=text if complete(i, status) else "",
            solution=text if complete(i, status) else "",
            innovation=text,
            maturity=maturities[i % len(maturities)],
            needs_space=True,
            needs_energy=i % 2 == 0,
            needs_network=i % 3 == 0,
            deployment_details=text,
            duration_months=1 + i % 18,
            expected_impacts=text,
            impact_measurement=text,
            budget=None if not complete(i, status) else 10_000 + (i * 137) % 90_000,
            funding="Fonds propres et subvention régionale.",
            references="Deux expérimentations avec des bailleurs sociaux.",
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
        ProjectApplication.IMAGES: stored("photo.png", _png(), "image/png"),
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
        for step, (name, source, target, actor) in enumerate(_history(status))
    )
    counts = {
        "projects": len(projects),
        "organisations": n_organisations,
        "wishes": len(wishes),
        "team members": len(team),
    }
    return owners[0], counts


# --- Measuring -------------------------------------------------------------------------------


@dataclass
class Measure:
    page: str
    n: int
    url: str
    median_ms: float
    p95_ms: float
    queries: int
    sql: list = field(default_factory=list)  # (ms, sql) of the captured request


def p95(samples):
    """Nearest-rank 95th percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def measure(page, n, client, url, repeat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get():
        response = client.get(url)
        if response.status_code != 200:
            location = response.get("Location", "")
            raise SystemExit(f"{page}: GET {url} answered {response.status_code} {location}")
        return response

    get()  # warm-up: templates compiled, URL resolver and caches filled
    timed = []

    def timer(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timed.append(((time.perf_counter() - start) * 1000, sql))

    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
        get()
    # Read now: the next request resets the connection's query log.
    queries = len(captured.captured_queries)
    sql = sorted(timed, key=lambda item: -item[0])
    gc.collect()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        get()
        samples.append((time.perf_counter() - start) * 1000)
    return Measure(
        page=page,
        n=n,
        url=url,
        median_ms=statistics.median(samples),
        p95_ms=p95(samples),
        queries=queries,
        sql=sql,
    )


def check_migrations():
    """Stop with a clear message when a model has changes that no migration creates yet."""
    from django.core.management import call_command

    try:
        call_command("makemigrations", check=True, dry_run=True, verbosity=0)
    except SystemExit:
        raise SystemExit(
            "The models have changes without a migration (manage.py makemigrations --check): "
            "the benchmark needs the schema the migrations build."
        ) from None


def run_size(n, repeat):
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.sites.models import Site
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    started = time.perf_counter()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    migrated = time.perf_counter()
    try:
        ContentType.objects.clear_cache()
        Site.objects.clear_cache()
        world = seed(n)
        seeded = time.perf_counter()
        timings = {"migrate_s": migrated - started, "seed_s": seeded - migrated}
        print(
            f"N={n:>6}: migrated in {timings['migrate_s']:.1f} s, seeded in "
            f"{timings['seed_s']:.1f} s "
            f"({', '.join(f'{v} {k}' for k, v in world.counts.items())})",
            flush=True,
        )

        staff = Client()
        staff.force_login(world.staff, backend=MODEL_BACKEND)
        officer = Client()
        officer.force_login(world.officer, backend=MODEL_BACKEND)
        visitor = Client()
        juror = Client()
        juror.force_login(world.juror, backend=MODEL_BACKEND)
        experimenter = Client()
        experimenter.force_login(world.experimenter, backend=MODEL_BACKEND)
        pages = [
            ("admin: applications", staff, reverse("admin:calls_application_changelist")),
            ("applicant dashboard", officer, reverse("dashboard")),
            ("public call page", visitor, world.open_call.get_absolute_url()),
            ("jury dashboard", juror, reverse("evaluation:call", args=[world.jury_call.slug])),
            ("ranking", staff, reverse("admin:calls_call_ranking", args=[world.jury_call.pk])),
            ("experimenter dashboard", experimenter, reverse("dashboard")),
            ("admin: projects", staff, reverse("admin:experimenters_projectenvelope_changelist")),
        ]
        results = [measure(page, n, client, url, repeat) for page, client, url in pages]
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return results, timings


# --- Report ----------------------------------------------------------------------------------


def print_table(results, repeat):
    width = max(len(m.url) for m in results)
    header = (
        f"{'page':<22} {'url':<{width}} {'N':>7} {'median ms':>10} {'p95 ms':>8} {'queries':>8}"
    )
    print()
    print(f"Server time over {repeat} requests after one warm-up (in-process test client)")
    print(header)
    print("-" * len(header))
    for m in sorted(results, key=lambda m: (PAGE_ORDER.index(m.page), m.n)):
        print(
            f"{m.page:<22} {m.url:<{width}} {m.n:>7} {m.median_ms:>10.1f} {m.p95_ms:>8.1f} "
            f"{m.queries:>8}"
        )


def print_queries(results):
    largest = max(m.n for m in results)
    for m in results:
        if m.n != largest:
            continue
        print(f"\nSQL of {m.page} ({m.url}) at N={largest}, slowest first:")
        for ms, sql in m.sql:
            print(f"  {ms:7.2f} ms  {' '.join(sql.split())[:220]}")


def main(argv=None):
    args = parse_args(argv)
    bench_dir = Path(tempfile.mkdtemp(prefix="qmi-bench-"))
    try:
        setup_django(bench_dir)
        from django.conf import settings

        database = settings.DATABASES["default"]
        where = (
            f"database {database['TEST']['NAME']!r} on the server of DATABASE_URL "
            f"({database['ENGINE'].rsplit('.', 1)[-1]})"
            if settings.USE_DATABASE_SERVER
            else "SQLite in a temporary folder"
        )
        print(f"QMI portal benchmark: sizes {args.sizes}, {args.repeat} requests, {where}")
        check_migrations()
        results, timings = [], {}
        for n in args.sizes:
            measures, timings[n] = run_size(n, args.repeat)
            results.extend(measures)
    finally:
        shutil.rmtree(bench_dir, ignore_errors=True)

    print_table(results, args.repeat)
    print()
    for n, t in timings.items():
        print(f"seeding N={n}: {t['seed_s']:.2f} s (migrations {t['migrate_s']:.2f} s)")
    if args.queries:
        print_queries(results)

    differing = []
    for page in PAGE_ORDER:
        counts = {m.n: m.queries for m in results if m.page == page}
        if len(set(counts.values())) > 1:
            differing.append(f"{page} {counts}")
    print()
    if len(args.sizes) < 2:
        print("query counts equal: n/a (one size only)")
    else:
        print(f"query counts equal: {'no' if differing else 'yes'}")
        for line in differing:
            print(f"  differs: {line}")

    if args.json:
        payload = {
            "sizes": args.sizes,
            "repeat": args.repeat,
            "timings": {str(n): t for n, t in timings.items()},
            "results": [asdict(m) for m in results],
            "query_counts_equal": not differing,
        }
        Path(args.json).write_text(json.dumps(payload, indent=2, ensure_ascii=False))
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())

"""Seeding of the calls for municipalities: applicants, applications, their history and
the jury's reviews."""

import hashlib
import math
from dataclasses import dataclass, field
from datetime import timedelta

from bench import environment  # noqa: F401  (starts Django before any model is imported)

# isort: split

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection, transaction
from django.utils import timezone

from bench.seed_common import BENCH_EDITION, history, people
from bench.seed_experimenters import seed_experimenters
from calls.domain.workflow import Status
from calls.models import (
    Application,
    Attachment,
    Call,
    FaqEntry,
    KeyDate,
    ReferenceSequence,
    StatusChange,
    UrbanChallenge,
)
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
from municipalities import samples as municipality_samples
from municipalities.models import Commune, KeyArea, MunicipalityApplication
from qmi.models import Applicant, Membership
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    CallFactory,
    CriterionFactory,
    EditionFactory,
    JuryMemberFactory,
    MembershipFactory,
    StaffFactory,
    pdf_bytes,
    with_second_factor,
)

CALLS = 3  # calls of the edition; every applicant applies at most once to each


JURY_MEMBERS = 8  # on the jury of the judged call; each application under review gets two


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


def seed(n):
    """N applications of kind "municipalities" over CALLS calls of one edition, bulk inserted.

    Applicant ``i`` applies to calls 0..CALLS-1 (one application per call, as the call for
    municipalities allows), so there are ceil(N / CALLS) applicants; the first 130 are the
    member communes, the others municipalities made up for the benchmark. Applicant 0, whose
    member is the measured officer, always has exactly CALLS applications. Then N projects to
    a call for experimenters of the same edition (``seed_experimenters``).
    """

    if not connection.features.can_return_rows_from_bulk_insert:
        raise SystemExit("The database must return the ids of bulk inserts (SQLite >= 3.35).")

    now = timezone.now()
    challenges = list(UrbanChallenge.objects.order_by("position").values_list("pk", flat=True))
    key_areas = [value for value, _label in KeyArea.choices]
    plan = _status_plan()
    pdf = pdf_bytes()

    with transaction.atomic():
        staff = StaffFactory(
            email="equipe@parisandco.example", first_name="Équipe", last_name="QMI"
        )
        edition = EditionFactory(
            number=BENCH_EDITION,
            title=f"{BENCH_EDITION}e édition",
            title_en=f"Edition {BENCH_EDITION}",
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
        calls = [
            CallFactory(
                edition=edition,
                slug=f"appel-communes-{c + 1}",
                title=f"Appel à manifestation d'intérêt des communes n° {CALLS - c}",
                title_en=f"Call for municipalities no. {CALLS - c}",
                description="Proposez un quartier d'innovation.\n\nDeux paragraphes.",
                eligibility="Les communes membres de la Métropole du Grand Paris.",
                opens_at=now - timedelta(days=10 + 365 * c),
                closes_at=now + timedelta(days=30 - 365 * c),
                results_published_at=now - timedelta(days=200) if c == CALLS - 1 else None,
            )
            for c in range(CALLS)
        ]
        ReferenceSequence.objects.create(edition=edition, kind=Call.Kind.MUNICIPALITIES, last=n)

        n_applicants = math.ceil(n / CALLS)
        communes = list(Commune.objects.filter(applicant__isnull=True).order_by("insee_code"))
        users = people(n_applicants, email="agent{n:05d}@commune.example", first_name="Agent")
        applicants = Applicant.objects.bulk_create(
            ApplicantFactory.build(
                kind=Applicant.Kind.MUNICIPALITY,
                name=communes[a].name if a < len(communes) else f"Commune fictive {a:05d}",
            )
            for a in range(n_applicants)
        )
        for commune, applicant in zip(communes, applicants, strict=False):
            commune.applicant = applicant
        Commune.objects.bulk_update(communes[:n_applicants], ["applicant"], batch_size=500)
        Membership.objects.bulk_create(
            MembershipFactory.build(
                applicant=applicant,
                user=user,
                role=Membership.Role.OWNER,
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
            ApplicationFactory.build(
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
                **{
                    **municipality_samples.ANSWERS,
                    "district_name": f"Quartier {i:05d}",
                    "key_area": key_areas[i % len(key_areas)],
                    "location": "Autour de la gare, entre l'avenue et le canal." * 3,
                    "inhabitants": 2000 + (i * 37) % 20000,
                    "current_projects": "Rénovation urbaine, travaux de la ligne 15." * 3,
                    "local_stakes": "Apaiser l'espace public et accueillir de nouveaux usages." * 5,
                    "offer": "Deux sites, des données de comptage et un agent à mi-temps." * 3,
                    **dict.fromkeys(MunicipalityApplication.COMMITMENTS, complete(i, status)),
                    "elected_email": f"elu{i}@commune.example",
                    "referent_name": "Alex Durand" if complete(i, status) else "",
                    "referent_email": f"referent{i}@commune.example",
                },
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
            for step, (name, source, target, actor) in enumerate(history(status))
        )
        # The jury of the closed call without results (calls[1]) scored its applications.
        judged = [
            application
            for application, (_a, c, status) in zip(applications, rows, strict=True)
            if c == 1 and status in (Status.ELIGIBLE, Status.SHORTLISTED)
        ]
        jurors = seed_jury(calls[1], judged, now)
        with_second_factor(getattr(jurors[0], "user", jurors[0]))  # the jury space asks it
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

    CallJury.objects.create(call=call, phase="deliberation", reviewers_per_application=2)
    criteria = Criterion.objects.bulk_create(
        CriterionFactory.build(call=call, label=f"Critère {k}", weight=k + 1, position=k)
        for k in range(3)
    )
    users = people(JURY_MEMBERS, email="jure{n}@jury.example", first_name="Juré")
    members = JuryMember.objects.bulk_create(
        JuryMemberFactory.build(call=call, user=u) for u in users
    )
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

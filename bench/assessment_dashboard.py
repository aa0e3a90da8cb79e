"""Benchmark of the staff's dashboard of an assessment campaign at two numbers of
experimentations: its SQL queries (target: the same at both sizes) and its server time
(median of the runs), key figures and the six charts drawn on the server included.

    .venv/bin/python bench/assessment_dashboard.py [--sizes 10 1000] [--repeat 3]

A fresh SQLite database in a temporary folder (bench/settings.py), removed at the end. For
each size, one campaign of the edition assesses that many experimentations spread over five
districts: each with its three sides filled (the common grid scored and justified; nine sides
in ten submitted), two indicators of its protocol, an outcome, and a questionnaire on the
programme answered by each organisation. The rows are built by the test factories and
inserted in bulk.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

os.environ.pop("DATABASE_URL", None)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import environment  # noqa: E402, F401  (starts Django before any model is imported)

# isort: split

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from calls.domain.workflow import Status  # noqa: E402
from calls.models import Application  # noqa: E402
from evaluation.assessment.campaign import cover  # noqa: E402
from evaluation.models import (  # noqa: E402
    Assessment,
    AssessmentSide,
    GridAnswer,
    GridCriterion,
    Outcome,
    ProgrammeFeedback,
    ProtocolIndicator,
)
from experimenters.models import (  # noqa: E402
    Experimentation,
    ExperimentationStatus,
    ProjectApplication,
)
from municipalities.models import Commune  # noqa: E402
from qmi.models import Applicant  # noqa: E402
from tests.factories import (  # noqa: E402
    ApplicantFactory,
    ApplicationFactory,
    AssessmentCampaignFactory,
    DistrictFactory,
    EditionFactory,
    ExperimentationFactory,
    ExperimenterCallFactory,
    StaffFactory,
)

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
DISTRICTS = 5
OUTCOMES = list(Outcome)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[10, 1000], metavar="N")
    parser.add_argument("--repeat", type=int, default=3)
    return parser.parse_args(argv)


def seed_experimentations(n, edition, staff, *, offset):
    """``n`` running experimentations of a new call, spread over DISTRICTS new districts, of
    one organisation in ten (at least three)."""
    communes = Commune.objects.filter(applicant__isnull=True).order_by("insee_code")
    districts = [
        DistrictFactory(edition=edition, commune=communes[offset + k], slug=f"q-{n}-{k}")
        for k in range(DISTRICTS)
    ]
    call = ExperimenterCallFactory(edition=edition, slug=f"vague-{n}", districts=districts)
    organisations = Applicant.objects.bulk_create(
        ApplicantFactory.build(kind=Applicant.Kind.ORGANISATION, name=f"Structure {n}-{k}")
        for k in range(max(3, n // 10))
    )
    now = timezone.now()
    applications = Application.objects.bulk_create(
        ApplicationFactory.build(
            call=call,
            kind=call.kind,
            applicant=organisations[k % len(organisations)],
            created_by=staff,
            reference=f"QMI9-B{n}-{k:05d}",
            status=Status.SELECTED,
            submitted_at=now,
        )
        for k in range(n)
    )
    ProjectApplication.objects.bulk_create(
        ProjectApplication(application=a, title=f"Projet {k}") for k, a in enumerate(applications)
    )
    Experimentation.objects.bulk_create(
        ExperimentationFactory.build(
            application=a,
            district=districts[k % DISTRICTS],
            manager=staff,
            status=ExperimentationStatus.RUNNING,
            actual_start=timezone.localdate() - timedelta(days=500),
        )
        for k, a in enumerate(applications)
    )
    return call, organisations


def seed(n, edition, staff, *, offset):
    """A campaign assessing ``n`` experimentations, filled as described above."""
    call, organisations = seed_experimentations(n, edition, staff, offset=offset)
    now = timezone.now()
    campaign = AssessmentCampaignFactory(
        edition=edition,
        title=f"Bilan {n}",
        opens_at=now - timedelta(days=60),
        closes_at=now - timedelta(days=1),
    )
    cover(campaign, Experimentation.objects.filter(application__call=call))
    criteria = list(GridCriterion.objects.filter(axis__campaign=campaign))
    sides = list(AssessmentSide.objects.filter(assessment__campaign=campaign).order_by("pk"))
    GridAnswer.objects.bulk_create(
        GridAnswer(
            side=side,
            criterion=criterion,
            score=(k + c + len(side.party)) % criterion.scale_max + 1,
            justification="Constaté sur le terrain, voir les mesures du protocole.",
        )
        for k, side in enumerate(sides)
        for c, criterion in enumerate(criteria)
    )
    submitted = [s.pk for k, s in enumerate(sides) if k % 10]
    AssessmentSide.objects.filter(pk__in=submitted).update(submitted_at=now, submitted_by=staff)
    assessments = list(Assessment.objects.filter(campaign=campaign).order_by("pk"))
    ProtocolIndicator.objects.bulk_create(
        ProtocolIndicator(
            assessment=a,
            name=name,
            unit="%",
            baseline=Decimal(10),
            target=Decimal(60),
            measured=Decimal(10 + (k * 7 + i * 13) % 70),
            position=i,
        )
        for k, a in enumerate(assessments)
        for i, name in enumerate(["Taux d'usage", "Satisfaction des usagers"], start=1)
    )
    for k, assessment in enumerate(assessments):
        assessment.outcome = OUTCOMES[k % len(OUTCOMES)]
        assessment.jobs_created = k % 4
        assessment.users_reached = 100 + k
        assessment.funds_raised = Decimal(1000 * (k % 5))
        assessment.contracts = k % 3
        assessment.contracts_amount = Decimal(2500 * (k % 3))
    Assessment.objects.bulk_update(
        assessments,
        [
            "outcome",
            "jobs_created",
            "users_reached",
            "funds_raised",
            "contracts",
            "contracts_amount",
        ],
        batch_size=500,
    )
    ProgrammeFeedback.objects.bulk_create(
        ProgrammeFeedback(
            campaign=campaign,
            applicant=applicant,
            support=1 + k % 5,
            training=1 + (k + 1) % 5,
            network=1 + (k + 2) % 5,
            submitted_at=now,
            submitted_by=staff,
        )
        for k, applicant in enumerate(organisations)
    )
    return campaign


def measure(client, url, repeat):
    """Median time (ms) of ``repeat`` requests after a warm-up, and the queries of one."""
    client.get(url)
    times, counts = [], set()
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
        counts.add(len(queries))
    return statistics.median(times) * 1000, counts


def main(argv=None):
    args = parse_args(argv)
    call_command("migrate", verbosity=0)
    edition = EditionFactory(number=9, title="Bench")
    staff = StaffFactory(email="bench@parisandco.example")
    client = Client()
    client.force_login(staff, backend=MODEL_BACKEND)
    print("Dashboard of an assessment campaign (staff admin), in-process test client")
    queries_by_size = {}
    for i, n in enumerate(args.sizes):
        started = time.perf_counter()
        campaign = seed(n, edition, staff, offset=i * DISTRICTS)
        seeded = time.perf_counter() - started
        url = reverse("admin:evaluation_assessmentcampaign_dashboard", args=[campaign.pk])
        median, counts = measure(client, url, args.repeat)
        queries_by_size[n] = counts
        print(
            f"  N={n:>5}  dashboard  median {median:7.1f} ms (of {args.repeat}), "
            f"{', '.join(map(str, sorted(counts)))} queries   (seeded in {seeded:.1f} s)",
            flush=True,
        )
    counts = set().union(*queries_by_size.values())
    equal = len(counts) == 1
    print(f"  query counts equal at both sizes: {'yes' if equal else 'NO'} (target: yes)")
    return 0 if equal else 1


if __name__ == "__main__":
    sys.exit(main())

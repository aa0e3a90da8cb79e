"""Benchmark of the experimentations' pages at two numbers of experimentations.

* the list of the experimentations I follow, for the municipality hosting the district (it
  follows them all) and for the organisation (it follows a third): queries (the same at both
  sizes) and time;
* one experimentation's page with its documents;
* the staff's programme board (the edition's experimentations by district, 100 a page);
* one report's page and its form, for the organisation;
* the scan for the reminders about reports (each experimentation running for four months:
  its kick-off report filed, its deployment report late, two to come).

    .venv/bin/python bench/experimentations.py [--sizes 10 1000] [--repeat 20]

A fresh SQLite database in a temporary folder (bench/settings.py), removed at the end; the
rows are made by the test factories.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
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

from bench.seed_common import people  # noqa: E402
from calls.domain.workflow import Status  # noqa: E402
from calls.models import Application  # noqa: E402
from experimenters import reports  # noqa: E402
from experimenters.models import (  # noqa: E402
    Experimentation,
    ExperimentationStatus,
    ProjectApplication,
    Report,
    ReportStatus,
)
from municipalities.models import Commune  # noqa: E402
from municipalities.services import applicant_for  # noqa: E402
from qmi.models import Applicant, Membership  # noqa: E402
from tests.factories import (  # noqa: E402
    ApplicantFactory,
    ApplicationFactory,
    DistrictFactory,
    EditionFactory,
    ExperimentationFactory,
    ExperimenterCallFactory,
    MembershipFactory,
    StaffFactory,
)

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
ORGANISATIONS = 3


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[10, 1000], metavar="N")
    parser.add_argument("--repeat", type=int, default=20)
    return parser.parse_args(argv)


def seed(n, edition, staff, *, offset):
    """``n`` experimentations in one district, of ORGANISATIONS organisations; returns the
    district's municipal officer, the first organisation's owner and one experimentation."""
    commune = Commune.objects.filter(applicant__isnull=True).order_by("insee_code")[offset]
    district = DistrictFactory(edition=edition, commune=commune, slug=f"q-{n}")
    call = ExperimenterCallFactory(edition=edition, slug=f"vague-{n}", districts=[district])
    officer, *owners = people(
        1 + ORGANISATIONS, email=f"suivi{n}-" + "{n}@bench.example", first_name="Suivi"
    )
    Membership.objects.bulk_create(
        [
            MembershipFactory.build(applicant=applicant_for(commune), user=officer),
            *(
                MembershipFactory.build(applicant=applicant, user=owner, role=Membership.Role.OWNER)
                for applicant, owner in zip(
                    Applicant.objects.bulk_create(
                        ApplicantFactory.build(
                            kind=Applicant.Kind.ORGANISATION, name=f"Structure {n}-{k}"
                        )
                        for k in range(ORGANISATIONS)
                    ),
                    owners,
                    strict=True,
                )
            ),
        ]
    )
    organisations = list(
        Applicant.objects.filter(
            kind=Applicant.Kind.ORGANISATION, name__startswith=f"Structure {n}-"
        ).order_by("pk")
    )
    now = timezone.now()
    applications = Application.objects.bulk_create(
        ApplicationFactory.build(
            call=call,
            kind=call.kind,
            applicant=organisations[k % ORGANISATIONS],
            created_by=owners[k % ORGANISATIONS],
            reference=f"QMI9-X{n}-{k:05d}",
            status=Status.SELECTED,
            submitted_at=now,
        )
        for k in range(n)
    )
    ProjectApplication.objects.bulk_create(
        ProjectApplication(application=a, title=f"Projet {k}") for k, a in enumerate(applications)
    )
    started = timezone.localdate() - timedelta(days=120)
    experimentations = Experimentation.objects.bulk_create(
        ExperimentationFactory.build(
            application=a,
            district=district,
            manager=staff,
            status=ExperimentationStatus.RUNNING,
            actual_start=started,
        )
        for a in applications
    )
    milestones = reports.schedule_of(edition)
    Report.objects.bulk_create(
        Report(
            experimentation=e,
            milestone=m,
            due_at=reports.due_at_for(e, m),
            status=ReportStatus.ACCEPTED if k == 0 else ReportStatus.DRAFT,
            submitted_at=reports.due_at_for(e, m) if k == 0 else None,
        )
        for e in experimentations
        for k, m in enumerate(milestones)
    )
    return officer, owners[0], experimentations[0]


def measure(client, url, repeat):
    client.get(url)
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times) * 1000, len(queries)


def main(argv=None):
    args = parse_args(argv)
    call_command("migrate", verbosity=0)
    edition = EditionFactory(number=9, title="Bench")
    staff = StaffFactory(email="bench@parisandco.example")
    counts = {}
    print("Experimentations' pages, in-process test client")
    for i, n in enumerate(args.sizes):
        officer, owner, one = seed(n, edition, staff, offset=i)
        rows = []
        report = one.reports.order_by("due_at")[1]
        for who, user, url in [
            ("municipality: list", officer, reverse("experimenters:experimentations")),
            ("organisation: list", owner, reverse("experimenters:experimentations")),
            ("organisation: one", owner, reverse("experimenters:experimentation", args=[one.pk])),
            ("staff: board", staff, reverse("admin:experimenters_experimentation_board")),
            ("organisation: report", owner, reverse("experimenters:report", args=[report.pk])),
            ("organisation: form", owner, reverse("experimenters:report_edit", args=[report.pk])),
        ]:
            client = Client()
            client.force_login(user, backend=MODEL_BACKEND)
            median, queries = measure(client, url, args.repeat)
            counts.setdefault(who, set()).add(queries)
            rows.append(f"  N={n:>5}  {who:<20} median {median:6.1f} ms, {queries} queries")
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            due = reports.due()
            elapsed = (time.perf_counter() - started) * 1000
        rows.append(
            f"  N={n:>5}  {'report reminders scan':<20} {elapsed:6.1f} ms, {len(queries)} queries,"
            f" {len(due)} due (a late notice per experimentation seeded so far)"
        )
        counts.setdefault("report reminders scan", set()).add(len(queries))
        print("\n".join(rows))
    equal = all(len(c) == 1 for c in counts.values())
    print(f"  query counts equal at both sizes: {'yes' if equal else 'NO'} (target: yes)")
    return 0 if equal else 1


if __name__ == "__main__":
    sys.exit(main())

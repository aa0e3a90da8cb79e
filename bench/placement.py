"""Benchmark of the placement of laureates in innovation districts.

* the solver alone (``evaluation.placement.solver``) on 200 laureates wishing three of 12
  districts of 6 to 8 places each: the best of a few solves, against the target of 1 s;
* the staff's placement page and a proposal through the service, at two numbers of laureates
  (24 and 96 over 12 districts of 1 to 8 places): queries (the same at both sizes), time.

For the solver, wishes are skewed as in the real calls: the first districts are far more
wished.

    .venv/bin/python bench/placement.py [--projects 200] [--districts 12] [--repeat 5]

A fresh SQLite database in a temporary folder (bench/settings.py), removed at the end; the
rows are made by the test factories.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

# Always the throw-away SQLite database, whatever DATABASE_URL says.
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
from evaluation.models import Decision  # noqa: E402
from evaluation.placement import service, solver  # noqa: E402
from experimenters.models import DistrictWish, ProjectApplication  # noqa: E402
from municipalities.models import Commune  # noqa: E402
from qmi.models import Applicant  # noqa: E402
from tests.factories import (  # noqa: E402
    ApplicantFactory,
    ApplicationFactory,
    DistrictFactory,
    EditionFactory,
    ExperimenterCallFactory,
    StaffFactory,
)

SOLVE_TARGET_S = 1.0
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=200)
    parser.add_argument("--districts", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs=2, default=[24, 96], metavar="N")
    return parser.parse_args(argv)


def instance(n_projects, n_districts, rng):
    districts = [
        solver.District(key=d, name=f"Quartier {d}", minimum=6, maximum=8)
        for d in range(n_districts)
    ]
    projects = [
        solver.Project(
            key=1000 + p,
            label=f"E-{p:05d}",
            score=rng.uniform(0, 5),
            wishes={d: r + 1 for r, d in enumerate(_three(rng, n_districts))},
        )
        for p in range(n_projects)
    ]
    return projects, districts


def _three(rng, n_districts):
    """Three distinct districts, the first ones far more wished (as around stations)."""
    chosen = []
    while len(chosen) < 3:
        d = min(int(rng.expovariate(3 / n_districts)), n_districts - 1)
        if d not in chosen:
            chosen.append(d)
    return chosen


def bench_solver(args):
    rng = random.Random(2026)
    projects, districts = instance(args.projects, args.districts, rng)
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        proposal = solver.solve(projects, districts)
        times.append(time.perf_counter() - started)
    first = sum(
        1
        for p in projects
        if proposal.placed[p.key] is not None and p.wishes.get(proposal.placed[p.key]) == 1
    )
    print(
        f"Solver, {args.projects} laureates × {args.districts} districts (6–8 places): "
        f"best {min(times) * 1000:.0f} ms, median {statistics.median(times) * 1000:.0f} ms "
        f"(target < {SOLVE_TARGET_S * 1000:.0f} ms) — {proposal.placed_count} placed, "
        f"{first} on their first wish"
    )
    return min(times) < SOLVE_TARGET_S


def seed_call(n, n_districts, staff, edition, rng, *, offset):
    """A call over ``n_districts`` new districts (member communes from ``offset``) and ``n``
    shortlisted projects with a pending "selected" decision, each wishing three districts."""
    communes = list(Commune.objects.order_by("insee_code")[offset : offset + n_districts])
    districts = [
        DistrictFactory(
            edition=edition,
            commune=commune,
            slug=f"q-{n}-{k}",
            name=f"Quartier {k}",
            capacity_min=1,
            capacity_max=8,
        )
        for k, commune in enumerate(communes)
    ]
    call = ExperimenterCallFactory(edition=edition, slug=f"placement-{n}", districts=districts)
    owners = people(n, email=f"laureat{n}-" + "{n}@bench.example", first_name="Lauréat")
    applicants = Applicant.objects.bulk_create(
        ApplicantFactory.build(kind=Applicant.Kind.ORGANISATION, name=f"Lauréat {k}")
        for k in range(n)
    )
    now = timezone.now()
    applications = Application.objects.bulk_create(
        ApplicationFactory.build(
            call=call,
            kind=call.kind,
            applicant=applicant,
            created_by=owner,
            reference=f"QMI9-P{n}-{k:04d}",
            status=Status.SHORTLISTED,
            submitted_at=now,
            submitted_by=owner,
        )
        for k, (applicant, owner) in enumerate(zip(applicants, owners, strict=True))
    )
    projects = ProjectApplication.objects.bulk_create(
        ProjectApplication(application=a, title=f"Projet {k}") for k, a in enumerate(applications)
    )
    DistrictWish.objects.bulk_create(
        DistrictWish(project=project, district=districts[d], rank=r + 1)
        for project in projects
        for r, d in enumerate(rng.sample(range(n_districts), 3))
    )
    Decision.objects.bulk_create(
        Decision(application=a, outcome="selected", recorded_by=staff, recorded_at=now)
        for a in applications
    )
    return call


def bench_page(args, staff, edition):
    rng = random.Random(9)
    client = Client()
    client.force_login(staff, backend=MODEL_BACKEND)
    counts = {}
    for i, n in enumerate(args.sizes):
        call = seed_call(n, args.districts, staff, edition, rng, offset=i * args.districts)
        started = time.perf_counter()
        try:
            service.propose(call, by=staff)
        except service.PlacementError as error:
            print(f"  N={n}: {' '.join(error.messages)}")
        proposed = time.perf_counter() - started
        url = reverse("admin:calls_call_placement", args=[call.pk])
        client.get(url)
        times = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
        counts[n] = len(queries)
        print(
            f"  {n:>4} laureates: page median {statistics.median(times) * 1000:6.1f} ms, "
            f"{len(queries)} queries; proposal saved in {proposed * 1000:.0f} ms"
        )
    equal = len(set(counts.values())) == 1
    print(f"  query counts equal at both sizes: {'yes' if equal else 'NO'} (target: yes)")
    return equal


def main(argv=None):
    args = parse_args(argv)

    call_command("migrate", verbosity=0)
    ok = bench_solver(args)
    edition = EditionFactory(number=9, title="Bench")
    staff = StaffFactory(email="bench@parisandco.example")
    print(f"Placement page (admin), {args.districts} districts, in-process test client")
    ok = bench_page(args, staff, edition) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

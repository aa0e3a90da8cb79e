"""Benchmark of the sessions' lists at two sizes: the queries (the same at both) and the time of

* the public list of sessions (``/rencontres/``), for an anonymous visitor: N upcoming public
  webinars (the page shows the next 50), each with registrations;
* the home page, which lists the next three webinars;
* the staff's list of registrations (``/admin/calls/registration/``, 100 a page): N sessions'
  registrations, ten each, with questions asked in advance.

    .venv/bin/python bench/session_lists.py [--sizes 10 1000] [--repeat 20]

A fresh SQLite database in a temporary folder (bench/settings.py), removed at the end; the rows
are made by the test factories and inserted in bulk.
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

from calls.models import Registration, Session  # noqa: E402
from tests.factories import (  # noqa: E402
    EditionFactory,
    RegistrationFactory,
    SessionFactory,
    StaffFactory,
)

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
PER_SESSION = 10


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[10, 1000], metavar="N")
    parser.add_argument("--repeat", type=int, default=20)
    return parser.parse_args(argv)


def seed(n, edition):
    """Up to ``n`` sessions in all, each with PER_SESSION registrations."""
    missing = n - Session.objects.count()
    start = timezone.now() + timedelta(days=5)
    sessions = Session.objects.bulk_create(
        SessionFactory.build(
            edition=edition,
            starts_at=start + timedelta(hours=k),
            ends_at=start + timedelta(hours=k, minutes=60),
        )
        for k in range(missing)
    )
    Registration.objects.bulk_create(
        RegistrationFactory.build(
            session=session,
            email=f"s{session.pk}-{k}@bench.example",
            question="Une question ?" if k % 3 == 0 else "",
        )
        for session in sessions
        for k in range(PER_SESSION)
    )


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
    print("Sessions' lists, in-process test client")
    for n in args.sizes:
        seed(n, edition)
        admin = Client()
        admin.force_login(staff, backend=MODEL_BACKEND)
        for who, client, url in [
            ("public: sessions", Client(), reverse("calls:sessions")),
            ("public: home", Client(), reverse("home")),
            ("staff: registrations", admin, reverse("admin:calls_registration_changelist")),
        ]:
            median, queries = measure(client, url, args.repeat)
            counts.setdefault(who, set()).add(queries)
            print(f"  N={n:>5}  {who:<22} median {median:6.1f} ms, {queries} queries")
    equal = all(len(c) == 1 for c in counts.values())
    print(f"  query counts equal at both sizes: {'yes' if equal else 'NO'} (target: yes)")
    return 0 if equal else 1


if __name__ == "__main__":
    sys.exit(main())

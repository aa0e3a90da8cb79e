"""Benchmark of the staff lists' exports (``calls.admin.exporting``) at two sizes: the queries
(the same at both) and the time of the CSV and XLSX of

* the registrations to sessions (``/admin/calls/registration/export/…``): N registrations;
* the organisations (``/admin/experimenters/organisation/export/…``): N / 10 organisations.

    .venv/bin/python bench/list_exports.py [--sizes 200 2000] [--repeat 3]

Up to ``LIST_EXPORT_INLINE_MAX`` (2,000) rows the file comes back at once: that is what is
timed here. A fresh SQLite database in a temporary folder (bench/settings.py), removed at the
end; the rows are made by the test factories.
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

from calls.models import Registration  # noqa: E402
from experimenters.models import Organisation  # noqa: E402
from tests.factories import (  # noqa: E402
    EditionFactory,
    OrganisationFactory,
    RegistrationFactory,
    SessionFactory,
    StaffFactory,
)

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[200, 2000], metavar="N")
    parser.add_argument("--repeat", type=int, default=3)
    return parser.parse_args(argv)


def seed(n, session):
    missing = n - Registration.objects.count()
    Registration.objects.bulk_create(
        RegistrationFactory.build(session=session, email=f"r{k}-{n}@bench.example")
        for k in range(missing)
    )
    for _ in range(n // 10 - Organisation.objects.count()):
        OrganisationFactory()


def measure(client, url, repeat):
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            b"".join(response.streaming_content)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times) * 1000, len(queries)


def main(argv=None):
    args = parse_args(argv)
    call_command("migrate", verbosity=0)
    edition = EditionFactory(number=9, title="Bench")
    session = SessionFactory(edition=edition, starts_at=timezone.now() + timedelta(days=3))
    staff = StaffFactory(email="bench@parisandco.example")
    counts = {}
    print("Staff lists' exports, in-process test client")
    for n in args.sizes:
        seed(n, session)
        admin = Client()
        admin.force_login(staff, backend=MODEL_BACKEND)
        for who, name in [
            ("registrations", "calls_registration"),
            ("organisations", "experimenters_organisation"),
        ]:
            for format in ("csv", "xlsx"):
                url = reverse(f"admin:{name}_list_export", kwargs={"format": format})
                median, queries = measure(admin, url, args.repeat)
                counts.setdefault((who, format), set()).add(queries)
                rows = Registration.objects.count() if who == "registrations" else n // 10
                print(
                    f"  {who:<14} {format:<4} {rows:>5} rows  median {median:7.1f} ms, "
                    f"{queries} queries"
                )
    equal = all(len(c) == 1 for c in counts.values())
    print(f"  query counts equal at both sizes: {'yes' if equal else 'NO'} (target: yes)")
    return 0 if equal else 1


if __name__ == "__main__":
    sys.exit(main())

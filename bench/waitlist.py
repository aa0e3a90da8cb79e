"""Benchmark of the waiting list at two sizes: the queries (the same at both) and the time of

* the staff's waiting-list page of a call (``/admin/calls/call/<id>/waitlist/``): N
  waitlisted applications in rank order, the places left, the laureates' answers;
* the staff's list of offers of a place (``/admin/calls/offer/``, 50 a page): N offers.

    .venv/bin/python bench/waitlist.py [--sizes 10 200] [--repeat 10]

A fresh SQLite database in a temporary folder (bench/settings.py), removed at the end; the
applications are made by the test factories, their statuses and decisions written in bulk.
"""

import argparse
import os
import sys
from pathlib import Path

os.environ.pop("DATABASE_URL", None)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import environment  # noqa: E402, F401  (starts Django before any model is imported)
from bench.measure import measure  # noqa: E402

# isort: split

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from calls.domain import offers  # noqa: E402
from calls.domain.workflow import Status  # noqa: E402
from calls.models import Application, Call  # noqa: E402
from evaluation.models import Decision  # noqa: E402
from tests.factories import CallFactory, StaffFactory, SubmittedApplicationFactory  # noqa: E402

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[10, 200], metavar="N")
    parser.add_argument("--repeat", type=int, default=10)
    return parser.parse_args(argv)


def seed(call, n, staff):
    """Up to ``n`` waitlisted applications of ``call``, each with an offer answered or not."""
    missing = n - Application.objects.filter(call=call, status=Status.WAITLISTED).count()
    made = [SubmittedApplicationFactory(call=call) for _ in range(missing)]
    ids = [a.pk for a in made]
    Application.objects.filter(pk__in=ids).update(status=Status.WAITLISTED)
    now = timezone.now()
    Decision.objects.bulk_create(
        Decision(application_id=pk, outcome="waitlisted", recorded_by=staff, recorded_at=now)
        for pk in ids
    )
    for application in made:  # an offer each, for the offers' list (answered or not)
        offers.open_offer(application, now=now)


def main(argv=None):
    args = parse_args(argv)
    call_command("migrate", verbosity=0)
    staff = StaffFactory(email="bench@parisandco.example")
    call = CallFactory(max_selected=1)
    Call.objects.filter(pk=call.pk).update(results_published_at=timezone.now())
    counts = {}
    print("Waiting list, in-process test client")
    for n in args.sizes:
        seed(call, n, staff)
        admin = Client()
        admin.force_login(staff, backend=MODEL_BACKEND)
        for who, url in [
            ("staff: waiting list", reverse("admin:calls_call_waitlist", args=[call.pk])),
            ("staff: offers", reverse("admin:calls_offer_changelist")),
        ]:
            result = measure(who, n, admin, url, args.repeat)
            median, queries = result.median_ms, result.queries
            counts.setdefault(who, set()).add(queries)
            print(f"  N={n:>5}  {who:<20} median {median:7.1f} ms, {queries} queries")
    equal = all(len(c) == 1 for c in counts.values())
    print(f"  query counts equal at both sizes: {'yes' if equal else 'NO'} (target: yes)")
    return 0 if equal else 1


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark of "a call is open": N confirmed contacts (10,000 by default) told that a call
opened, by the reminders' exactly-once engine, in this process: the queries per notice (the
same at two sizes), the total time next to its target, and exactly one notice and one e-mail
per contact.

    .venv/bin/python bench/call_notices.py [--sizes 100 1000] [--contacts 10000]

A fresh SQLite database in a temporary folder (bench/settings.py), removed at the end; e-mails
go to Django's in-memory backend, so the time is the portal's own (rendering, records, locks).
The compose stack's worker shares the same batches out over its processes (``make
bench-reminders`` measures that path with PostgreSQL and Redis).
"""

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

os.environ.pop("DATABASE_URL", None)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import environment  # noqa: E402, F401  (starts Django before any model is imported)

# isort: split

from django.core import mail  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, F  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from calls.domain import outreach, reminders  # noqa: E402
from calls.models import Call, CallNotice, Contact  # noqa: E402
from tests.factories import CallFactory  # noqa: E402

# For 10,000 in this one process. The compose stack's worker shares the batches out over its
# processes (one per core): 60 s for 10,000 there, as the deadline reminders.
TARGET_S = 120.0
TARGET_CONTACTS = 10_000


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[100, 1000], metavar="N")
    parser.add_argument("--contacts", type=int, default=TARGET_CONTACTS)
    return parser.parse_args(argv)


def seed(n, prefix):
    from django.utils import timezone

    now = timezone.now()
    Contact.objects.bulk_create(
        Contact(
            email=f"{prefix}{i:05d}@ville.example",
            profile="municipality" if i % 3 else "other",
            language="en" if i % 4 == 0 else "fr",
            consent="oui",
            confirmed_at=now,
        )
        for i in range(n)
    )


def tell(n, prefix):
    """Seed ``n`` contacts, tell them of a new open call: (seconds, queries, notices, mails)."""
    seed(n, prefix)
    Call.objects.update(closes_at=F("opens_at") + timedelta(seconds=1))  # the others closed
    call = CallFactory()
    mail.outbox = []
    queries = []

    def count(execute, sql, params, many, context):  # every query (a log keeps 9,000 at most)
        queries.append(None)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        began = time.perf_counter()
        for name, pairs in reminders.batches():
            if name == outreach.SOURCE:
                reminders.send_batch(name, pairs, budget=3600)
        elapsed = time.perf_counter() - began
    notices = CallNotice.objects.filter(call=call).count()
    return elapsed, len(queries), notices, len(mail.outbox)


def main(argv=None):
    args = parse_args(argv)
    call_command("migrate", verbosity=0)
    print('"A call is open" to the contacts it addresses, in-process (SQLite, locmem e-mail)')
    per_notice = []
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        for i, n in enumerate(args.sizes):
            elapsed, queries, notices, sent = tell(n, f"s{i}-")
            per_notice.append(queries / max(notices, 1))
            each = queries / notices
            print(f"  N={n:>6}: {queries} queries for {notices} notices ({each:.1f} each)")
        elapsed, queries, notices, sent = tell(args.contacts, "big-")
    duplicates = (
        CallNotice.objects.values("contact", "call").annotate(n=Count("pk")).filter(n__gt=1).count()
    )
    contacts = Contact.objects.count()  # every one is addressed (municipality or other)
    target = TARGET_S * args.contacts / TARGET_CONTACTS
    print(f"  queries per notice: {per_notice[0]:.1f} and {per_notice[1]:.1f} (target: equal)")
    print(
        f"  N={args.contacts} new, {contacts} in all: {notices} notices, {sent} e-mails, "
        f"{duplicates} duplicates (target: {contacts}, {contacts}, 0)"
    )
    rate = notices / elapsed
    print(f"  all told in {elapsed:.1f} s ({rate:.0f} a second; target: <= {target:.0f} s)")
    met = (
        notices == contacts
        and sent == contacts
        and duplicates == 0
        and elapsed <= target
        and abs(per_notice[0] - per_notice[1]) < 0.5
    )
    print(f"  targets met: {'yes' if met else 'no'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())

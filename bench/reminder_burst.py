"""The reminder burst: N drafts (10,000 by default) due for the same reminder, sent from one
beat tick by a Celery worker started as the compose stack starts it (its default concurrency:
one process per core), on PostgreSQL and Redis.

The run seeds the drafts, starts the worker, queues beat's scan once (``send_due_reminders``)
and waits until every reminder is recorded; then it checks exactly once — one
``ReminderSent`` per draft and offset, one e-mail recorded as sent per draft — and prints
the time next to the target (60 s for 10,000).

    .venv/bin/python bench/reminder_burst.py [--drafts 10000] [--timeout 300]

Needs PostgreSQL (``DATABASE_URL``, default postgres://postgres@127.0.0.1:5432/postgres) and
Redis (``REDIS_URL``); a database ``qmi_burst`` is created and dropped, and the worker uses
its own Redis database and queue. E-mails go to Django's in-memory backend: the time is the
portal's own (rendering, records, locks), not a mail server's.
"""

import argparse
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.rush import ROOT, environment, psql  # noqa: E402

TARGET_S = 60.0
TARGET_DRAFTS = 10_000
DATABASE = "qmi_burst"

SEED = r"""
import os
from datetime import timedelta
from django.utils import timezone
from calls.models import Application
from qmi.models import Applicant, Membership
from tests.factories import (
    ApplicantFactory, ApplicationFactory, CallFactory, MembershipFactory, UserFactory,
)
from qmi.models import User
n = int(os.environ["BURST_N"])
now = timezone.now()
# closes in six days: the 7-day reminder is due for drafts older than a day
call = CallFactory(opens_at=now - timedelta(days=30), closes_at=now + timedelta(days=6))
users = User.objects.bulk_create(
    UserFactory.build(email=f"brouillon{i:05d}@ville.example", password=None) for i in range(n)
)
applicants = Applicant.objects.bulk_create(
    ApplicantFactory.build(name=f"Commune fictive {i:05d}") for i in range(n)
)
Membership.objects.bulk_create(
    MembershipFactory.build(applicant=a, user=u, confirmed_at=now)
    for a, u in zip(applicants, users)
)
Application.objects.bulk_create(
    ApplicationFactory.build(
        call=call, kind=call.kind, applicant=a, created_by=u, reference=f"QMI9-B-{i:05d}"
    )
    for i, (a, u) in enumerate(zip(applicants, users))
)
Application.objects.filter(call=call).update(created_at=now - timedelta(days=10))
print("SEEDED", Application.objects.filter(call=call).count())
"""

TICK = r"""
from django.utils import timezone
from calls.tasks import send_due_reminders
print("TICK", timezone.now().timestamp())
send_due_reminders.delay()
"""

# Read with psql while the worker sends: a Django shell every two seconds would take a good part
# of the two cores the worker is measured on.
COUNT = """
SELECT (SELECT count(*) FROM calls_remindersent),
       (SELECT count(*) FROM (
           SELECT application_id, "offset" FROM calls_remindersent
           GROUP BY application_id, "offset" HAVING count(*) > 1
       ) AS twice),
       count(*),
       coalesce(extract(epoch FROM max(sent_at)), 0)
FROM calls_notification WHERE kind = 'deadline_reminder' AND status = 'sent'
"""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--drafts", type=int, default=TARGET_DRAFTS)
    parser.add_argument("--timeout", type=float, default=300.0)
    return parser.parse_args(argv)


def shell(python, env, code, **extra):
    done = subprocess.run(
        [python, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**env, **extra},
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return done.stdout


def count(database):
    """(reminders recorded, duplicates, e-mails recorded sent, when the last one went)."""
    done = subprocess.run(
        ["psql", database, "-v", "ON_ERROR_STOP=1", "-tAF", " ", "-c", COUNT],
        check=True,
        capture_output=True,
        text=True,
    )
    rows, duplicates, sent, last = done.stdout.split()
    return int(rows), int(duplicates), int(sent), float(last)


def main(argv=None):
    args = parse_args(argv)
    env, server = environment()
    database = urllib.parse.urlsplit(env["DATABASE_URL"])._replace(path=f"/{DATABASE}").geturl()
    env = {**env, "DATABASE_URL": database, "CELERY_QUEUE": "qmi-burst"}
    python = sys.executable
    psql(server, f"DROP DATABASE IF EXISTS {DATABASE}")
    psql(server, f"CREATE DATABASE {DATABASE}")
    worker = None
    try:
        subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        began = time.perf_counter()
        shell(python, env, SEED, BURST_N=str(args.drafts))
        print(f"Reminder burst: {args.drafts} drafts seeded in {time.perf_counter() - began:.0f} s")
        worker = subprocess.Popen(
            [python, "-m", "celery", "-A", "qmi", "worker", "-Q", "qmi-burst", "-l", "WARNING"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(5)  # the worker's processes are up
        start = time.perf_counter()
        ticked = float(
            [x for x in shell(python, env, TICK).splitlines() if x.startswith("TICK")][-1].split()[
                1
            ]
        )
        rows = duplicates = sent = 0
        last = ticked
        while time.perf_counter() - start < args.timeout:
            rows, duplicates, sent, last = count(database)
            if rows >= args.drafts and sent >= args.drafts:
                break
            time.sleep(2)
        elapsed = last - ticked  # from the tick to the last e-mail the mail backend took
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=60)
        psql(server, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    target = TARGET_S * args.drafts / TARGET_DRAFTS
    print(f"  one beat tick, the worker's default concurrency, {args.drafts} due reminders")
    print(f"  recorded (ReminderSent)  {rows:>6} / {args.drafts}")
    print(f"  duplicates               {duplicates:>6}   (target: 0)")
    print(f"  e-mails recorded sent    {sent:>6} / {args.drafts}")
    print(
        f"  all sent in              {elapsed:6.1f} s  ({args.drafts / elapsed:.0f} a second; "
        f"target: <= {target:.0f} s)"
    )
    met = rows == args.drafts and sent == args.drafts and duplicates == 0 and elapsed <= target
    print(f"  targets met: {'yes' if met else 'no'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())

"""The deadline rush: applicants who sign in and submit in the last minute.

On the compose settings — gunicorn (3 workers), PostgreSQL, Redis and a Celery worker, the
server answering and warm, as it is after hours up — each of N applicants (300 by default)
with a complete draft starts within a window (50 s), from its own loopback address (127.0.x.y,
so every client has its own address, as over the internet): it opens the sign-in page, signs
in, and submits. The run reports how many signed in and submitted within 60 s, the errors, the
drafts left unsubmitted, the acknowledgements recorded, and the sign-in and submit times, next
to their targets.

    .venv/bin/python bench/rush.py [--applicants 300] [--window 50] [--old-hashes]

``--old-hashes`` stores the passwords with Django's PBKDF2 (what accounts created before
Argon2id have): their sign-in checks PBKDF2, then upgrades the hash — the "before" figures.
Needs PostgreSQL (``DATABASE_URL``, default postgres://postgres@127.0.0.1:5432/postgres) and
Redis (``REDIS_URL``, default redis://127.0.0.1:6379/0); a database ``qmi_rush`` is created
and dropped.
"""

import argparse
import http.client
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = 8765
DEADLINE_S = 60
TARGETS = {"sign-in p95": 1.0, "submit p95": 0.5}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applicants", type=int, default=300)
    parser.add_argument("--window", type=float, default=50.0)
    parser.add_argument("--old-hashes", action="store_true")
    parser.add_argument("--settle", type=float, default=10.0, help="seconds left to the worker")
    return parser.parse_args(argv)


def environment():
    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    parts = urllib.parse.urlsplit(server)
    database = parts._replace(path="/qmi_rush").geturl()
    return {
        **os.environ,
        "DATABASE_URL": database,
        # its own Redis database and queue: nothing left behind reaches another worker
        "REDIS_URL": urllib.parse.urlsplit(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
        ._replace(path="/14")
        .geturl(),
        "CELERY_QUEUE": "qmi-rush",
        "DEBUG": "False",
        "SECRET_KEY": "rush-benchmark-only-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "False",
        "SESSION_COOKIE_SECURE": "False",
        "CSRF_COOKIE_SECURE": "False",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "CELERY_TASK_ALWAYS_EAGER": "False",
        "DJANGO_SETTINGS_MODULE": "qmi.settings",
        "STATIC_ROOT": str(Path(tempfile.gettempdir()) / "qmi-rush-static"),
        "PRIVATE_MEDIA_ROOT": str(Path(tempfile.gettempdir()) / "qmi-rush-private"),
        "MEDIA_ROOT": str(Path(tempfile.gettempdir()) / "qmi-rush-media"),
    }, server


def psql(server, sql):
    subprocess.run(
        ["psql", server, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
        check=True,
        capture_output=True,
    )


SEED = r"""
import os
from django.contrib.auth.hashers import make_password
from tests.factories import (
    ApplicantFactory, ApplicationFactory, CallFactory, MembershipFactory, PASSWORD,
)
from datetime import timedelta
from django.utils import timezone
n, old = int(os.environ["RUSH_N"]), os.environ["RUSH_OLD"] == "1"
call = CallFactory(closes_at=timezone.now() + timedelta(minutes=30))
hashed = make_password(PASSWORD, hasher="pbkdf2_sha256" if old else "default")
for i in range(n):
    # made-up municipalities: the 130 member communes are too few for the rush
    member = MembershipFactory(applicant=ApplicantFactory())
    member.user.password = hashed
    member.user.save(update_fields=["password"])
    application = ApplicationFactory(call=call, member=member, complete=True)
    print(member.user.email, application.reference)
# what one sign-in's password check costs here, with the configured hasher and with PBKDF2
import statistics, time
from django.contrib.auth.hashers import check_password
for name, hasher, repeat in (("Argon2id", "default", 20), ("PBKDF2", "pbkdf2_sha256", 7)):
    encoded, times = make_password(PASSWORD, hasher=hasher), []
    for _ in range(repeat):
        began = time.perf_counter()
        check_password(PASSWORD, encoded)
        times.append(time.perf_counter() - began)
    print("HASH", name, round(statistics.median(times) * 1000, 1))
"""


class Client:
    """One applicant's browser: its own source address, its cookies."""

    def __init__(self, source):
        self.source = source
        self.cookies = {}

    def request(self, method, path, body=None):
        connection = http.client.HTTPConnection(
            "127.0.0.1", PORT, timeout=120, source_address=(self.source, 0)
        )
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{PORT}{path}"
            body = urllib.parse.urlencode(body)
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";")[0]
        connection.close()
        return response.status, response.getheader("Location") or "", content


def warm_up(timeout=60):
    """Wait until the server answers, then have its workers serve the sign-in page a few times,
    several at once so that each worker gets some: a server at the deadline has been up for
    hours, its start is not part of the rush."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if Client("127.0.0.1").request("GET", "/sante/")[0] == 200:
                break
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit("the server did not answer")
        time.sleep(0.5)
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda _: Client("127.0.0.1").request("GET", "/accounts/login/"), range(24)))


def applicant(index, email, reference, start, delay, password):
    """Sign in, then submit; returns what happened and when."""
    time.sleep(max(0.0, start + delay - time.monotonic()))
    client = Client(f"127.0.{1 + index // 250}.{1 + index % 250}")
    outcome = {"signed_in": None, "submitted": None, "error": ""}
    try:
        client.request("GET", "/accounts/login/")
        began = time.monotonic()
        status, location, _ = client.request(
            "POST",
            "/accounts/login/",
            {
                "login": email,
                "password": password,
                "csrfmiddlewaretoken": client.cookies.get("csrftoken", ""),
            },
        )
        if status != 302:
            outcome["error"] = f"sign-in answered {status}"
            return outcome
        outcome["signed_in"] = time.monotonic() - began
        began = time.monotonic()
        status, location, _ = client.request(
            "POST",
            f"/candidatures/{reference}/soumettre/",
            {"csrfmiddlewaretoken": client.cookies.get("csrftoken", "")},
        )
        if status != 302 or not location.endswith("/confirmation/"):
            outcome["error"] = f"submit answered {status} {location}"
            return outcome
        outcome["submitted"] = time.monotonic() - began
        outcome["done_at"] = time.monotonic() - start
    except OSError as error:
        outcome["error"] = f"{type(error).__name__}: {error}"
    return outcome


def p(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main(argv=None):
    args = parse_args(argv)
    env, server = environment()
    python = sys.executable
    psql(server, "DROP DATABASE IF EXISTS qmi_rush")
    psql(server, "CREATE DATABASE qmi_rush")
    processes = []
    try:
        subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run(
            [python, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        seeded = subprocess.run(
            [python, "manage.py", "shell", "-c", SEED],
            cwd=ROOT,
            env={**env, "RUSH_N": str(args.applicants), "RUSH_OLD": str(int(args.old_hashes))},
            check=False,
            capture_output=True,
            text=True,
        )
        if seeded.returncode != 0:
            raise SystemExit(seeded.stderr[-3000:])
        pairs = re.findall(r"^(\S+@\S+) (QMI\S+)$", seeded.stdout, re.M)
        hash_times = re.findall(r"^HASH (\S+) (\S+)$", seeded.stdout, re.M)
        processes.append(
            subprocess.Popen(
                [python, "-m", "gunicorn", "qmi.wsgi", "-w", "3", "-b", f"127.0.0.1:{PORT}"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        processes.append(
            subprocess.Popen(
                [python, "-m", "celery", "-A", "qmi", "worker", "-c", "2", "-l", "WARNING"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        time.sleep(4)  # the worker's processes are up
        warm_up()
        start = time.monotonic()
        step = args.window / max(1, len(pairs))
        with ThreadPoolExecutor(max_workers=len(pairs)) as pool:
            outcomes = list(
                pool.map(
                    lambda item: applicant(
                        item[0], item[1][0], item[1][1], start, item[0] * step, PASSWORD
                    ),
                    enumerate(pairs),
                )
            )
        time.sleep(args.settle)  # the acknowledgements leave through the worker
        counting = subprocess.run(
            [python, "manage.py", "shell", "-c", COUNT],
            cwd=ROOT,
            env=env,
            check=False,
            capture_output=True,
            text=True,
        )
        if counting.returncode != 0:
            raise SystemExit(counting.stderr[-3000:])
        counted = counting.stdout.strip().splitlines()[-1].split()
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
        psql(server, "DROP DATABASE IF EXISTS qmi_rush")
    report(args, outcomes, counted, hash_times)
    return 0


COUNT = r"""
from calls.models import Application, Notification
applications = Application.objects
sent = Notification.objects.filter(kind="acknowledgement", status="sent")
print(
    applications.filter(status="submitted").count(),
    applications.filter(status="draft").count(),
    sent.count(),
)
"""

PASSWORD = "a-Strong-test-passw0rd"  # tests.factories.PASSWORD


def report(args, outcomes, counted, hash_times=()):
    signed = [o["signed_in"] for o in outcomes if o["signed_in"] is not None]
    submits = [o["submitted"] for o in outcomes if o["submitted"] is not None]
    in_time = [o for o in outcomes if o.get("done_at") is not None and o["done_at"] <= DEADLINE_S]
    errors = [o["error"] for o in outcomes if o["error"]]
    submitted, drafts, acknowledged = (int(v) for v in counted)
    hashes = "PBKDF2 (old accounts)" if args.old_hashes else "Argon2id"
    print(
        f"Deadline rush: {len(outcomes)} applicants sign in and submit, {hashes}, "
        f"window {args.window:.0f} s"
    )
    checks = ", ".join(f"{name} {ms} ms" for name, ms in hash_times)
    print(f"  one password check    {checks}   (median, in one process)")
    print(f"  signed in             {len(signed):>4} / {len(outcomes)}")
    print(f"  submitted within 60 s {len(in_time):>4} / {len(outcomes)}   (target: all)")
    example = f"  e.g. {errors[0]}" if errors else ""
    print(f"  errors                {len(errors):>4}         (target: 0){example}")
    print(f"  drafts not submitted  {drafts:>4}         (target: 0)")
    print(f"  submitted (database)  {submitted:>4}")
    print(f"  acknowledgements sent {acknowledged:>4}")
    print(
        f"  sign-in  p50 {p(signed, 0.5) * 1000:7.0f} ms  p95 {p(signed, 0.95) * 1000:7.0f} ms"
        f"   (target p95 <= {TARGETS['sign-in p95'] * 1000:.0f} ms)"
    )
    print(
        f"  submit   p50 {p(submits, 0.5) * 1000:7.0f} ms  p95 {p(submits, 0.95) * 1000:7.0f} ms"
        f"   (target p95 <= {TARGETS['submit p95'] * 1000:.0f} ms)"
    )
    if submits:
        print(f"  submit mean {statistics.fmean(submits) * 1000:.0f} ms")
    met = (
        len(in_time) == len(outcomes)
        and not errors
        and drafts == 0
        and p(signed, 0.95) <= TARGETS["sign-in p95"]
        and p(submits, 0.95) <= TARGETS["submit p95"]
    )
    print(f"  targets met: {'yes' if met else 'no'}")


if __name__ == "__main__":
    sys.exit(main())

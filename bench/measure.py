"""Measuring a page: server time (median, p95) and SQL queries, at one database size."""

import gc
import math
import statistics
import time
from dataclasses import dataclass, field

from bench import environment  # noqa: F401  (starts Django before any model is imported)

# isort: split

from django.contrib.contenttypes.models import ContentType
from django.contrib.sites.models import Site
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.seed_calls import seed

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@dataclass
class Measure:
    page: str
    n: int
    url: str
    median_ms: float
    p95_ms: float
    queries: int
    sql: list = field(default_factory=list)  # (ms, sql) of the captured request


def p95(samples):
    """Nearest-rank 95th percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def measure(page, n, client, url, repeat):

    def get():
        response = client.get(url)
        if response.status_code != 200:
            location = response.get("Location", "")
            raise SystemExit(f"{page}: GET {url} answered {response.status_code} {location}")
        return response

    get()  # warm-up: templates compiled, URL resolver and caches filled
    timed = []

    def timer(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timed.append(((time.perf_counter() - start) * 1000, sql))

    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
        get()
    # Read now: the next request resets the connection's query log.
    queries = len(captured.captured_queries)
    sql = sorted(timed, key=lambda item: -item[0])
    gc.collect()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        get()
        samples.append((time.perf_counter() - start) * 1000)
    return Measure(
        page=page,
        n=n,
        url=url,
        median_ms=statistics.median(samples),
        p95_ms=p95(samples),
        queries=queries,
        sql=sql,
    )


def measure_submit(n, officer, call, repeat):
    """The applicant's submit request (POST, then the redirect's page), on the officer's draft
    in the open call made complete; reopened between two submissions (not timed)."""
    from calls.models import Application
    from tests.factories import fill_complete

    application = Application.objects.get(
        call=call, applicant__memberships__user=officer, status="draft"
    )
    fill_complete(application)
    client = Client()
    client.force_login(officer, backend=MODEL_BACKEND)
    submit, reopen = application.urls.submit, application.urls.reopen

    def cycle(timed=None):
        start = time.perf_counter()
        response = client.post(submit, follow=True)
        elapsed = (time.perf_counter() - start) * 1000
        if response.redirect_chain[-1][0] != application.urls.done:
            raise SystemExit(f"applicant: submit answered {response.redirect_chain}")
        client.post(reopen)
        return elapsed

    cycle()  # warm-up
    with CaptureQueriesContext(connection) as captured:
        client.post(submit, follow=True)
    queries = len(captured.captured_queries)
    client.post(reopen)
    gc.collect()
    samples = [cycle() for _ in range(repeat)]
    return Measure(
        page="applicant: submit",
        n=n,
        url=submit,
        median_ms=statistics.median(samples),
        p95_ms=p95(samples),
        queries=queries,
    )


def check_migrations():
    """Stop with a clear message when a model has changes that no migration creates yet."""

    try:
        call_command("makemigrations", check=True, dry_run=True, verbosity=0)
    except SystemExit:
        raise SystemExit(
            "The models have changes without a migration (manage.py makemigrations --check): "
            "the benchmark needs the schema the migrations build."
        ) from None


def run_size(n, repeat):

    started = time.perf_counter()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    migrated = time.perf_counter()
    try:
        ContentType.objects.clear_cache()
        Site.objects.clear_cache()
        world = seed(n)
        seeded = time.perf_counter()
        timings = {"migrate_s": migrated - started, "seed_s": seeded - migrated}
        print(
            f"N={n:>6}: migrated in {timings['migrate_s']:.1f} s, seeded in "
            f"{timings['seed_s']:.1f} s "
            f"({', '.join(f'{v} {k}' for k, v in world.counts.items())})",
            flush=True,
        )

        staff = Client()
        staff.force_login(world.staff, backend=MODEL_BACKEND)
        officer = Client()
        officer.force_login(world.officer, backend=MODEL_BACKEND)
        visitor = Client()
        juror = Client()
        juror.force_login(world.juror, backend=MODEL_BACKEND)
        experimenter = Client()
        experimenter.force_login(world.experimenter, backend=MODEL_BACKEND)
        pages = [
            ("admin: applications", staff, reverse("admin:calls_application_changelist")),
            ("applicant dashboard", officer, reverse("dashboard")),
            ("public call page", visitor, world.open_call.get_absolute_url()),
            ("jury dashboard", juror, reverse("evaluation:call", args=[world.jury_call.slug])),
            ("ranking", staff, reverse("admin:calls_call_ranking", args=[world.jury_call.pk])),
            ("experimenter dashboard", experimenter, reverse("dashboard")),
            ("admin: projects", staff, reverse("admin:experimenters_projectenvelope_changelist")),
        ]
        results = [measure(page, n, client, url, repeat) for page, client, url in pages]
        results.append(measure_submit(n, world.officer, world.open_call, repeat))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return results, timings


# --- Report ----------------------------------------------------------------------------------

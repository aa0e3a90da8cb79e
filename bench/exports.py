"""Benchmark of the table exports of all applications (CSV and XLSX), at two numbers of rows.

For each size: a fresh database, half the rows applications to the calls for municipalities
and half projects to the call for experimenters (bench/seed_calls.py), then staff export them
all, as the export task does (``calls.interfaces.exports.run``): queries (the same at both
sizes), time (median of the runs, wall clock and this process's CPU time: on a busy machine the
CPU time is the steadier figure) and peak Python memory of one run (tracemalloc).

    .venv/bin/python bench/exports.py [--sizes 1000 5000] [--repeat 3]

Targets: queries equal at both sizes; 5,000 rows in under 0.7 s (a tenth of the 6,984 ms the
reference call-for-papers system took for the same export on this machine).
"""

import argparse
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import environment  # noqa: E402, F401  (starts Django before any model is imported)

# isort: split

from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.contrib.sites.models import Site  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.measure import check_migrations  # noqa: E402
from bench.seed_calls import CALLS, seed  # noqa: E402
from bench.seed_experimenters import PROJECTS_PER_ORGANISATION  # noqa: E402
from calls.interfaces import exports  # noqa: E402
from calls.models import ExportJob  # noqa: E402

TARGET_MS_AT_5000 = 700


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[1000, 5000], metavar="ROWS")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    smallest = 2 * max(CALLS, PROJECTS_PER_ORGANISATION)
    if min(args.sizes) < smallest:
        parser.error(f"each size must be at least {smallest} rows")
    return args


def export_once(staff, format):
    """One export: ``(job, wall ms, CPU ms, queries)``."""
    job = ExportJob.objects.create(requested_by=staff, format=format, filters={})
    with CaptureQueriesContext(connection) as queries:
        started, cpu = time.perf_counter(), time.process_time()
        exports.run(job.pk)
        elapsed = (time.perf_counter() - started) * 1000
        cpu = (time.process_time() - cpu) * 1000
    job.refresh_from_db()
    if job.state != ExportJob.State.DONE:
        raise SystemExit(f"{format} export failed: {job.error}")
    return job, elapsed, cpu, len(queries)


def measure(staff, format, repeat):
    job, _ms, _cpu, queries = export_once(staff, format)  # warm-up
    runs = [export_once(staff, format) for _ in range(repeat)]
    tracemalloc.start()
    export_once(staff, format)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    median = statistics.median(r[1] for r in runs)
    cpu = statistics.median(r[2] for r in runs)
    return job.total, median, cpu, queries, peak / 2**20, job.size


def main(argv=None):
    args = parse_args(argv)
    print("Table exports of all applications, as the export task builds them")
    check_migrations()
    counts, results = {}, []
    for rows in args.sizes:
        old_name = connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False
        )
        try:
            ContentType.objects.clear_cache()
            Site.objects.clear_cache()
            world = seed(rows // 2)
            for format in (ExportJob.Format.CSV, ExportJob.Format.XLSX):
                total, median, cpu, queries, peak, size = measure(world.staff, format, args.repeat)
                counts.setdefault(format, []).append(queries)
                results.append((format, total, median, cpu))
                print(
                    f"  {format.upper():<4} {total:>6} rows  median {median:7.0f} ms "
                    f"(CPU {cpu:7.0f} ms), {queries:>3} queries, peak memory {peak:6.1f} MiB, "
                    f"file {size / 1024:,.0f} KiB",
                    flush=True,
                )
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
    equal = all(len(set(c)) == 1 for c in counts.values())
    sizes = " and ".join(f"{rows:,}" for rows in args.sizes)
    for format, queries in counts.items():
        print(f"  {format.upper()} queries at {sizes} rows: {' / '.join(map(str, queries))}")
    print(f"  query counts equal at both sizes: {'yes' if equal else 'NO'} (target: yes)")
    for format, total, median, cpu in results:
        if total >= 5000:
            per_5000, cpu_5000 = median * 5000 / total, cpu * 5000 / total
            print(
                f"  {format.upper()}: {per_5000:.0f} ms for 5,000 rows (CPU {cpu_5000:.0f} ms; "
                f"target: under {TARGET_MS_AT_5000} ms"
                f"{', met' if per_5000 < TARGET_MS_AT_5000 else ', not met'})"
            )
    return 0 if equal else 1


if __name__ == "__main__":
    sys.exit(main())

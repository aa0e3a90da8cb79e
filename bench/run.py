"""Benchmark of the portal's pages against the number of applications.

For each size N, build a fresh database, migrate it, seed N applications to the calls for
municipalities and N project applications to a call for experimenters with bulk inserts,
then request the pages with Django's test client and report the median and p95 server time
and the number of SQL queries. The budget (DESIGN.md, "Budgets") is that a page's query count
does not depend on N: the run ends with exit code 1 when a page's count differs between sizes.

    .venv/bin/python bench/run.py [--sizes 100 10000] [--repeat 30] [--queries] [--json FILE]

Seeding: bench/seed_calls.py and bench/seed_experimenters.py; measuring: bench/measure.py.
See bench/README.md.
"""

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

# Run as a script (``python bench/run.py``): the project's folder, not bench/, on the path.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import environment  # noqa: E402, F401  (starts Django before any model is imported)

# isort: split

from django.conf import settings  # noqa: E402

from bench.measure import check_migrations, run_size  # noqa: E402
from bench.seed_calls import CALLS  # noqa: E402
from bench.seed_experimenters import PROJECTS_PER_ORGANISATION  # noqa: E402

PAGE_ORDER = [
    "admin: applications",
    "applicant dashboard",
    "public call page",
    "jury dashboard",
    "ranking",
    "experimenter dashboard",
    "admin: projects",
    "applicant: submit",
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[100, 10_000],
        metavar="N",
        help="numbers of applications to seed, one fresh database each (default: 100 10000)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=30,
        help="timed requests per page and size, after one warm-up (default: 30)",
    )
    parser.add_argument(
        "--queries",
        action="store_true",
        help="print the SQL of every page at the largest size, slowest first",
    )
    parser.add_argument("--json", metavar="FILE", help="also write the results to FILE as JSON")
    args = parser.parse_args(argv)
    if any(n < max(CALLS, PROJECTS_PER_ORGANISATION) for n in args.sizes):
        parser.error(f"each size must be at least {max(CALLS, PROJECTS_PER_ORGANISATION)}")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def print_table(results, repeat):
    width = max(len(m.url) for m in results)
    header = (
        f"{'page':<22} {'url':<{width}} {'N':>7} {'median ms':>10} {'p95 ms':>8} {'queries':>8}"
    )
    print()
    print(f"Server time over {repeat} requests after one warm-up (in-process test client)")
    print(header)
    print("-" * len(header))
    for m in sorted(results, key=lambda m: (PAGE_ORDER.index(m.page), m.n)):
        print(
            f"{m.page:<22} {m.url:<{width}} {m.n:>7} {m.median_ms:>10.1f} {m.p95_ms:>8.1f} "
            f"{m.queries:>8}"
        )


def print_queries(results):
    largest = max(m.n for m in results)
    for m in results:
        if m.n != largest:
            continue
        print(f"\nSQL of {m.page} ({m.url}) at N={largest}, slowest first:")
        for ms, sql in m.sql:
            print(f"  {ms:7.2f} ms  {' '.join(sql.split())[:220]}")


def main(argv=None):
    args = parse_args(argv)
    database = settings.DATABASES["default"]
    where = (
        f"database {database['TEST']['NAME']!r} on the server of DATABASE_URL "
        f"({database['ENGINE'].rsplit('.', 1)[-1]})"
        if settings.USE_DATABASE_SERVER
        else "SQLite in a temporary folder"
    )
    print(f"QMI portal benchmark: sizes {args.sizes}, {args.repeat} requests, {where}")
    check_migrations()
    results, timings = [], {}
    for n in args.sizes:
        measures, timings[n] = run_size(n, args.repeat)
        results.extend(measures)

    print_table(results, args.repeat)
    print()
    for n, t in timings.items():
        print(f"seeding N={n}: {t['seed_s']:.2f} s (migrations {t['migrate_s']:.2f} s)")
    if args.queries:
        print_queries(results)

    differing = []
    for page in PAGE_ORDER:
        counts = {m.n: m.queries for m in results if m.page == page}
        if len(set(counts.values())) > 1:
            differing.append(f"{page} {counts}")
    print()
    if len(args.sizes) < 2:
        print("query counts equal at both sizes: n/a (one size only)")
    else:
        print(f"query counts equal at both sizes: {'no' if differing else 'yes'} (target: yes)")
        for line in differing:
            print(f"  differs: {line}")

    if args.json:
        payload = {
            "sizes": args.sizes,
            "repeat": args.repeat,
            "timings": {str(n): t for n, t in timings.items()},
            "results": [asdict(m) for m in results],
            "query_counts_equal": not differing,
        }
        Path(args.json).write_text(json.dumps(payload, indent=2, ensure_ascii=False))
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())

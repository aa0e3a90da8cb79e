"""The benchmarks run: seeded by the test factories at two small sizes, every page answers and
its query count is the same at both (``make bench`` measures the real sizes)."""

import os
import subprocess
import sys
from pathlib import Path

from tests.services import requires_services
from tests.worker import require_services

ROOT = Path(__file__).resolve().parent.parent


def run_bench(script, *args, sqlite=True):
    """Run ``bench/<script>`` (on its temporary SQLite database unless ``sqlite`` is False);
    returns what it printed."""
    env = {k: v for k, v in os.environ.items() if not (sqlite and k == "DATABASE_URL")}
    result = subprocess.run(  # noqa: S603 — the project's own script, fixed arguments
        [sys.executable, f"bench/{script}", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return result.stdout


def test_the_benchmark_seeds_and_measures_every_page_at_two_sizes():
    printed = run_bench("run.py", "--sizes", "12", "40", "--repeat", "1")

    assert "query counts equal at both sizes: yes" in printed
    assert "N=    40: migrated" in printed
    assert "40 applications" in printed and "40 projects" in printed


def test_the_placement_benchmark_solves_and_measures_the_page_at_two_sizes():
    printed = run_bench(
        "placement.py", "--projects", "40", "--districts", "4", "--sizes", "12", "24"
    )

    assert "40 laureates × 4 districts" in printed
    assert "24 laureates: page median" in printed
    assert "query counts equal at both sizes: yes" in printed


def test_the_experimentations_benchmark_measures_both_spaces_at_two_sizes():
    printed = run_bench("experimentations.py", "--sizes", "3", "30", "--repeat", "1")

    assert "N=   30  municipality: list" in printed
    assert "N=   30  staff: board" in printed
    assert "query counts equal at both sizes: yes" in printed


@requires_services
def test_the_rush_benchmark_signs_in_and_submits_through_gunicorn_and_a_worker():
    require_services()
    printed = run_bench(
        "rush.py", "--applicants", "6", "--window", "3", "--settle", "8", sqlite=False
    )

    words = " ".join(printed.split())
    assert "signed in 6 / 6" in words
    assert "submitted within 60 s 6 / 6" in words
    assert "errors 0 " in words
    assert "drafts not submitted 0 " in words
    assert "acknowledgements sent 6" in words


def test_the_exports_benchmark_exports_every_application_at_two_sizes():
    printed = run_bench("exports.py", "--sizes", "40", "48", "--repeat", "1")

    assert "CSV      48 rows" in printed and "XLSX     48 rows" in printed
    assert "query counts equal at both sizes: yes" in printed

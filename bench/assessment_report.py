"""Benchmark of the programme report of an assessment campaign (PDF), at two numbers of
experimentations.

For each size: a fresh database, the experimentations (five per district) of one edition, all
assessed in one campaign with their three sides submitted (longer justifications, two
indicators each, an outcome), then staff build the PDF report as the export task does
(``calls.interfaces.exports.run``): time (median of the runs), peak Python memory of one run
(tracemalloc) and peak resident memory of one run in a child process of its own (its growth
over the memory it started with, and its maximum).

    .venv/bin/python bench/assessment_report.py [--sizes 10 60] [--repeat 3]

Target: the peak memory of the report of 60 experimentations within 20 % of the report of 10
(the report is rendered a district at a time, a few experimentations a document).
"""

import argparse
import gc
import multiprocessing
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import environment  # noqa: E402, F401  (starts Django before any model is imported)

# isort: split

import psutil  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.contrib.sites.models import Site  # noqa: E402
from django.db import connection, connections  # noqa: E402

from bench.measure import check_migrations  # noqa: E402
from calls.interfaces import exports  # noqa: E402
from calls.models import ExportJob  # noqa: E402
from evaluation.assessment.campaign import cover  # noqa: E402
from evaluation.models import Assessment, GridAnswer, Party, ProtocolIndicator  # noqa: E402
from experimenters.experimentation import create_for  # noqa: E402
from experimenters.models import Experimentation  # noqa: E402
from qmi.models import User  # noqa: E402
from tests.factories import (  # noqa: E402
    AssessmentCampaignFactory,
    DistrictFactory,
    EditionFactory,
    ExperimenterCallFactory,
    OrganisationFactory,
    ProjectApplicationFactory,
    StaffFactory,
    filled_side,
)

PER_DISTRICT = 5
TARGET_RATIO = 1.2
JUSTIFICATION = (
    "La solution a été installée sur les deux sites prévus ; les habitants l'ont adoptée après "
    "un mois d'ateliers. Les mesures du protocole le confirment, avec un écart sur le second "
    "site où l'accès a été plus difficile pendant les travaux de la gare. "
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[10, 60], metavar="N")
    parser.add_argument("--repeat", type=int, default=3)
    return parser.parse_args(argv)


def seed(n):
    """``n`` experimentations, five per district, assessed with their three sides submitted."""
    staff = StaffFactory(email="bench@parisandco.example")
    edition = EditionFactory(number=9, title="Bench")
    districts = [DistrictFactory(edition=edition) for _ in range(-(-n // PER_DISTRICT))]
    call = ExperimenterCallFactory(edition=edition, districts=districts, max_selected=n)
    for i in range(n):
        application = ProjectApplicationFactory(call=call, organisation=OrganisationFactory())
        application.project.title = f"Solution de quartier n° {i + 1}"
        application.project.save(update_fields=["title"])
        create_for(application, district=districts[i // PER_DISTRICT], by=staff)
    campaign = AssessmentCampaignFactory(edition=edition, title="Bilan du banc d'essai")
    cover(campaign, Experimentation.objects.all())
    for k, assessment in enumerate(Assessment.objects.filter(campaign=campaign)):
        ProtocolIndicator.objects.bulk_create(
            ProtocolIndicator(
                assessment=assessment,
                name=name,
                unit=unit,
                baseline=10,
                target=60,
                measured=20 + (k * 7 + j * 13) % 50,
                method="Relevés mensuels sur les deux sites",
                position=j,
            )
            for j, (name, unit) in enumerate((("Déchets triés", "kg"), ("Usagers", "personnes")))
        )
        for m, party in enumerate(Party):
            filled_side(assessment, party, score=1 + (k + m) % 5, by=staff)
        assessment.outcome_details = JUSTIFICATION
        assessment.save(update_fields=["outcome_details"])
    GridAnswer.objects.update(justification=JUSTIFICATION)
    return staff


def build(staff):
    job = ExportJob.objects.create(
        requested_by=staff,
        subject="assessment",
        format=ExportJob.Format.PDF,
        filters={"campaign": Assessment.objects.values_list("campaign", flat=True).first()},
    )
    started = time.perf_counter()
    exports.run(job.pk)
    elapsed = time.perf_counter() - started
    job.refresh_from_db()
    if job.state != ExportJob.State.DONE:
        raise SystemExit(f"the report failed: {job.error}")
    return elapsed, job


def _child(staff_pk, pipe):
    """One build in a process of its own: its resident memory before, and its peak."""
    staff = User.objects.get(pk=staff_pk)
    before = psutil.Process().memory_info().rss
    build(staff)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    pipe.send((before, peak))
    pipe.close()


def peak_rss(staff):
    connections.close_all()  # the child opens its own connection
    gc.collect()
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(staff.pk, send))
    child.start()
    before, peak = receive.recv()
    child.join()
    return before, peak


def mib(n):
    return n / 2**20


def measure(n, repeat):
    staff = seed(n)
    _elapsed, job = build(staff)  # warm-up: templates, fonts, stylesheet
    times = [build(staff)[0] for _ in range(repeat)]
    gc.collect()  # the garbage of the runs before is not this run's memory
    tracemalloc.start()
    build(staff)
    _current, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    before, peak = peak_rss(staff)
    return {
        "n": n,
        "median": statistics.median(times),
        "traced": traced,
        "growth": peak - before,
        "peak": peak,
        "size": job.size,
    }


def main(argv=None):
    args = parse_args(argv)
    print("The programme report of an assessment campaign (PDF), as the export task builds it")
    check_migrations()
    results = []
    for n in sorted(args.sizes):
        old_name = connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False
        )
        try:
            ContentType.objects.clear_cache()
            Site.objects.clear_cache()
            r = measure(n, args.repeat)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        results.append(r)
        print(
            f"  {r['n']:4d} experimentations: median {r['median']:6.1f} s "
            f"({r['median'] / r['n'] * 1000:4.0f} ms each), peak Python memory "
            f"{mib(r['traced']):6.1f} MiB, peak RSS {mib(r['peak']):6.1f} MiB "
            f"(+{mib(r['growth']):5.1f} MiB during the build), file {mib(r['size']):5.2f} MiB",
            flush=True,
        )
    small, large = results[0], results[-1]
    traced = large["traced"] / small["traced"]
    growth = large["growth"] / max(small["growth"], 1)
    peak = large["peak"] / small["peak"]
    print(
        f"  peak memory at {large['n']} / at {small['n']}: Python {traced:.2f}, "
        f"RSS {peak:.2f} (growth {growth:.2f}) — target: at most {TARGET_RATIO:.2f}"
    )
    ok = traced <= TARGET_RATIO and peak <= TARGET_RATIO
    print(f"  flat memory: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark of the documents and the reminders.

* a dossier PDF (template, WeasyPrint, annex appended) against WeasyPrint rendering the very
  same pre-built HTML with the same stylesheet and fonts: the ratio is the portal's overhead;
* packs of 50 and 500 dossiers (one merged PDF, dossiers built cold): time and peak memory,
  which must stay flat as the number of dossiers grows;
* one reminder scan (what is due) over 10,000 drafts, and the cost of sending one reminder.

    .venv/bin/python bench/documents.py [--packs 50 500] [--drafts 10000] [--repeat 5]

A fresh SQLite database in a temporary folder (bench/settings.py), removed at the end.
"""

import argparse
import hashlib
import io
import os
import shutil
import statistics
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

# Always the throw-away SQLite database, whatever DATABASE_URL says.
os.environ.pop("DATABASE_URL", None)
# Run as a script (``python bench/documents.py``): the project's folder, not bench/, on the path.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import environment  # noqa: E402, F401  (starts Django before any model is imported)

# isort: split

import psutil  # noqa: E402
from django.core import mail  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.core.files.storage import storages  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from pypdf import PdfWriter  # noqa: E402

from bench.seed_common import people  # noqa: E402
from calls.domain import reminders  # noqa: E402
from calls.domain.workflow import Status  # noqa: E402
from calls.interfaces import documents, exports  # noqa: E402
from calls.models import (  # noqa: E402
    Application,
    Attachment,
    ExportJob,
    UrbanChallenge,
)
from municipalities import samples as municipality_samples  # noqa: E402
from municipalities.models import MunicipalityApplication  # noqa: E402
from qmi.models import Applicant, Membership  # noqa: E402
from tests.factories import (  # noqa: E402
    ApplicantFactory,
    ApplicationFactory,
    CallFactory,
    EditionFactory,
    MembershipFactory,
    StaffFactory,
)

TEXT = (
    "Le quartier de la gare accueille chaque jour des milliers de voyageurs ; ses espaces "
    "publics, très minéraux, souffrent de la chaleur en été et d'un manque de lieux pour "
    "s'asseoir. La commune souhaite y tester des solutions d'ombrage, de végétalisation "
    "temporaire et de logistique urbaine apaisée, avec les habitants et les commerçants. "
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--packs", type=int, nargs="+", default=[50, 500], metavar="N")
    parser.add_argument("--drafts", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5, help="timed dossier renders")
    return parser.parse_args(argv)


def annex_pdf(pages=2):

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def make_call(edition, slug, closes_in_days):

    now = timezone.now()
    return CallFactory(
        edition=edition,
        slug=slug,
        opens_at=now - timedelta(days=30),
        closes_at=now + timedelta(days=closes_in_days),
    )


def seed_applications(call, n, *, submitted, prefix):
    """``n`` applications to ``call`` by made-up municipalities, bulk inserted."""

    now = timezone.now()
    pdf = annex_pdf()
    storage = storages["private"]
    annex_name = storage.save(f"bench/{prefix}-annex.pdf", ContentFile(pdf))
    challenges = list(UrbanChallenge.objects.values_list("pk", flat=True))[:2]
    with transaction.atomic():
        users = people(n, email=prefix + "{n}@ville.example", first_name="Agent")
        applicants = Applicant.objects.bulk_create(
            ApplicantFactory.build(name=f"Commune {prefix} {i}") for i in range(n)
        )
        Membership.objects.bulk_create(
            MembershipFactory.build(
                applicant=a, user=u, role=Membership.Role.OWNER, confirmed_at=now
            )
            for a, u in zip(applicants, users, strict=True)
        )
        applications = Application.objects.bulk_create(
            ApplicationFactory.build(
                call=call,
                kind="municipalities",
                applicant=a,
                created_by=u,
                reference=f"QMI9-{prefix}-{i:05d}",
                status=Status.SUBMITTED if submitted else Status.DRAFT,
                submitted_at=now if submitted else None,
                submitted_by=u if submitted else None,
                fingerprint=hashlib.sha256(str(i).encode()).hexdigest() if submitted else "",
            )
            for i, (a, u) in enumerate(zip(applicants, users, strict=True))
        )
        Application.objects.filter(pk__in=[a.pk for a in applications]).update(
            created_at=now - timedelta(days=20)
        )
        # The samples of the tests, with longer texts: a dossier of a few pages.
        full = {
            **municipality_samples.ANSWERS,
            "location": TEXT,
            "current_projects": TEXT * 2,
            "local_stakes": TEXT * 4,
            "offer": TEXT * 2,
        }
        MunicipalityApplication.objects.bulk_create(
            MunicipalityApplication(application=a, **(full if submitted else {}))
            for a in applications
        )
        if submitted:
            through = MunicipalityApplication.challenges.through
            through.objects.bulk_create(
                through(municipalityapplication_id=a.pk, urbanchallenge_id=c)
                for a in applications
                for c in challenges
            )
            Attachment.objects.bulk_create(
                Attachment(
                    application=a,
                    slot="deliberation",
                    file=annex_name,
                    original_name="deliberation.pdf",
                    content_type="application/pdf",
                    size=len(pdf),
                    sha256=hashlib.sha256(pdf).hexdigest(),
                    uploaded_by=a.created_by,
                )
                for a in applications
            )
    return [a.pk for a in applications]


class PeakRss:
    """Samples the process's resident memory in a thread; ``peak`` in bytes."""

    def __init__(self, interval=0.02):

        self._process = psutil.Process()
        self._interval = interval
        self.start_rss = self.peak = self._process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self._process.memory_info().rss)
            time.sleep(self._interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._process.memory_info().rss)


def mib(n):
    return n / (1024 * 1024)


def bench_dossier(application_id, repeat):

    def load():
        return Application.objects.select_related("call__edition", "applicant").get(
            pk=application_id
        )

    documents.write_dossier(load(), io.BytesIO())  # warm-up: fonts, templates
    full, weasy = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        documents.write_dossier(load(), io.BytesIO())
        full.append(time.perf_counter() - start)
        application = load()
        html = documents.dossier_html(application, documents._annexes(application))
        start = time.perf_counter()
        documents.render_pdf(html)
        weasy.append(time.perf_counter() - start)
    return min(full), min(weasy), statistics.median(full), statistics.median(weasy)


def bench_pack(ids, staff, *, cold=True):

    if cold:
        dossiers = Path(storages["private"].location) / documents.DOSSIER_DIR
        shutil.rmtree(dossiers, ignore_errors=True)
    job = ExportJob.objects.create(requested_by=staff, format="pdf", filters={"ids": ids})
    with PeakRss() as memory:
        start = time.perf_counter()
        exports.run(job.pk)
        elapsed = time.perf_counter() - start
    job.refresh_from_db()
    if job.state != "done":
        raise SystemExit(f"pack failed: {job.error}")
    return elapsed, memory, job.size


def bench_reminders(call, drafts):

    reminders.due()  # warm-up
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        due = reminders.due()
        timings.append(time.perf_counter() - start)
    assert len(due) == drafts, (len(due), drafts)
    sample = due[:200]
    start = time.perf_counter()
    for application_id, offset in sample:
        reminders.send_one(application_id, offset)
    per_reminder = (time.perf_counter() - start) / len(sample)
    assert len(mail.outbox) == len(sample)
    return statistics.median(timings), per_reminder


def main(argv=None):
    args = parse_args(argv)
    call_command("migrate", verbosity=0)

    mail.outbox = []
    edition = EditionFactory(number=9, title="Bench")
    staff = StaffFactory(email="bench@parisandco.example")
    print("Seeding…", flush=True)
    pack_call = make_call(edition, "bench-pack", 30)
    pack_ids = seed_applications(pack_call, max(args.packs), submitted=True, prefix="P")
    draft_call = make_call(edition, "bench-drafts", 6)
    seed_applications(draft_call, args.drafts, submitted=False, prefix="D")

    full, weasy, full_median, weasy_median = bench_dossier(pack_ids[0], args.repeat)
    print()
    print(f"Dossier PDF (best of {args.repeat}; median in brackets)")
    print(
        f"  portal dossier (template + WeasyPrint + annex): {full * 1000:6.0f} ms "
        f"({full_median * 1000:.0f})"
    )
    print(
        f"  WeasyPrint alone, same pre-built HTML:          {weasy * 1000:6.0f} ms "
        f"({weasy_median * 1000:.0f})"
    )
    print(
        f"  ratio:                                          {full / weasy:6.2f} "
        f"({full_median / weasy_median:.2f})"
    )

    print()
    print("Packs: one merged PDF (cold: every dossier rendered; cached: merged only)")
    rows = []
    for cold in (True, False):
        for n in sorted(args.packs):
            elapsed, memory, size = bench_pack(pack_ids[:n], staff, cold=cold)
            rows.append((cold, n, memory.peak))
            print(
                f"  {n:5d} dossiers, {'cold  ' if cold else 'cached'}: {elapsed:7.1f} s "
                f"({elapsed / n * 1000:5.0f} ms each), peak RSS {mib(memory.peak):6.1f} MiB "
                f"(+{mib(memory.peak - memory.start_rss):5.1f} MiB during the build), "
                f"file {mib(size):5.1f} MiB",
                flush=True,
            )

    print()
    scan, per_reminder = bench_reminders(draft_call, args.drafts)
    print(f"Reminder scan over {args.drafts} drafts (what is due): {scan * 1000:.0f} ms")
    per_reminder_ms = per_reminder * 1000
    print(f"Sending one reminder (row + bilingual e-mail, in memory): {per_reminder_ms:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Packs of dossiers and table exports, built in the background as ``ExportJob`` records.

One mechanism for every format: ``export_requests.request_export`` records the job and queues
the task after the commit; the task calls ``run``, which picks the applications the requester
may read (``access.dossier_scope``: staff everything, a jury member their non-conflicted
assignments),
builds the file into a temporary file one application at a time — a merged PDF with a bookmark
per dossier, a ZIP with a folder per application, a CSV or an XLSX table — updates the progress
(the heartbeat) after each, then stores the file privately until it expires.

Memory stays flat: dossiers are streamed into the output (``pdfmerge.StreamingPdfWriter``,
``zipfile``, ``csv``, ``xlsx``) and applications are read in chunks.

Other subjects than the applications (the programme report of an assessment campaign) are
registered by their app with ``register_subject``: what is in scope for the requester, a
builder per format and how the progress page counts them; ``run`` dispatches on the job's
subject, with the same claim, heartbeat, storage and expiry.

A job never stays "running" for ever: beat's ``clean_up`` marks failed a job whose heartbeat
stopped (its worker died), and a redelivered task starts a pending or running job again, up to
``MAX_ATTEMPTS`` times.
"""

import logging
import re
import shutil
import tempfile
import time
import unicodedata
import zipfile
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calls.domain.access import dossier_scope, jury_scope
from calls.domain.kinds import list_prefetches
from calls.interfaces import documents, export_subjects, rows
from calls.interfaces.export_subjects import (  # noqa: F401 — part of this module's API
    APPLICATIONS,
    register_subject,
)
from calls.interfaces.pdfmerge import PdfMergeError, StreamingPdfWriter
from calls.interfaces.spreadsheets import write_csv, write_xlsx
from calls.interfaces.tables import (  # noqa: F401 — part of this module's API
    COLUMN_PROVIDERS,
    neutralise,
    register_column_provider,
    row_reader,
    table_columns,
)
from calls.models import Application, ExportJob
from qmi.uploads import clean_filename

from .export_jobs import (  # noqa: F401 — the job's life, re-exported for the builders' callers
    ABANDONED_AFTER,
    BEAT_EVERY,
    MAX_ATTEMPTS,
    STALLED_AFTER,
    _fail,
    claim,
    clean_up,
    heartbeat,
    resume_stalled,
    stalled,
    take_back,
)

logger = logging.getLogger(__name__)

_heartbeat = heartbeat

CHUNK = 100
PDF_FORMATS = (ExportJob.Format.PDF, ExportJob.Format.ZIP)


class ExportError(Exception):
    """A failure to show on the job page, in words for people."""


# --- Requesting -------------------------------------------------------------------------------


def clean_filters(filters):
    """Only the filters the exports understand, as JSON-able values."""
    clean = {}
    if filters.get("ids"):
        clean["ids"] = sorted({int(pk) for pk in filters["ids"]})
    if filters.get("call"):
        clean["call"] = int(filters["call"])
    if filters.get("status"):
        clean["status"] = sorted({str(s) for s in filters["status"]})
    if filters.get("district"):
        clean["district"] = int(filters["district"])
    if filters.get("assigned_to_me"):
        clean["assigned_to_me"] = True
    return clean


def applications_for(job):
    """The applications of ``job``: its filters, within what its requester may read."""
    filters = job.filters or {}
    qs = dossier_scope(job.requested_by)
    if "ids" in filters:
        qs = qs.filter(pk__in=filters["ids"])
    if filters.get("call"):
        qs = qs.filter(call_id=filters["call"])
    if filters.get("status"):
        qs = qs.filter(status__in=filters["status"])
    if filters.get("district"):
        district = filters["district"]
        # Experimenters wished the district; a municipality proposed it.
        qs = qs.filter(Q(project__wishes__district_id=district) | Q(district__pk=district))
    if filters.get("assigned_to_me"):
        # What the requester reviews as a jury member (all a juror may read anyway; for staff
        # who also sit on a jury, their own assignments).
        qs = qs.filter(pk__in=jury_scope(job.requested_by).values("pk"))
    return qs.distinct().order_by("reference")


# --- Running ----------------------------------------------------------------------------------


def subject_of(job):
    """The ``Subject`` of ``job`` (``ExportError`` when no app registered it)."""
    spec = export_subjects.subject(job.subject)
    if spec is None:
        raise ExportError(_("This kind of export no longer exists."))
    return spec


BUILDERS = {}  # the applications' builders, by format


def builder(format):
    def register(func):
        BUILDERS[format] = func
        return func

    return register


def run(job_id):
    """Build the file of export job ``job_id`` (the task's one call)."""
    job = claim(job_id)
    if job is None:
        return None
    try:
        subject = subject_of(job)
        if job.format not in subject.builders:
            raise ExportError(_("This format is not offered for this export."))
        ids = list(subject.items(job))
        job.total = len(ids)
        ExportJob.objects.filter(pk=job.pk).update(total=job.total, updated_at=timezone.now())
        if not ids:
            raise ExportError(subject.empty or _("Nothing matches these filters."))
        with translation.override(settings.LANGUAGE_CODE), tempfile.TemporaryFile() as tmp:
            filename = subject.builders[job.format](job, ids, tmp)
            tmp.seek(0)
            storage = storages["private"]
            name = storage.save(f"exports/{job.pk}/{filename}", File(tmp, name=filename))
        now = timezone.now()
        updated = ExportJob.objects.filter(pk=job.pk, state=ExportJob.State.RUNNING).update(
            state=ExportJob.State.DONE,
            file=name,
            size=storage.size(name),
            done=job.total,
            finished_at=now,
            expires_at=now + timedelta(hours=settings.EXPORT_RETENTION_HOURS),
            updated_at=now,
        )
        if not updated:  # marked failed meanwhile (stalled): do not keep an orphan file
            storage.delete(name)
    except ExportError as error:
        _fail(job, str(error))
    except Exception as error:
        logger.exception("export job %s failed", job.pk)
        _fail(job, _("The export failed: %(error)s") % {"error": _describe(error)})
        if _is_time_limit(error):
            return None
        raise
    return job.pk


def _is_time_limit(error):
    return type(error).__name__ in ("SoftTimeLimitExceeded", "TimeLimitExceeded")


def _describe(error):
    if _is_time_limit(error):
        return _("it took longer than allowed; choose fewer applications")
    return f"{type(error).__name__}: {str(error)[:300]}"


def _chunks(ids, size=CHUNK):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _applications(ids):
    """The applications of ``ids`` in that order, loaded a chunk at a time with what the
    dossiers and the tables read (answers, attachments), so no row costs a query of its own."""
    for chunk in _chunks(ids):
        rows = (
            Application.objects.filter(pk__in=chunk)
            .select_related(
                "call__edition",
                "applicant__commune",
                "applicant__organisation",
                "submitted_by",
            )
            .prefetch_related("attachments", *list_prefetches())
        )
        by_id = {a.pk: a for a in rows}
        for pk in chunk:
            if pk in by_id:
                yield by_id[pk]


def _slug(text, limit=60):
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    text = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")
    return text[:limit] or "application"


def _stamp():
    return timezone.localtime().strftime("%Y%m%d-%H%M")


@builder(ExportJob.Format.PDF)
def build_pdf_pack(job, ids, fh):
    """One PDF of all the dossiers, a bookmark per dossier holding its own bookmarks."""
    writer = StreamingPdfWriter(fh, title=_("Pack of %(n)d dossiers") % {"n": len(ids)})
    for done, application in enumerate(_applications(ids), start=1):
        with documents.dossier(application).open() as dossier:
            try:
                writer.add(dossier, title=documents.dossier_title(application))
            except PdfMergeError as error:
                raise ExportError(
                    _("The dossier of %(ref)s could not be added.") % {"ref": application.reference}
                ) from error
        _heartbeat(job, done)
    writer.close()
    return f"qmi-dossiers-{_stamp()}.pdf"


@builder(ExportJob.Format.ZIP)
def build_zip_pack(job, ids, fh):
    """A ZIP with a folder per application: its dossier PDF and its original attachments."""
    with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for done, application in enumerate(_applications(ids), start=1):
            folder = f"{application.reference}-{_slug(application.applicant.name)}"
            with (
                documents.dossier(application).open() as source,
                archive.open(f"{folder}/{application.reference}-dossier.pdf", "w") as target,
            ):
                shutil.copyfileobj(source, target, 1024 * 1024)
            used = set()
            for attachment in application.attachments.all():
                name = _unique(_safe_name(attachment.original_name), used)
                try:
                    with (
                        attachment.file.open("rb") as source,
                        archive.open(f"{folder}/annexes/{name}", "w") as target,
                    ):
                        shutil.copyfileobj(source, target, 1024 * 1024)
                except FileNotFoundError:
                    logger.warning("attachment %s of %s is missing", attachment.pk, application)
            _heartbeat(job, done)
    return f"qmi-dossiers-{_stamp()}.zip"


def _safe_name(name):
    """``name`` as a file name inside the archive (``uploads.clean_filename``, keeping its own
    suffix): no folder, no control character."""
    return clean_filename(name, PurePath(name.replace("\\", "/")).suffix.lower())


def _unique(name, used):
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    candidate, n = name, 1
    while candidate.lower() in used:
        n += 1
        candidate = f"{stem}-{n}.{suffix}" if dot else f"{stem}-{n}"
    used.add(candidate.lower())
    return candidate


# --- Tables -----------------------------------------------------------------------------------


HEARTBEATS = 20  # progress written at most this many times, whatever the number of rows
HEARTBEAT_ROWS = 50  # and not more often than every this many rows


def table_rows(job, ids):
    """The header row, then one row per application, with the heartbeat. The applications
    are read from values in a fixed number of queries and streamed (``calls.interfaces.rows``);
    the columns are told which applications as a subquery (the same as ``ids``: thousands of
    ids bound as parameters cost more than the query)."""
    scope = applications_for(job)
    columns = table_columns(scope.order_by().values("pk"), job)
    yield [header for header, _read in columns]
    read_row = row_reader(columns)
    step = max(HEARTBEAT_ROWS, -(-len(ids) // HEARTBEATS))
    beaten = time.monotonic()
    for done, application in enumerate(rows.applications(scope), start=1):
        yield read_row(application)
        late = time.monotonic() - beaten > BEAT_EVERY.total_seconds()
        if done % step == 0 or done == len(ids) or late:
            _heartbeat(job, done)
            beaten = time.monotonic()


@builder(ExportJob.Format.CSV)
def build_csv(job, ids, fh):
    write_csv(table_rows(job, ids), fh)
    return f"qmi-applications-{_stamp()}.csv"


@builder(ExportJob.Format.XLSX)
def build_xlsx(job, ids, fh):
    write_xlsx(table_rows(job, ids), fh, title=_("Applications"))
    return f"qmi-applications-{_stamp()}.xlsx"


register_subject(
    APPLICATIONS,
    items=lambda job: applications_for(job).values_list("pk", flat=True),
    builders=BUILDERS,
    noun=gettext_lazy("{done} of {total} applications"),
    empty=gettext_lazy("No application matches these filters."),
    filters=clean_filters,
    again=lambda job: reverse("calls:export_new"),
)

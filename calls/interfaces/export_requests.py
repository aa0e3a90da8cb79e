"""Asking for an export: the job is recorded, its building queued after the commit."""

from django.db import transaction

from calls.interfaces import export_subjects, exports
from calls.interfaces.exports import APPLICATIONS
from calls.models import ExportJob
from calls.tasks import build_export


def request_export(user, *, format, filters=None, description="", subject=APPLICATIONS):
    """Record an export job about ``subject`` for ``user`` and queue its building after the
    commit. ``ValueError`` when no app registered ``subject`` or it offers no ``format``."""
    spec = export_subjects.subject(subject)
    if spec is None or format not in spec.builders:
        raise ValueError(f"no {format!r} export of {subject!r}")
    job = ExportJob.objects.create(
        requested_by=user,
        subject=subject,
        format=format,
        filters=spec.filters(filters or {}),
        description=description[:255],
    )
    transaction.on_commit(lambda: build_export.delay(str(job.pk)))
    return job


def resume_stalled(*, now=None, job=None):
    """Queue again the exports whose worker died, or only ``job`` (``exports.resume_stalled``);
    the job's page asks it, so whoever watches sees it start again within a minute."""
    return exports.resume_stalled(enqueue=build_export.delay, now=now, job=job)

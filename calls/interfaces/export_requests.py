"""Asking for an export: the job is recorded, its building queued after the commit."""

from django.db import transaction

from calls.interfaces.exports import clean_filters
from calls.models import ExportJob
from calls.tasks import build_export


def request_export(user, *, format, filters=None, description=""):
    """Record an export job for ``user`` and queue its building after the commit."""
    job = ExportJob.objects.create(
        requested_by=user,
        format=format,
        filters=clean_filters(filters or {}),
        description=description[:255],
    )
    transaction.on_commit(lambda: build_export.delay(str(job.pk)))
    return job

"""The life of an export job, whatever it builds: claimed by an attempt, its heartbeat while it
builds, taken back and queued again when its worker died (no heartbeat for a minute), marked
failed after ``MAX_ATTEMPTS`` interruptions; expired files deleted (``clean_up``)."""

from datetime import timedelta

from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.models import ExportJob

MAX_ATTEMPTS = 3
# No heartbeat for this long: the worker building the job died. Builders beat at least every
# dossier (a few seconds) and every ``BEAT_EVERY`` while writing a table.
STALLED_AFTER = timedelta(seconds=60)
BEAT_EVERY = timedelta(seconds=10)
NEVER_STARTED_AFTER = timedelta(hours=6)
ABANDONED_AFTER = timedelta(minutes=15)


def claim(job_id):
    """Mark the job running for this attempt; None when it must not run (finished, gone, or
    attempted too often — then it is marked failed)."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state not in (ExportJob.State.PENDING, ExportJob.State.RUNNING):
            return None
        if job.attempts >= MAX_ATTEMPTS:
            _fail(
                job,
                _("The export was interrupted %(n)d times: request it again.")
                % {"n": job.attempts},
            )
            return None
        job.state = ExportJob.State.RUNNING
        job.attempts += 1
        job.started_at = timezone.now()
        job.done = 0
        job.error = ""
        job.save(update_fields=["state", "attempts", "started_at", "done", "error", "updated_at"])
    return job


def _fail(job, message):
    job.state = ExportJob.State.FAILED
    job.error = message
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "error", "finished_at", "updated_at"])


def heartbeat(job, done):
    """Record that ``done`` items of ``job`` are built (the builders of every subject): the
    job's heartbeat, which tells a live worker from a dead one."""
    job.done = done
    ExportJob.objects.filter(pk=job.pk, state=ExportJob.State.RUNNING).update(
        done=done, updated_at=timezone.now()
    )


def stalled(now=None):
    """The jobs marked running whose worker gave no heartbeat for ``STALLED_AFTER``."""
    now = now or timezone.now()
    return ExportJob.objects.filter(
        state=ExportJob.State.RUNNING, updated_at__lt=now - STALLED_AFTER
    )


def take_back(job, now=None):
    """Put a stalled ``job`` back in the queue's hands (pending), once, whoever asks at the
    same moment (a conditional update); False when it is not stalled any more. Its dossiers
    already built are in the cache: the next attempt reuses them. A job interrupted
    ``MAX_ATTEMPTS`` times is marked failed instead."""
    now = now or timezone.now()
    candidate = stalled(now).filter(pk=job.pk)
    if job.attempts >= MAX_ATTEMPTS:
        candidate.update(
            state=ExportJob.State.FAILED,
            error=_("The export was interrupted %(n)d times: request it again.")
            % {"n": job.attempts},
            finished_at=now,
            updated_at=now,
        )
        return False
    return bool(candidate.update(state=ExportJob.State.PENDING, updated_at=now))


def resume_stalled(*, enqueue, now=None, job=None):
    """Queue again (``enqueue(job id)``, after the commit) every export whose worker died — no
    heartbeat for ``STALLED_AFTER`` — or only ``job``: each is taken back once
    (``take_back``) and rebuilt, reusing the dossiers already built. Beat runs it every
    minute. Returns how many were queued."""
    now = now or timezone.now()
    jobs = [job] if job is not None else list(stalled(now))
    queued = 0
    for stalled_job in jobs:
        if take_back(stalled_job, now):
            transaction.on_commit(lambda pk=str(stalled_job.pk): enqueue(pk))
            queued += 1
    return queued


# --- Cleaning up ------------------------------------------------------------------------------


def clean_up(now=None):
    """Delete expired files; mark failed the jobs whose worker stopped. Returns the counts."""
    now = now or timezone.now()
    storage = storages["private"]
    expired = 0
    for job in ExportJob.objects.filter(state=ExportJob.State.DONE, expires_at__lte=now):
        if job.file:
            storage.delete(job.file.name)
        ExportJob.objects.filter(pk=job.pk).update(
            state=ExportJob.State.EXPIRED, file="", updated_at=now
        )
        expired += 1
    # Stalled jobs are taken back every minute (``export_requests.resume_stalled``); one
    # stalled for this long was never taken back (no worker, no beat): it fails.
    abandoned = ExportJob.objects.filter(
        state=ExportJob.State.RUNNING, updated_at__lt=now - ABANDONED_AFTER
    ).update(
        state=ExportJob.State.FAILED,
        error=_("The export stopped: the worker building it was interrupted. Request it again."),
        finished_at=now,
        updated_at=now,
    )
    never = ExportJob.objects.filter(
        state=ExportJob.State.PENDING, created_at__lt=now - NEVER_STARTED_AFTER
    ).update(
        state=ExportJob.State.FAILED,
        error=_("The export never started. Request it again."),
        finished_at=now,
        updated_at=now,
    )
    return {"expired": expired, "stalled": abandoned, "never_started": never}

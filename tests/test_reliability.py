"""Celery is configured for reliability: late acknowledgement, requeue on worker loss, prefetch of
one, a visibility timeout longer than every task and retry delay, time limits on PDF work, one
beat reading its schedule from the database, tasks queued only after the commit."""

import pytest
from django.conf import settings

from calls import tasks
from qmi.celery import app as celery_app


def test_acks_late_reject_on_worker_lost_prefetch_one():
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1


def test_every_time_limit_and_retry_delay_is_below_the_visibility_timeout():
    visibility = celery_app.conf.broker_transport_options["visibility_timeout"]
    assert visibility == settings.TASK_VISIBILITY_TIMEOUT
    for name, limit, retry_delay in tasks.time_limits():
        assert 0 < limit < visibility, name
        assert retry_delay < visibility, name
    assert celery_app.conf.task_time_limit < visibility


@pytest.mark.parametrize("task", [tasks.build_dossier, tasks.build_export, tasks.clean_up_exports])
def test_pdf_and_export_tasks_have_time_limits(task):
    assert task.time_limit and task.soft_time_limit and task.soft_time_limit < task.time_limit


def test_reminder_scan_is_retried_with_backoff_below_the_visibility_timeout():
    task = tasks.send_due_reminders
    assert task.autoretry_for and task.retry_backoff and task.max_retries
    assert task.retry_backoff_max < settings.TASK_VISIBILITY_TIMEOUT


def test_beat_reads_the_schedule_from_the_database(db):
    from django_celery_beat.models import PeriodicTask

    assert celery_app.conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"
    scheduled = dict(PeriodicTask.objects.values_list("task", "interval__every"))
    assert scheduled["calls.tasks.send_due_reminders"] <= 10 * 60
    assert "calls.tasks.clean_up_exports" in scheduled
    for task in PeriodicTask.objects.filter(task__startswith="calls."):
        assert task.expire_seconds and task.expire_seconds < task.interval.every


def test_export_is_queued_only_after_the_commit(db, django_capture_on_commit_callbacks):
    from calls.interfaces import export_requests
    from calls.models import ExportJob
    from tests.factories import StaffFactory

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = export_requests.request_export(StaffFactory(), format="csv", filters={"call": 1})
    assert len(callbacks) == 1
    assert ExportJob.objects.get(pk=job.pk).state == "pending"

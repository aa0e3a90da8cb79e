"""Against the real Redis and PostgreSQL: a jury member requests a pack of dossiers, a real
Celery worker builds it from the queue, the job ends "done" with one bookmark per dossier in the
merged PDF — only the dossiers assigned to that member and declared free of conflict."""

import io

import pytest
from django.core.files.storage import storages
from pypdf import PdfReader

from calls.interfaces import export_requests
from calls.models import ExportJob
from qmi.celery import app as celery_app
from tests import worker
from tests.services import requires_services

pytestmark = [requires_services, pytest.mark.django_db(transaction=True)]

TIMEOUT = 60


def test_real_worker_builds_a_jury_pack_of_my_non_conflicted_dossiers(tmp_path, settings):
    broker = worker.require_services()
    worker.ensure_reference_data()
    from tests.factories import (
        CallFactory,
        JuryMemberFactory,
        SubmittedApplicationFactory,
        assigned,
    )

    call = CallFactory()
    free, also_free, conflicted, not_mine = (
        SubmittedApplicationFactory(call=call) for _ in range(4)
    )
    member = JuryMemberFactory(call=call)
    assigned(member, free, conflict=False)
    assigned(member, also_free, conflict=False)
    assigned(member, conflicted, conflict=True)
    applications = [free, also_free]
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = worker.environment(broker, mail_dir)
    worker.purge_queue(broker, settings.CELERY_TASK_DEFAULT_QUEUE)
    celery_app.conf.task_always_eager = False
    process = worker.start_worker(env, tmp_path / "worker.log")
    try:
        job = export_requests.request_export(
            member.user, format=ExportJob.Format.PDF, filters={"call": call.pk}
        )

        def finished():
            job.refresh_from_db()
            return job.is_finished

        worker.wait_until(finished, TIMEOUT, [process], "waiting for the pack", 0.2)
    finally:
        celery_app.conf.task_always_eager = True
        process.stop()
        worker.purge_queue(broker, settings.CELERY_TASK_DEFAULT_QUEUE)

    assert job.state == ExportJob.State.DONE, (job.error, process.log[-3000:])
    assert (job.done, job.total, job.attempts) == (2, 2, 1)
    with storages["private"].open(job.file.name, "rb") as fh:
        reader = PdfReader(io.BytesIO(fh.read()))
    top = [item.title for item in reader.outline if not isinstance(item, list)]
    assert top == [
        f"{a.reference} — {a.applicant.name}"
        for a in sorted(applications, key=lambda a: a.reference)
    ]
    assert "calls.tasks.build_export" in process.log and "succeeded" in process.log

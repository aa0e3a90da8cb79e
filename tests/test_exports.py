"""Export jobs: packs (merged PDF, ZIP), tables (CSV, XLSX) with formulas neutralised, who may
see a job, expiry, jobs whose worker died, and the receipt and dossier downloads."""

import csv
import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.storage import storages
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook
from pypdf import PdfReader

from calls.interfaces import documents, export_requests, exports, tables
from calls.models import Application, ExportJob, UrbanChallenge
from experimenters.models import DistrictWish, TeamMember
from municipalities.models import MunicipalityApplication
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    ProjectApplicationFactory,
    StaffFactory,
    SubmittedApplicationFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _english(settings):
    """Documents and messages in English, so that the assertions read the msgids."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def staff(db):
    return StaffFactory()


@pytest.fixture
def submitted(db):
    call = CallFactory()
    return [SubmittedApplicationFactory(call=call) for _ in range(3)]


def build(user, format, **filters):
    """Request an export and run it (tasks are eager in the tests: it is done on commit)."""
    job = export_requests.request_export(user, format=format, filters=filters)
    exports.run(job.pk)
    job.refresh_from_db()
    return job


def content(job):
    with storages["private"].open(job.file.name, "rb") as fh:
        return fh.read()


# --- Packs ------------------------------------------------------------------------------------


def test_pdf_pack_has_a_bookmark_per_dossier(staff, submitted):
    job = build(staff, ExportJob.Format.PDF, call=submitted[0].call_id)

    assert (job.state, job.done, job.total, job.progress) == ("done", 3, 3, 100)
    reader = PdfReader(io.BytesIO(content(job)))
    top = [item for item in reader.outline if not isinstance(item, list)]
    assert [item.title for item in top] == [
        f"{a.reference} — {a.applicant.name}" for a in sorted(submitted, key=lambda a: a.reference)
    ]
    starts = [reader.get_destination_page_number(item) for item in top]
    assert starts[0] == 0 and starts == sorted(starts) and len(set(starts)) == 3
    assert job.expires_at > timezone.now()


def test_zip_pack_has_a_folder_per_application_with_dossier_and_annexes(staff, submitted):
    job = build(staff, ExportJob.Format.ZIP, ids=[a.pk for a in submitted[:2]])

    names = sorted(zipfile.ZipFile(io.BytesIO(content(job))).namelist())
    expected = []
    for application in sorted(submitted[:2], key=lambda a: a.reference):
        folder = f"{application.reference}-{exports._slug(application.applicant.name)}"
        expected += [
            f"{folder}/annexes/{application.attachments.get().original_name}",
            f"{folder}/{application.reference}-dossier.pdf",
        ]
    assert names == sorted(expected)


def test_status_filter_leaves_drafts_out(staff, submitted):
    ApplicationFactory(call=submitted[0].call)
    job = build(staff, ExportJob.Format.CSV, call=submitted[0].call_id, status=["submitted"])
    assert job.total == 3


def test_export_without_matching_application_fails_with_a_message(staff, submitted):
    job = build(staff, ExportJob.Format.PDF, call=submitted[0].call_id, status=["selected"])
    assert job.state == "failed" and job.error == "No application matches these filters."


# --- Tables -----------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_neutralise_formula_prefixes(prefix):
    assert exports.neutralise(prefix + "1+1") == "'" + prefix + "1+1"
    assert exports.neutralise("Montreuil " + prefix) == "Montreuil " + prefix
    assert exports.neutralise(-3) == -3


FORMULA = '=HYPERLINK("http://evil.example","click")'


def test_csv_export_neutralises_formulas(staff, submitted):
    content_ = submitted[0].content
    content_.local_stakes = FORMULA
    content_.elected_name = "@SUM(A1)"
    content_.save()
    job = build(staff, ExportJob.Format.CSV, ids=[submitted[0].pk])

    text = content(job).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["Reference", "Call", "Applicant"]
    assert rows[1][0] == submitted[0].reference
    assert "'" + FORMULA in rows[1]
    assert "'@SUM(A1)" in rows[1]
    assert not any(cell.startswith(tables.FORMULA_PREFIXES) for row in rows for cell in row)


def test_xlsx_export_neutralises_formulas(staff, submitted):
    content_ = submitted[0].content
    content_.local_stakes = FORMULA
    content_.save()
    job = build(staff, ExportJob.Format.XLSX, ids=[a.pk for a in submitted])

    sheet = load_workbook(io.BytesIO(content(job))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 4
    cells = [c for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert "'" + FORMULA in [c.value for c in cells]


def _cell(value):
    """A value as the CSV holds it: neutralised, ``None`` empty."""
    value = tables.neutralise(value)
    return "" if value is None else str(value)


@pytest.fixture
def mixed(submitted):
    """Applications of both kinds: the submitted municipalities (the first with two urban
    challenges and answers that look like formulas), a draft whose answers are gone, and a
    complete project with two wished districts and two team members."""
    municipality = submitted[0].content
    municipality.local_stakes = "=cmd"
    municipality.district_name = "+33 quartier"
    municipality.save()
    municipality.challenges.set(UrbanChallenge.objects.filter(code__in=["climate", "flows"]))
    draft = ApplicationFactory(call=submitted[0].call)
    MunicipalityApplication.objects.filter(application=draft).delete()
    project = ProjectApplicationFactory(complete=True)
    districts = list(project.call.districts.order_by("pk"))
    DistrictWish.objects.create(project=project.content, district=districts[1], rank=2)
    TeamMember.objects.create(project=project.content, name="=cmd", role="", position=1)
    return {"municipality": submitted[0], "draft": draft, "project": project}


def _table(job):
    rows = list(csv.reader(io.StringIO(content(job).decode("utf-8-sig")), delimiter=";"))
    return rows[0], rows[1:]


def test_table_export_rows_are_the_columns_read_from_each_application(staff, mixed):
    job = build(staff, ExportJob.Format.CSV)

    header, rows = _table(job)
    applications = list(Application.objects.order_by("reference"))
    columns = exports.table_columns([a.pk for a in applications], job)
    assert header == [h for h, _read in columns]
    read_row = exports.row_reader(columns)
    # Each application read on its own from the database, its lists asked one by one
    assert rows == [[_cell(v) for v in read_row(a)] for a in applications]
    xlsx = build(staff, ExportJob.Format.XLSX)
    sheet = load_workbook(io.BytesIO(content(xlsx))).active
    assert [[_cell(v) for v in r] for r in sheet.iter_rows(values_only=True)] == [header, *rows]


def test_table_export_cells_hold_the_answers(staff, mixed):
    header, rows = _table(build(staff, ExportJob.Format.CSV))

    cells = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    municipality = cells[mixed["municipality"].reference]
    project = cells[mixed["project"].reference]
    draft = cells[mixed["draft"].reference]
    districts = [w.district.name for w in mixed["project"].content.wishes.order_by("rank")]
    assert municipality["[municipalities] Local stakes and motivation"] == "'=cmd"
    assert municipality["[municipalities] Name of the innovation district"] == "'+33 quartier"
    assert municipality["[municipalities] Urban challenges"] == "; ".join(
        str(c) for c in UrbanChallenge.objects.filter(code__in=["climate", "flows"])
    )
    assert municipality["Status"] == "Submitted"
    assert municipality["Submitted by"] == mixed["municipality"].submitted_by.email
    assert municipality["Attachments"] == "; ".join(
        a.original_name for a in mixed["municipality"].attachments.all()
    )
    assert municipality["[experimenters] Title of the project"] == ""
    assert project["[experimenters] Wished districts"] == f"1. {districts[0]}; 2. {districts[1]}"
    assert project["[experimenters] Team"] == "Léa Martin; =cmd"  # the cell is no formula
    assert project["[experimenters] Planned duration (months)"] == "12"
    assert project["[experimenters] Budget of the experimentation (euros)"] == "45000.00"
    assert project["[experimenters] Energy (electricity supply)"] == "yes"
    assert project["[municipalities] Local stakes and motivation"] == ""
    assert draft["Status"] == "Draft" and draft["Submitted by"] == ""
    assert draft["[municipalities] Local stakes and motivation"] == ""
    assert draft["Call"] == "Call for municipalities" and draft["Attachments"] == ""


def test_table_export_queries_do_not_grow_with_the_applications(staff, submitted):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for applications in (submitted[:1], submitted):
        job = ExportJob.objects.create(
            requested_by=staff, format="csv", filters={"ids": [a.pk for a in applications]}
        )
        with CaptureQueriesContext(connection) as queries:
            exports.run(job.pk)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_zip_entry_names_keep_no_folder_and_never_collide():
    used = set()
    names = [
        exports._unique(exports._safe_name(name), used)
        for name in ("../../etc/passwd.PDF", "..\\evil\\passwd.pdf", "Passwd.pdf")
    ]
    assert names == ["passwd.pdf", "passwd-2.pdf", "Passwd-3.pdf"]


# --- Access -----------------------------------------------------------------------------------


def test_job_page_status_and_download_for_the_requester_and_staff_only(client, staff, submitted):
    job = build(staff, ExportJob.Format.CSV, call=submitted[0].call_id)
    urls = [
        reverse("calls:export", kwargs={"pk": job.pk}),
        reverse("calls:export_status", kwargs={"pk": job.pk}),
        reverse("calls:export_download", kwargs={"pk": job.pk}),
    ]
    client.force_login(UserFactory())
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    client.force_login(StaffFactory())
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]
    client.force_login(staff)
    page = client.get(urls[0])
    assert (
        'role="progressbar"' in page.content.decode()
        and 'aria-live="polite"' in page.content.decode()
    )
    status = client.get(urls[1]).json()
    assert status["state"] == "done" and status["download"] == urls[2]
    download = client.get(urls[2])
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content).decode("utf-8-sig").startswith("Reference;")


def test_applicant_cannot_request_exports(client, submitted):
    member = submitted[0].created_by
    client.force_login(member)
    assert client.get(reverse("calls:export_new")).status_code == 404


def test_job_of_a_user_without_assignments_matches_nothing(submitted):
    job = build(submitted[0].created_by, ExportJob.Format.PDF, call=submitted[0].call_id)
    assert job.state == "failed" and job.total == 0


def test_staff_request_form_creates_a_job_and_redirects_to_it(
    client, staff, submitted, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("calls:export_new"), {"call": submitted[0].call_id, "format": "pdf"}
        )
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.state == "done" and job.total == 3
    assert client.get(reverse("calls:export_new")).status_code == 200
    assert job.filters["status"] and "draft" not in job.filters["status"]


def test_admin_action_builds_a_pack_of_the_selected(
    client, staff, submitted, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:calls_application_changelist"),
            {"action": "build_pdf_pack", "_selected_action": [a.pk for a in submitted[:2]]},
        )
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.total == 2 and job.state == "done"


# --- Expiry and failures -------------------------------------------------------------------


def test_expired_job_is_cleaned_up_and_gives_410(client, staff, submitted):
    job = build(staff, ExportJob.Format.CSV, call=submitted[0].call_id)
    name = job.file.name
    counts = exports.clean_up(now=job.expires_at + timedelta(seconds=1))

    job.refresh_from_db()
    assert counts["expired"] == 1 and job.state == "expired" and not job.file
    assert not storages["private"].exists(name)
    client.force_login(staff)
    response = client.get(reverse("calls:export_download", kwargs={"pk": job.pk}))
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_pending_job_page_shows_the_progress_bar(client, staff):
    job = ExportJob.objects.create(requested_by=staff, format="zip", total=4, done=1)
    client.force_login(staff)
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'aria-valuenow="25"' in page and "export_progress.js" in page
    assert client.get(reverse("calls:export_download", kwargs={"pk": job.pk})).status_code == 302


def test_job_never_taken_back_is_marked_failed(staff):
    job = ExportJob.objects.create(requested_by=staff, format="pdf", state="running")
    ExportJob.objects.filter(pk=job.pk).update(
        updated_at=timezone.now() - exports.ABANDONED_AFTER - timedelta(minutes=1)
    )
    fresh = ExportJob.objects.create(requested_by=staff, format="pdf", state="running")

    assert exports.clean_up()["stalled"] == 1
    job.refresh_from_db()
    fresh.refresh_from_db()
    assert job.state == "failed" and "interrupted" in job.error
    assert fresh.state == "running"


def test_redelivered_job_runs_again_then_gives_up(staff, submitted):
    job = ExportJob.objects.create(
        requested_by=staff,
        format="csv",
        state="running",
        attempts=1,
        filters={"call": submitted[0].call_id},
    )
    exports.run(job.pk)  # the worker died during attempt 1: attempt 2 completes
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("done", 2)

    stuck = ExportJob.objects.create(
        requested_by=staff, format="csv", state="running", attempts=exports.MAX_ATTEMPTS
    )
    assert exports.run(stuck.pk) is None
    stuck.refresh_from_db()
    assert stuck.state == "failed" and "interrupted" in stuck.error


def test_finished_job_is_not_run_again(staff, submitted):
    job = build(staff, ExportJob.Format.CSV, call=submitted[0].call_id)
    assert exports.run(job.pk) is None
    job.refresh_from_db()
    assert job.attempts == 1


# --- Receipt and dossier downloads -----------------------------------------------------------


def test_receipt_download_for_the_applicant_members_only(client, submitted):
    application = submitted[0]
    url = application.urls.receipt
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(application.created_by)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    review = client.get(application.urls.review).content.decode()
    assert url in review


def test_draft_has_no_receipt_download(client, db):
    application = ApplicationFactory(complete=True)
    client.force_login(application.created_by)
    assert client.get(application.urls.receipt).status_code == 404


def test_dossier_download_for_staff_not_for_applicants(client, staff, submitted):
    application = submitted[0]
    client.force_login(application.created_by)
    assert client.get(application.urls.dossier).status_code == 404
    client.force_login(staff)
    response = client.get(application.urls.dossier)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    change = client.get(reverse("admin:calls_application_change", args=[application.pk]))
    assert application.urls.dossier in change.content.decode()


def test_assigned_to_me_keeps_the_staff_members_own_jury_dossiers(staff, submitted):
    from tests.factories import JuryMemberFactory, assigned

    mine, conflicted, _other = submitted
    member = JuryMemberFactory(call=mine.call, user=staff)
    assigned(member, mine, conflict=False)
    assigned(member, conflicted, conflict=True)

    everything = build(staff, ExportJob.Format.CSV, call=mine.call_id)
    assigned_only = build(staff, ExportJob.Format.CSV, call=mine.call_id, assigned_to_me=True)

    assert (everything.total, assigned_only.total) == (3, 1)
    assert list(exports.applications_for(assigned_only)) == [mine]


# --- A worker that dies -------------------------------------------------------------------------


def _stalled(staff, submitted, *, attempts=1, format="pdf"):
    job = ExportJob.objects.create(
        requested_by=staff,
        format=format,
        state="running",
        attempts=attempts,
        total=3,
        done=1,
        filters={"call": submitted[0].call_id},
    )
    ExportJob.objects.filter(pk=job.pk).update(
        updated_at=timezone.now() - exports.STALLED_AFTER - timedelta(seconds=1)
    )
    return job


def test_the_job_page_says_within_a_minute_that_the_export_starts_again_and_it_completes(
    client, staff, submitted, django_capture_on_commit_callbacks
):
    job = _stalled(staff, submitted)
    built_before = documents.dossier(submitted[0]).name  # attempt 1 had built this one
    built_at = storages["private"].get_modified_time(built_before)
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        status = client.get(reverse("calls:export_status", kwargs={"pk": job.pk})).json()

    assert "starts again by itself (attempt 2 of 3)" in status["note"]
    job.refresh_from_db()
    assert (job.state, job.attempts, job.done) == ("done", 2, 3)
    assert storages["private"].get_modified_time(built_before) == built_at  # reused
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Download the file" in page


def test_a_job_with_a_live_worker_is_left_alone(client, staff, submitted):
    job = ExportJob.objects.create(
        requested_by=staff, format="pdf", state="running", attempts=1, total=3, done=1
    )
    assert export_requests.resume_stalled() == 0
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("running", 1)


def test_beat_takes_back_each_stalled_job_once(
    staff, submitted, django_capture_on_commit_callbacks
):
    first = _stalled(staff, submitted, format="csv")
    second = _stalled(staff, submitted, format="xlsx")

    with django_capture_on_commit_callbacks(execute=True):
        assert export_requests.resume_stalled() == 2
        assert export_requests.resume_stalled() == 0  # taken back already

    for job in (first, second):
        job.refresh_from_db()
        assert (job.state, job.attempts) == ("done", 2)


def test_a_job_interrupted_too_often_fails_with_a_clear_message(staff, submitted):
    job = _stalled(staff, submitted, attempts=exports.MAX_ATTEMPTS)

    assert export_requests.resume_stalled() == 0

    job.refresh_from_db()
    assert job.state == "failed"
    assert f"interrupted {exports.MAX_ATTEMPTS} times" in job.error

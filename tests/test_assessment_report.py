"""The programme report of an assessment campaign (PDF) and every answer of it (XLSX), built
by the export jobs with their progress page: the content read back from the PDF (text and
bookmarks), the workbook read back (answers, formulas neutralised), who may ask and follow."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import storages
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from calls.interfaces import export_requests, exports
from calls.models import ExportJob
from evaluation.assessment import report
from evaluation.models import Party, ProgrammeFeedback, ProtocolIndicator
from tests.factories import (
    AssessmentCampaignFactory,
    OrganisationFactory,
    StaffFactory,
    UserFactory,
    an_experimentation,
    assessed,
    filled_side,
)


@pytest.fixture(autouse=True)
def _english(settings):
    """The export runs in the site's language: English here, so the assertions read msgids."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def staff(db):
    return StaffFactory()


@pytest.fixture
def world(staff):
    """Two experimentations in one campaign: the first with its three sides submitted (and a
    formula in a justification), the second with only the municipality's."""
    first = an_experimentation(staff)
    campaign = AssessmentCampaignFactory(edition=first.application.call.edition)
    second = an_experimentation(staff, district=first.district)
    for experimentation, title in ((first, "Composteurs partagés"), (second, "Ombrières")):
        experimentation.application.project.title = title
        experimentation.application.project.save(update_fields=["title"])
    a1, a2 = assessed(first, campaign), assessed(second, campaign)
    ProtocolIndicator.objects.create(
        assessment=a1, name="Waste sorted", unit="kg", baseline=10, target=60, measured=35
    )
    filled_side(a1, Party.EXPERIMENTER, score=4)
    filled_side(a1, Party.MUNICIPALITY, score=2)
    manager = filled_side(a1, Party.MANAGER, score=5)
    # typed as the justification of one criterion before the side was submitted
    manager.answers.filter(pk=manager.answers.order_by("pk").first().pk).update(
        justification='=HYPERLINK("http://evil.example")'
    )
    filled_side(a2, Party.MUNICIPALITY, score=3)
    ProgrammeFeedback.objects.create(
        campaign=campaign,
        applicant=OrganisationFactory().applicant,
        support=5,
        worked_well="+the training",
        submitted_at=campaign.opens_at,
    )
    return {"campaign": campaign, "assessments": [a1, a2], "experimentations": [first, second]}


def build(campaign, user, format, capture):
    with capture(execute=True):
        job = report.request_report(campaign, user, format)
    job.refresh_from_db()
    return job


def content(job):
    with storages["private"].open(job.file.name, "rb") as fh:
        return fh.read()


def titles(outline):
    """The bookmarks' titles, depth first."""
    out = []
    for item in outline:
        if isinstance(item, list):
            out.extend(titles(item))
        else:
            out.append(item.title)
    return out


def test_pdf_report_reads_back_with_its_content_and_bookmarks(
    staff, world, django_capture_on_commit_callbacks
):
    job = build(world["campaign"], staff, ExportJob.Format.PDF, django_capture_on_commit_callbacks)

    assert (job.subject, job.state, job.total, job.done) == ("assessment", "done", 2, 2)
    reader = PdfReader(io.BytesIO(content(job)))
    text = " ".join(page.extract_text() for page in reader.pages)
    first, second = world["experimentations"]
    assert "2026 assessment" in text  # the campaign's title, in the language of the site
    assert first.district.name in text
    assert first.application.project.title in text
    assert "Justification of Atteinte des objectifs." in text
    assert "50 %" in text  # (35 − 10) / (60 − 10), the achievement computed
    assert "Waste sorted" in text
    assert "Continued in the district" in text
    assert "The experimenter has not submitted its side" in text  # the second one

    top = [item for item in reader.outline if not isinstance(item, list)]
    assert [item.title for item in top] == [
        "Cover",
        "Key figures",
        "Charts",
        first.district.name,
        "Annexes",
    ]
    district = reader.outline[reader.outline.index(top[3]) + 1]
    assert [item.title for item in district] == [
        f"{e.application.reference} — {e.application.project.title}"
        for e in sorted(world["experimentations"], key=lambda e: e.application.reference)
    ]
    assert "Scores of the grid by axis and party (mean, 1 to 5)" in titles(reader.outline)
    pages = [reader.get_destination_page_number(item) for item in top]
    assert pages == sorted(pages) and pages[0] == 0 and len(set(pages)) == len(pages)
    # The pages are numbered across the chunks: the last page carries the page count.
    assert str(len(reader.pages)) in reader.pages[-1].extract_text().split()


def test_pdf_report_gives_only_the_sides_submitted(
    staff, world, django_capture_on_commit_callbacks
):
    a1, a2 = world["assessments"]
    filled_side(a2, Party.EXPERIMENTER, score=3, submit=False)
    side = a2.sides.get(party=Party.EXPERIMENTER)
    side.answers.update(justification="A draft nobody may read yet.")

    job = build(world["campaign"], staff, ExportJob.Format.PDF, django_capture_on_commit_callbacks)

    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content(job))).pages)
    assert "A draft nobody may read yet." not in text


def test_xlsx_has_every_answer_with_formulas_neutralised(
    staff, world, django_capture_on_commit_callbacks
):
    job = build(world["campaign"], staff, ExportJob.Format.XLSX, django_capture_on_commit_callbacks)

    assert (job.state, job.done, job.total) == ("done", 2, 2)
    book = load_workbook(io.BytesIO(content(job)), read_only=True)
    assert book.sheetnames == ["Grid", "Sides", "Indicators", "Outcomes", "Questionnaire"]
    grid = list(book["Grid"].values)
    assert grid[0][:4] == ("Reference", "Project", "District", "Party")
    # 6 criteria × (3 sides of the first + 1 of the second)
    assert len(grid) == 1 + 6 * 4
    first = world["experimentations"][0]
    assert any(
        row[0] == first.application.reference
        and row[3] == "Municipality"
        and row[5] == "Objectives reached"
        and row[6] == 2
        and row[8] == "Justification of Atteinte des objectifs."
        for row in grid[1:]
    )
    values = [v for sheet in book for row in sheet.values for v in row if isinstance(v, str)]
    assert '\'=HYPERLINK("http://evil.example")' in values
    assert "'+the training" in values
    assert not any(v.startswith(("=", "+", "-", "@")) for v in values)
    sides = list(book["Sides"].values)[1:]
    assert len(sides) == 2 * 3  # every side, submitted or not: the missing ones show
    assert sum(1 for row in sides if row[4]) == 4
    indicators = list(book["Indicators"].values)
    waste = next(row for row in indicators if row[3] == "Waste sorted")
    assert waste[8] == 50 and waste[9] == "Half-way or more"
    outcomes = {row[0]: row for row in book["Outcomes"].values}
    assert outcomes[first.application.reference][4] == "Continued in the district"
    second = world["experimentations"][1]
    assert outcomes[second.application.reference][3:5] == ("no", None)


def test_non_staff_cannot_request_the_report(world):
    member = UserFactory()
    with pytest.raises(PermissionDenied):
        report.request_report(world["campaign"], member, ExportJob.Format.PDF)
    assert not ExportJob.objects.exists()


def test_job_of_a_requester_no_longer_staff_builds_nothing(
    staff, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job = report.request_report(world["campaign"], staff, ExportJob.Format.PDF)
    staff.is_staff = False
    staff.save()
    exports.run(job.pk)
    job.refresh_from_db()
    assert (job.state, job.file.name or "") == ("failed", "")
    assert job.error == "No experimentation is assessed in this campaign."


def test_job_page_counts_experimentations_and_is_not_anyone_elses(
    client, staff, world, django_capture_on_commit_callbacks
):
    job = build(world["campaign"], staff, ExportJob.Format.PDF, django_capture_on_commit_callbacks)
    url = reverse("calls:export", kwargs={"pk": job.pk})

    client.force_login(staff)
    page = client.get(url).content.decode()
    assert "Programme report (PDF)" in page
    assert "2 of 2 experimentations" in page
    assert "{done} of {total} experimentations" in page  # for the script
    assert "of 2 applications" not in page
    assert client.get(reverse("calls:export_download", kwargs={"pk": job.pk})).status_code == 200

    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    assert client.get(reverse("calls:export_download", kwargs={"pk": job.pk})).status_code == 404
    assert client.get(reverse("calls:export_status", kwargs={"pk": job.pk})).status_code == 404


def test_an_unknown_subject_or_format_is_refused(staff):
    with pytest.raises(ValueError):
        export_requests.request_export(staff, format="pdf", subject="nothing")
    with pytest.raises(ValueError):
        export_requests.request_export(
            staff, format=ExportJob.Format.ZIP, filters={"campaign": 1}, subject="assessment"
        )
    with pytest.raises(ValueError):
        report.request_report(AssessmentCampaignFactory(), staff, ExportJob.Format.CSV)


def test_css_string_cannot_leave_the_style_element():
    assert report.css_string('Bilan "2026" </style><script>') == (
        '"Bilan \\"2026\\" \\3C /style\\3E \\3C script\\3E "'
    )

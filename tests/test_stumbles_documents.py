"""What users stumbled on in a real browser ("Every journey in a real browser"): the deadline
shown during a correction request, the dossier PDF (slot labels, images, page footer, one
"Attachments" heading, the edition once), the referents' columns of the exports and the demo
accounts printed last by ``seed_demo``."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import strip_tags
from PIL import Image
from pypdf import PdfReader

from calls.domain import lifecycle
from calls.interfaces import documents, export_requests, exports
from calls.models import ExportJob, Notification
from municipalities.models import MunicipalityApplication
from qmi.templatetags.qmi_tags import paris_datetime
from tests.factories import (
    ProjectApplicationFactory,
    StaffFactory,
    SubmittedApplicationFactory,
    close,
    take,
)

pytestmark = pytest.mark.django_db

MM = 72 / 25.4  # PDF points in a millimetre


@pytest.fixture(autouse=True)
def _english(settings):
    """Pages and documents in English, so that the assertions read the msgids."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


# --- 1. The deadline during a correction request ----------------------------------------------


def in_correction(*, call_closed=False, due_in=timedelta(days=5)):
    """A submitted application sent back for a correction due in ``due_in``; the call is
    still open (closes in 30 days) unless ``call_closed``."""
    application = SubmittedApplicationFactory()
    if call_closed:
        close(application.call)
    due = (timezone.now() + due_in).replace(microsecond=0)
    application = take(application, "request_correction", note="Ajoutez la carte.", due_at=due)
    application.refresh_from_db()
    return application, application.open_correction()


def deadline_boxes(response):
    """The text of each deadline box (``includes/deadline.html``) of a page."""
    html = response.content.decode()
    boxes = re.findall(r'<div class="qmi-deadline[^"]*">(.*?)</div>', html, re.S)
    return [" ".join(strip_tags(box).split()) for box in boxes]


def countdowns(response):
    return re.findall(r'data-countdown="([^"]+)"', response.content.decode())


@pytest.mark.parametrize("page", ["edit", "review"])
def test_application_page_counts_down_to_the_correction_not_to_the_call(client, page):
    application, correction = in_correction()
    client.force_login(application.created_by)

    response = client.get(getattr(application.urls, page))

    assert response.status_code == 200
    [box] = deadline_boxes(response)
    assert box.startswith(f"Correction due by: {paris_datetime(correction.due_at)}")
    assert "Time left:" in box
    assert paris_datetime(application.call.closes_at) not in box
    due = timezone.localtime(correction.due_at).isoformat()
    assert countdowns(response) == [due]


def test_review_page_shows_the_correction_due_date_once_the_call_has_closed(client):
    application, correction = in_correction(call_closed=True)
    client.force_login(application.created_by)

    response = client.get(application.urls.review)

    [box] = deadline_boxes(response)
    assert box.startswith(f"Correction due by: {paris_datetime(correction.due_at)}")
    assert "This call is closed." not in box


def test_review_page_says_the_correction_due_date_has_passed(client):
    application, correction = in_correction()
    correction.due_at = timezone.now() - timedelta(hours=1)
    correction.save()
    client.force_login(application.created_by)

    response = client.get(application.urls.review)

    [box] = deadline_boxes(response)
    assert "The due date of the correction has passed" in box
    assert countdowns(response) == []


def test_dashboard_shows_the_correction_due_date_as_the_deadline(client):
    application, correction = in_correction()
    client.force_login(application.created_by)

    response = client.get(reverse("dashboard"))

    html = response.content.decode()
    row = re.search(rf"{application.reference}.*?</tr>", html, re.S).group(0)
    cells = [
        " ".join(strip_tags(c.replace("<br>", " ")).split())
        for c in re.findall(r"<td>(.*?)</td>", row, re.S)
    ]
    assert f"{paris_datetime(correction.due_at)} Due date of the correction" in cells
    assert paris_datetime(application.call.closes_at) not in " ".join(cells)


# --- 2. The dossier PDF -------------------------------------------------------------------------


def png(width=1600, height=900):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 50, 50)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def project():
    """A submitted project with its pitch deck (a PDF) and an image of 1600×900 pixels."""
    application = ProjectApplicationFactory(complete=True)
    image = SimpleUploadedFile("site-photo.png", png(), "image/png")
    lifecycle.attach(application, "images", image, by=application.created_by)
    return lifecycle.transition(application, "submit", by=application.created_by)


def read(application):
    info = documents.dossier(application)
    return info, PdfReader(io.BytesIO(documents.dossier_bytes(application)))


def lines_of(reader):
    return [line.strip() for page in reader.pages for line in page.extract_text().splitlines()]


def drawn_images(page):
    """(name, transformation matrix) of each image drawn on ``page``."""
    drawn = []

    def visit(operator, operands, cm, tm):
        if operator == b"Do":
            drawn.append((operands[0], cm))

    page.extract_text(visitor_operand_before=visit)
    return drawn


def test_dossier_prints_the_label_of_each_attachment_slot(project):
    _info, reader = read(project)
    text = " ".join(" ".join(lines_of(reader)).split())

    assert "Pitch deck · SHA-256" in text
    assert "Images · SHA-256" in text
    assert "Pitch_deck" not in text and "pitch_deck ·" not in text


def test_dossier_shows_the_images_attached_across_the_page_width(project):
    _info, reader = read(project)

    shown = [
        (page, image, matrix)
        for page in reader.pages
        for name, matrix in drawn_images(page)
        for image in page.images
        if image.name.startswith(name.lstrip("/") + ".")
    ]
    assert [image.image.size for _page, image, _matrix in shown] == [(1600, 900)]
    [(page, _image, matrix)] = shown
    content_width = float(page.mediabox.width) - (22 + 20) * MM  # the page's side margins
    assert matrix[0] == pytest.approx(content_width, abs=1)
    assert "Images — site-photo.png" in lines_of(reader)


def test_dossier_fetcher_serves_only_the_applications_own_images(project):
    other = ProjectApplicationFactory()
    lifecycle.attach(
        other, "images", SimpleUploadedFile("x.png", png(10, 10), "image/png"), by=other.created_by
    )
    mine = project.attachments.get(slot="images")
    theirs = other.attachments.get(slot="images")
    fetcher = documents.static_only_fetcher(documents.image_files(project.attachments.all()))

    assert fetcher.fetch(documents.attachment_url(mine)).read() == png()
    for url in (
        documents.attachment_url(theirs),
        documents.attachment_url(mine) + "?x",
        "data:image/png;base64,iVBORw0KGgo=",
    ):
        with pytest.raises(documents.FetchRefused):
            fetcher.fetch(url)
    assert list(fetcher.files) == [documents.attachment_url(mine)]  # the PDF is not an image


def test_dossier_pages_say_their_number_without_a_false_total(project):
    info, reader = read(project)
    assert len(reader.pages) > info.dossier_pages  # the pitch deck is appended after

    cover = reader.pages[0].extract_text()
    assert "Page 1" not in cover
    for number in range(2, info.dossier_pages + 1):
        footer = reader.pages[number - 1].extract_text().splitlines()[-1]
        assert footer.endswith(f"Page {number}")
        assert "/" not in footer


def test_dossier_has_one_attachments_heading_and_its_video_link(project):
    _info, reader = read(project)

    assert lines_of(reader).count("Attachments") == 1
    assert "Video link" in lines_of(reader)


def test_dossier_cover_names_the_edition_once(project):
    call = project.call
    call.title_en = "Call for experimenters — 2nd edition"
    call.save()
    _info, reader = read(project)
    cover = reader.pages[0].extract_text().splitlines()

    assert not [line for line in cover if "2nd edition — 2nd edition" in line]
    assert f"Edition {call.edition.title_en}" in cover


# --- 3. The referents' columns of the exports ---------------------------------------------------


CONTACTS = (
    "elected_name",
    "elected_role",
    "elected_email",
    "elected_phone",
    "referent_name",
    "referent_role",
    "referent_email",
    "referent_phone",
)


def test_the_two_referents_have_distinct_headers_in_the_csv_export():
    application = SubmittedApplicationFactory()
    job = export_requests.request_export(
        StaffFactory(), format=ExportJob.Format.CSV, filters={"ids": [application.pk]}
    )
    exports.run(job.pk)
    job.refresh_from_db()
    with job.file.open("rb") as fh:
        header = next(csv.reader(io.StringIO(fh.read().decode("utf-8-sig")), delimiter=";"))

    assert len(header) == len(set(header))  # no two columns under the same header
    labels = [
        str(MunicipalityApplication._meta.get_field(name).verbose_name).capitalize()
        for name in CONTACTS
    ]
    assert [label for label in labels if any(h.endswith(label) for h in header)] == labels


# --- 4. The demo accounts, last -----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # the e-mails leave after commit, as in ``make run``
def test_seed_demo_prints_no_e_mail_and_ends_with_the_accounts(transactional_db, settings, capsys):
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    out = io.StringIO()

    call_command("seed_demo", stdout=out)

    printed = capsys.readouterr().out  # what the console e-mail backend writes
    lines = out.getvalue().splitlines()
    assert "Subject:" not in printed and "Subject:" not in out.getvalue()
    accounts = next(i for i, line in enumerate(lines) if line.startswith("Demo data ready"))
    assert all("@qmi.example" in line for line in lines[accounts + 1 : -1])
    assert lines[-1].startswith("Admin: http://127.0.0.1:8000/admin/")
    assert Notification.objects.exists()  # the demo's messages are still recorded

"""PDF documents read back with pypdf: the deposit receipt and its fingerprint, the dossier (its
answers, bookmarks, page count and annexes), the cache, and the URL fetcher that serves nothing
but our static files."""

import io
import re

import pytest
from django.conf import settings
from django.core.files.storage import storages
from django.utils import translation
from pypdf import PdfReader, PdfWriter

from calls.domain.fingerprint import fingerprint
from calls.interfaces import documents
from calls.interfaces.pdfmerge import PdfMergeError, StreamingPdfWriter
from tests.factories import ApplicationFactory, SubmittedApplicationFactory, pdf_bytes


@pytest.fixture(autouse=True)
def _english(settings):
    """Documents and messages in English, so that the assertions read the msgids."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def text_of(pdf):
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def outline_titles(reader, items=None, depth=0):
    titles = []
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            titles.extend(outline_titles(reader, item, depth + 1))
        else:
            titles.append((depth, item.title, reader.get_destination_page_number(item)))
    return titles


def replace_file(attachment, data):
    storage = storages["private"]
    storage.delete(attachment.file.name)
    storage.save(attachment.file.name, io.BytesIO(data))


def encrypted_pdf():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="secret", owner_password="owner")  # noqa: S106
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_with_text(pages=3):
    from weasyprint import HTML

    html = "".join(f'<p style="break-after: page">Annex page {n}</p>' for n in range(pages))
    return HTML(string=html).write_pdf()


# --- Receipt ----------------------------------------------------------------------------------


def test_receipt_shows_the_fingerprint_of_the_content_submitted(db):
    application = SubmittedApplicationFactory()
    pdf = documents.receipt_pdf(application)
    text = text_of(pdf)

    groups = re.search(r"((?:[0-9a-f]{16}\s*){4})", text).group(1)
    printed = "".join(groups.split())
    assert printed == application.fingerprint == fingerprint(application)
    assert application.reference in text
    assert application.submitted_by.email in text
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1


def test_receipt_shows_the_submission_time_to_the_second_in_paris_time(db):
    from django.utils import timezone

    application = SubmittedApplicationFactory()
    local = timezone.localtime(application.submitted_at)
    assert local.strftime("%H:%M:%S") in text_of(documents.receipt_pdf(application))


def test_fingerprint_changes_with_an_answer_or_a_file(db):
    application = SubmittedApplicationFactory()
    before = fingerprint(application)
    content = application.content
    content.offer = content.offer + " Et un local."
    content.save()
    assert fingerprint(application) != before

    content.offer = content.offer.removesuffix(" Et un local.")
    content.save()
    assert fingerprint(application) == before
    attachment = application.attachments.get()
    attachment.sha256 = "0" * 64
    attachment.save()
    assert fingerprint(application) != before


def test_draft_has_no_receipt(db):
    application = ApplicationFactory(complete=True)
    with pytest.raises(ValueError):
        documents.receipt_pdf(application)


def test_reopened_application_has_no_receipt(db):
    from calls.domain import lifecycle

    application = SubmittedApplicationFactory()
    lifecycle.transition(application, "reopen", by=application.created_by)

    assert application.fingerprint and not documents.has_receipt(application)
    with pytest.raises(ValueError):
        documents.receipt_pdf(application)


# --- Dossier ----------------------------------------------------------------------------------


def test_dossier_contains_the_answers_bookmarks_and_appended_annex(db):
    application = SubmittedApplicationFactory()
    attachment = application.attachments.get()
    replace_file(attachment, pdf_with_text(3))
    info = documents.dossier(application)
    pdf = documents.dossier_bytes(application)
    reader = PdfReader(io.BytesIO(pdf))
    text = text_of(pdf)

    content = application.content
    for answer in (
        content.district_name,
        content.location,
        content.local_stakes,
        content.offer,
        content.elected_name,
        content.referent_email,
    ):
        assert answer in text
    assert application.reference in text
    assert "Annex page 2" in text
    assert len(reader.pages) == info.pages == info.dossier_pages + 3
    titles = outline_titles(reader)
    top = [title for depth, title, _page in titles if depth == 0]
    assert "Applicant" in top and "Attachments" in top and "Annexes" in top
    assert "The proposed innovation district" in top
    annex = [(t, p) for d, t, p in titles if d == 1 and t.startswith("A1")]
    assert annex == [(f"A1 — {attachment.original_name}", info.dossier_pages)]


def test_dossier_is_cached_until_the_application_changes(db):
    application = SubmittedApplicationFactory()
    first = documents.dossier(application)
    again = documents.dossier(application)
    assert again.cached and again.name == first.name

    content = application.content
    content.offer = "Trois sites."
    content.save()
    changed = documents.dossier(application)
    assert not changed.cached and changed.name != first.name
    assert not storages["private"].exists(first.name)  # the stale one is gone
    assert "Trois sites." in text_of(documents.dossier_bytes(application))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7\nthis is not a PDF at all", "could not be appended"),
        (encrypted_pdf(), "protected by a password"),
    ],
    ids=["corrupt", "encrypted"],
)
def test_dossier_builds_and_says_an_annex_could_not_be_appended(db, data, message):
    application = SubmittedApplicationFactory()
    replace_file(application.attachments.get(), data)
    info = documents.dossier(application)
    pdf = documents.dossier_bytes(application)

    text = " ".join(text_of(pdf).split())
    assert message in text
    assert info.pages == info.dossier_pages == len(PdfReader(io.BytesIO(pdf)).pages)
    assert "Annexes" not in [t for _d, t, _p in outline_titles(PdfReader(io.BytesIO(pdf)))]


def test_dossier_of_a_draft_says_not_submitted(db):
    application = ApplicationFactory(complete=True)
    assert "Not submitted" in text_of(documents.dossier_bytes(application))


HOSTILE = (
    '<img src="http://127.0.0.1:9/pixel.png"> <link rel="stylesheet" href="https://evil.example/x.css">'
    ' <style>@import url(file:///etc/passwd);</style> <div style="background: url(file:///etc/hostname)">'
    " url(/static/../qmi/settings.py) <script>alert(1)</script>"
)


def test_hostile_applicant_text_is_rendered_as_text_and_nothing_is_fetched(db):
    application = SubmittedApplicationFactory()
    content = application.content
    content.local_stakes = HOSTILE
    content.district_name = '<img src="file:///etc/passwd">'
    content.save()
    fetcher = documents.static_only_fetcher()
    fetched = []
    original = fetcher.fetch

    def recording(url, headers=None):
        fetched.append(url)
        return original(url, headers)

    fetcher.fetch = recording
    html = documents.dossier_html(application, documents._annexes(application))
    pdf, _pages = documents.render_pdf(html, fetcher=fetcher)

    text = " ".join(text_of(pdf).split())
    assert '<img src="http://127.0.0.1:9/pixel.png">' in text
    assert "@import url(file:///etc/passwd);" in text
    assert "<script>alert(1)</script>" in text
    static = documents.base_url().rstrip("/") + settings.STATIC_URL
    assert fetched and all(url.startswith(static) for url in fetched)
    assert fetcher.refused == []


# --- The URL fetcher ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/pixel.png",
        "https://evil.example/font.ttf",
        "file:///etc/passwd",
        "data:text/css,body{}",
        "ftp://example.org/x.css",
        "{site}/media/private/applications/1/x.png",
        "{site}/admin/",
        "{site}{static}../qmi/settings.py",
        "{site}{static}%2e%2e/qmi/settings.py",
        "{site}{static}fonts/../../manage.py",
        "{site}{static}css/qmi.css/../../../etc/passwd",
        "{site}{static}fonts/README.md",
        "{site}{static}nothing-here.css",
        "{site}:8443{static}css/qmi.css",
        "{site}{static}fonts\\..\\..\\manage.py",
    ],
)
def test_fetcher_refuses_everything_but_static_files(url):
    url = url.replace("{site}", documents.base_url().rstrip("/")).replace(
        "{static}", settings.STATIC_URL
    )
    fetcher = documents.static_only_fetcher()
    with pytest.raises(documents.FetchRefused):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_fetcher_serves_our_fonts_and_stylesheets():
    fetcher = documents.static_only_fetcher()
    base = documents.base_url().rstrip("/") + settings.STATIC_URL
    font = fetcher.fetch(base + "fonts/SourceSans3-Regular.ttf")
    assert font.content_type == "font/ttf" and len(font.read()) > 100_000
    css = fetcher.fetch(base + "css/qmi.css")
    assert css.content_type == "text/css"


def test_weasyprint_fetches_nothing_outside_static_files(tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    html = (
        f'<link rel="stylesheet" href="file://{secret}"><link rel="stylesheet" '
        'href="http://127.0.0.1:9/x.css"><img src="https://example.org/x.png">'
        '<p style="background: url(/media/x.png)">Hello</p>'
    )
    fetcher = documents.static_only_fetcher()
    pdf, pages = documents.render_pdf(html, fetcher=fetcher)

    assert pages == 1 and "Hello" in text_of(pdf)
    site = documents.base_url()
    assert sorted(fetcher.refused) == sorted(
        [
            f"file://{secret}",
            "http://127.0.0.1:9/x.css",
            "https://example.org/x.png",
            f"{site}media/x.png",
        ]
    )


# --- Merging ----------------------------------------------------------------------------------


def test_streaming_writer_concatenates_with_a_bookmark_per_source():
    out = io.BytesIO()
    writer = StreamingPdfWriter(out, title="Pack")
    writer.add(pdf_with_text(2), title="First")
    writer.add(pdf_bytes(3), title="Second")
    with pytest.raises(PdfMergeError):
        writer.add(b"%PDF-1.4 broken")
    writer.add(pdf_with_text(1), title="Third")
    writer.close()

    reader = PdfReader(io.BytesIO(out.getvalue()))
    assert len(reader.pages) == 6
    assert [(t, p) for d, t, p in outline_titles(reader) if d == 0] == [
        ("First", 0),
        ("Second", 2),
        ("Third", 5),
    ]
    assert "Annex page 1" in reader.pages[1].extract_text()
    assert reader.metadata.title == "Pack"

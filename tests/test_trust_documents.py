"""Documents people upload reach jurors and staff inert: PDFs lose their scripts, launch actions
and embedded files (a corpus, read back), images are decoded whole, an oversized file is
stopped while it streams."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIRequest
from django.test.client import FakePayload
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from calls.domain import lifecycle
from calls.interfaces import documents
from calls.models import Attachment
from municipalities.models import MunicipalityApplication
from qmi.pdfsafety import neutralise, threats
from qmi.upload_limits import CappedUploadHandler, UploadTooLarge
from qmi.uploads import validate_upload
from tests.factories import ApplicationFactory, pdf_bytes

DELIBERATION = MunicipalityApplication.DELIBERATION


def _js(code):
    return DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject(code),
        }
    )


def _written(writer):
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _base(pages=2):
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    return writer


def open_action_script():
    writer = _base()
    writer._root_object[NameObject("/OpenAction")] = _js("app.alert('opened')")
    return _written(writer)


def document_script_name_tree():
    writer = _base()
    scripts = DictionaryObject(
        {
            NameObject("/Names"): ArrayObject(
                [TextStringObject("print"), writer._add_object(_js("this.print({bUI:false});"))]
            )
        }
    )
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): writer._add_object(scripts)}
    )
    return _written(writer)


def launch_action():
    writer = _base()
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/Launch"),
            NameObject("/F"): TextStringObject("C:\\Windows\\System32\\calc.exe"),
        }
    )
    return _written(writer)


def page_actions():
    writer = _base()
    writer.pages[1][NameObject("/AA")] = DictionaryObject({NameObject("/O"): _js("go()")})
    return _written(writer)


def annotation_actions():
    writer = _base()
    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (10, 10, 200, 40)]),
            NameObject("/A"): _js("steal()"),
            NameObject("/AA"): DictionaryObject({NameObject("/E"): _js("hover()")}),
        }
    )
    web = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (10, 50, 200, 80)]),
            NameObject("/A"): DictionaryObject(
                {
                    NameObject("/S"): NameObject("/URI"),
                    NameObject("/URI"): TextStringObject("https://www.parisandco.paris/"),
                }
            ),
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject(
        [writer._add_object(link), writer._add_object(web)]
    )
    return _written(writer)


def embedded_file():
    writer = _base()
    writer.add_attachment("invoice.exe", b"MZ\x90\x00 not a real program")
    return _written(writer)


def chained_actions():
    writer = _base()
    first = DictionaryObject(
        {
            NameObject("/S"): NameObject("/GoTo"),
            NameObject("/D"): ArrayObject([NumberObject(0), NameObject("/Fit")]),
            NameObject("/Next"): _js("later()"),
        }
    )
    writer._root_object[NameObject("/OpenAction")] = first
    return _written(writer)


CORPUS = {
    "script on open": open_action_script,
    "document-level script": document_script_name_tree,
    "launch action": launch_action,
    "page action": page_actions,
    "link and annotation actions": annotation_actions,
    "embedded file": embedded_file,
    "script chained after a jump": chained_actions,
}


@pytest.mark.parametrize("name", CORPUS)
def test_each_hostile_pdf_comes_out_inert_with_its_pages(name):
    hostile = CORPUS[name]()
    assert threats(hostile), f"the corpus file '{name}' must carry something to remove"

    clean, removed = neutralise(hostile)

    assert removed
    assert threats(clean) == []
    assert len(PdfReader(io.BytesIO(clean)).pages) == 2


def test_web_links_and_plain_files_are_kept_as_they_are():
    plain = pdf_bytes(pages=3)
    assert neutralise(plain) == (plain, [])

    clean, _removed = neutralise(annotation_actions())
    annotations = [a.get_object() for a in PdfReader(io.BytesIO(clean)).pages[0]["/Annots"]]
    uris = [a["/A"].get("/URI") for a in annotations if a.get("/A")]
    assert uris == ["https://www.parisandco.paris/"]


@pytest.mark.django_db
def test_an_uploaded_hostile_pdf_is_stored_inert_and_the_dossier_has_no_script():
    application = ApplicationFactory()
    hostile = open_action_script()
    upload = SimpleUploadedFile("deliberation.pdf", hostile, "application/pdf")

    attachment = lifecycle.attach(application, DELIBERATION, upload, by=application.created_by)

    stored = Attachment.objects.get(pk=attachment.pk)
    data = stored.file.open("rb").read()
    assert threats(data) == []
    assert stored.size == len(data)
    dossier = documents.dossier(application)
    with dossier.open() as built:
        assert threats(built.read()) == []


# --- Images --------------------------------------------------------------------------------


def _image(fmt, size=(16, 16)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (230, 159, 0)).save(buffer, fmt)
    return buffer.getvalue()


def test_a_real_png_and_jpeg_are_accepted():
    for data, name, kind in (
        (_image("PNG"), "a.png", "image/png"),
        (_image("JPEG"), "a.jpg", "image/jpeg"),
    ):
        info = validate_upload(SimpleUploadedFile(name, data, kind), kind="image")
        assert info.content_type == kind


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,  # the signature, then nothing of an image
        _image("JPEG")[:200],  # a truncated photo
        b"\xff\xd8\xff" + b"<script>alert(1)</script>" * 10,  # a script behind a JPEG header
    ],
    ids=["signature only", "truncated", "script behind a header"],
)
def test_a_file_that_only_starts_like_an_image_is_refused(in_english, data):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        validate_upload(SimpleUploadedFile("photo.png", data, "image/png"), kind="image")
    assert "cannot be read" in " ".join(refused.value.messages)


# --- Oversized uploads stop while streaming ---------------------------------------------------


def _multipart_request(size, settings):
    boundary = "qmiboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        'filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode()
    payload = FakePayload(head + b"%PDF-1.4 " + b"0" * size + f"\r\n--{boundary}--\r\n".encode())
    request = WSGIRequest(
        {
            "REQUEST_METHOD": "POST",
            "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
            "CONTENT_LENGTH": str(len(payload)),
            "wsgi.input": payload,
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
        }
    )
    return request, payload


def test_the_upload_stops_at_the_cap_without_reading_the_rest(settings):
    settings.UPLOAD_MAX_BYTES = 64 * 1024
    request, payload = _multipart_request(5 * 1024 * 1024, settings)
    request.upload_handlers = [CappedUploadHandler(request)]

    with pytest.raises(UploadTooLarge):
        request.POST  # noqa: B018

    assert len(payload.read()) > 4 * 1024 * 1024  # most of the 5 MiB never read


@pytest.mark.django_db
def test_an_oversized_upload_gets_a_clear_413_and_nothing_is_saved(in_english, settings, draft):
    settings.UPLOAD_MAX_BYTES = 32 * 1024
    client = in_english
    client.force_login(draft.created_by)
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4 " + b"0" * (64 * 1024), "application/pdf")

    response = client.post(
        reverse("calls:application", kwargs={"reference": draft.reference}),
        {"upload_slot": DELIBERATION, DELIBERATION: big},
    )

    assert response.status_code == 413
    text = response.content.decode()
    assert "File too large" in text and "32.0\xa0KB" in text
    assert not Attachment.objects.filter(application=draft).exists()


@pytest.mark.django_db
def test_a_request_declared_too_long_is_refused_before_its_body_is_read(in_english, settings):
    settings.REQUEST_MAX_BYTES = 1024
    response = in_english.generic(
        "POST",
        "/accounts/login/",
        data=b"x" * 10,
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH="5000000",
    )
    assert response.status_code == 413

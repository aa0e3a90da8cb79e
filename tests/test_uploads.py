"""Uploads: the type is checked on the content, sizes are capped, names are made harmless,
files are stored privately and nothing is kept when a file is refused."""

import hashlib
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import translation

from calls.domain import lifecycle
from calls.domain.lifecycle import WorkflowError
from calls.models import Attachment
from municipalities.models import MunicipalityApplication
from qmi.uploads import UploadInfo, validate_upload
from tests.factories import (
    ApplicationFactory,
    SubmittedApplicationFactory,
    UserFactory,
    pdf_bytes,
    pdf_upload,
)

DELIBERATION = MunicipalityApplication.DELIBERATION
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
TEXT = "Délibération du conseil municipal du 12 décembre 2023.\n".encode()
CORRUPT = b"%PDF-1.4\n garbage"


def encrypted_pdf_bytes():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def upload(content, name="deliberation.pdf", content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type)


def private_root():
    return Path(settings.STORAGES["private"]["OPTIONS"]["location"])


def stored_files():
    root = private_root()
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def refusal(uploaded, **kwargs):
    """The ValidationError that ``validate_upload`` raises, its messages in English."""
    with translation.override("en"), pytest.raises(ValidationError) as info:
        validate_upload(uploaded, **kwargs)
    return info.value


# --- validate_upload ------------------------------------------------------------------------


def test_validate_upload_real_pdf_accepted():
    data = pdf_bytes()

    info = validate_upload(upload(data, name="Délibération 2023.pdf"))

    assert info == UploadInfo(
        name="Délibération 2023.pdf", content_type="application/pdf", size=len(data)
    )


def test_validate_upload_pdf_without_suffix_gets_pdf_suffix():
    info = validate_upload(upload(pdf_bytes(), name="deliberation", content_type="text/plain"))

    assert (info.name, info.content_type) == ("deliberation.pdf", "application/pdf")


@pytest.mark.parametrize(
    ("content", "browser_type"),
    [(PNG, "application/pdf"), (TEXT, "application/pdf"), (PNG, "image/png")],
    ids=["png-claimed-pdf", "text-claimed-pdf", "png"],
)
def test_validate_upload_not_a_pdf_refused(content, browser_type):
    error = refusal(upload(content, name="deliberation.pdf", content_type=browser_type))

    assert (error.code, error.messages) == (
        "not_pdf",
        ["This file is not a PDF document. Export it as PDF and try again."],
    )


def test_validate_upload_oversized_refused_with_sizes(settings):
    settings.UPLOAD_MAX_BYTES = 100
    data = pdf_bytes()

    error = refusal(upload(data))

    with translation.override("en"):
        size, maximum = filesizeformat(len(data)), filesizeformat(100)
    assert error.code == "too_large"
    assert error.messages == [f"The file is too large ({size}); the maximum is {maximum}."]


def test_validate_upload_exactly_at_the_cap_accepted(settings):
    data = pdf_bytes()
    settings.UPLOAD_MAX_BYTES = len(data)

    assert validate_upload(upload(data)).size == len(data)


def test_validate_upload_empty_file_refused():
    error = refusal(upload(b""))

    assert (error.code, error.messages) == ("empty", ["The file is empty."])


def test_validate_upload_truncated_pdf_refused():
    error = refusal(upload(CORRUPT))

    assert error.code == "corrupt_pdf"


def test_validate_upload_half_a_pdf_refused():
    data = pdf_bytes()

    error = refusal(upload(data[: len(data) // 2]))

    assert error.code == "corrupt_pdf"


def test_validate_upload_pdf_without_page_refused():
    error = refusal(upload(pdf_bytes(pages=0)))

    assert error.code == "empty_pdf"


def test_validate_upload_password_protected_pdf_refused():
    error = refusal(upload(encrypted_pdf_bytes()))

    assert (error.code, error.messages) == (
        "encrypted",
        ["This PDF is protected by a password. Attach a version without password."],
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\Windows\\system32\\deliberation.pdf", "deliberation.pdf"),
        ("<script>.pdf", "script.pdf"),
        ('<img src=x onerror="alert(1)">.pdf', "img src=x onerror=alert(1).pdf"),
        ("délib\x00\x1b[31m.pdf", "délib[31m.pdf"),
        ("rapport.PDF", "rapport.pdf"),
        ("programme.exe", "programme.pdf"),
        ("...", "document.pdf"),
        ("De\u0301libe\u0301ration.pdf", "D\u00e9lib\u00e9ration.pdf"),
    ],
    ids=[
        "path-traversal",
        "windows-path",
        "script-tag",
        "html-attribute",
        "control-chars",
        "upper-suffix",
        "wrong-suffix",
        "dots-only",
        "decomposed-accents",
    ],
)
def test_validate_upload_hostile_name_made_harmless(name, expected):
    info = validate_upload(upload(pdf_bytes(), name=name))

    assert info.name == expected


def test_validate_upload_long_name_bounded():
    info = validate_upload(upload(pdf_bytes(), name="a" * 400 + ".pdf"))

    assert info.name == "a" * 150 + ".pdf"


# --- attach ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_attach_real_pdf_stored_privately_with_its_digest():
    application = ApplicationFactory()
    data = pdf_bytes(pages=2)

    attachment = lifecycle.attach(
        application, DELIBERATION, upload(data, name="Délibération.pdf"), by=application.created_by
    )

    attachment = Attachment.objects.get(pk=attachment.pk)
    assert (
        attachment.slot,
        attachment.original_name,
        attachment.content_type,
        attachment.size,
        attachment.sha256,
        attachment.uploaded_by,
    ) == (
        DELIBERATION,
        "Délibération.pdf",
        "application/pdf",
        len(data),
        hashlib.sha256(data).hexdigest(),
        application.created_by,
    )
    assert Path(attachment.file.path).read_bytes() == data


@pytest.mark.django_db
def test_attach_file_stored_in_private_storage_not_public_folders():
    application = ApplicationFactory()

    attachment = lifecycle.attach(
        application, DELIBERATION, pdf_upload(), by=application.created_by
    )

    path = Path(attachment.file.path).resolve()
    assert stored_files() == [path]
    assert path.is_relative_to(private_root().resolve())
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert not path.is_relative_to(Path(settings.STATIC_ROOT).resolve())
    assert all(not path.is_relative_to(Path(d).resolve()) for d in settings.STATICFILES_DIRS)


@pytest.mark.django_db
def test_attach_stored_file_name_is_random_not_the_uploaded_name():
    application = ApplicationFactory()

    attachment = lifecycle.attach(
        application,
        DELIBERATION,
        upload(pdf_bytes(), name="../../etc/<script>passwd.pdf"),
        by=application.created_by,
    )

    directory, _slash, file_name = attachment.file.name.rpartition("/")
    assert directory == f"applications/{application.pk}"
    assert (len(file_name), file_name[-4:]) == (36, ".pdf")
    assert attachment.original_name == "scriptpasswd.pdf"


@pytest.mark.django_db
def test_attach_replacing_deliberation_keeps_one_and_deletes_old_file(
    django_capture_on_commit_callbacks,
):
    application = ApplicationFactory()
    member = application.created_by
    first = lifecycle.attach(application, DELIBERATION, pdf_upload("v1.pdf"), by=member)
    first_path = Path(first.file.path)

    with django_capture_on_commit_callbacks(execute=True):
        second = lifecycle.attach(
            application, DELIBERATION, pdf_upload("v2.pdf", pdf_bytes(pages=3)), by=member
        )

    remaining = list(
        application.attachments.filter(slot=DELIBERATION).values_list("pk", "original_name")
    )
    assert remaining == [(second.pk, "v2.pdf")]
    assert stored_files() == [Path(second.file.path)]
    assert not first_path.exists()


@pytest.mark.django_db
def test_attach_replacing_keeps_old_file_until_commit(django_capture_on_commit_callbacks):
    application = ApplicationFactory()
    member = application.created_by
    first = lifecycle.attach(application, DELIBERATION, pdf_upload("v1.pdf"), by=member)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        lifecycle.attach(application, DELIBERATION, pdf_upload("v2.pdf"), by=member)

    assert (len(callbacks), Path(first.file.path).exists()) == (1, True)


@pytest.mark.django_db
def test_attach_other_slot_leaves_deliberation_alone():
    application = ApplicationFactory()
    member = application.created_by
    lifecycle.attach(application, DELIBERATION, pdf_upload("deliberation.pdf"), by=member)

    lifecycle.attach(application, "annex", pdf_upload("plan.pdf"), by=member)

    assert list(application.attachments.values_list("slot", "original_name")) == [
        ("annex", "plan.pdf"),
        (DELIBERATION, "deliberation.pdf"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "uploaded",
    [
        upload(PNG),
        upload(TEXT),
        upload(b""),
        upload(CORRUPT),
        upload(encrypted_pdf_bytes()),
    ],
    ids=["png", "text", "empty", "corrupt", "encrypted"],
)
def test_attach_refused_file_saves_nothing(uploaded):
    application = ApplicationFactory()

    with pytest.raises(ValidationError):
        lifecycle.attach(application, DELIBERATION, uploaded, by=application.created_by)

    assert (Attachment.objects.count(), stored_files()) == (0, [])


@pytest.mark.django_db
def test_attach_oversized_file_saves_nothing(settings):
    settings.UPLOAD_MAX_BYTES = 100
    application = ApplicationFactory()

    with pytest.raises(ValidationError):
        lifecycle.attach(application, DELIBERATION, pdf_upload(), by=application.created_by)

    assert (Attachment.objects.count(), stored_files()) == (0, [])


@pytest.mark.django_db
def test_attach_refused_replacement_keeps_previous_deliberation():
    application = ApplicationFactory()
    member = application.created_by
    first = lifecycle.attach(application, DELIBERATION, pdf_upload("v1.pdf"), by=member)

    with pytest.raises(ValidationError):
        lifecycle.attach(application, DELIBERATION, upload(PNG, name="v2.pdf"), by=member)

    assert list(Attachment.objects.values_list("pk", flat=True)) == [first.pk]
    assert stored_files() == [Path(first.file.path)]


@pytest.mark.django_db
def test_attach_by_non_member_permission_denied_and_nothing_saved():
    application = ApplicationFactory()

    with pytest.raises(PermissionDenied):
        lifecycle.attach(application, DELIBERATION, pdf_upload(), by=UserFactory())

    assert (Attachment.objects.count(), stored_files()) == (0, [])


@pytest.mark.django_db
def test_attach_to_submitted_application_refused():
    application = SubmittedApplicationFactory()
    before = list(Attachment.objects.values_list("pk", flat=True)), stored_files()

    with pytest.raises(WorkflowError):
        lifecycle.attach(application, "annex", pdf_upload(), by=application.created_by)

    assert (list(Attachment.objects.values_list("pk", flat=True)), stored_files()) == before


@pytest.mark.django_db
def test_remove_attachment_deletes_row_and_file_after_commit(django_capture_on_commit_callbacks):
    application = ApplicationFactory()
    attachment = lifecycle.attach(
        application, DELIBERATION, pdf_upload(), by=application.created_by
    )
    path = Path(attachment.file.path)

    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.remove_attachment(attachment, by=application.created_by)

    assert (Attachment.objects.count(), path.exists()) == (0, False)

"""The hardened upload mechanism: size cap, type checked on the content (never on the file
name or the browser's claim), a clean file name. Files are then stored privately."""

import hashlib
import io
import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from qmi.pdfsafety import neutralise

logger = logging.getLogger(__name__)

IMAGE_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
}


@dataclass(frozen=True)
class UploadInfo:
    name: str
    content_type: str
    size: int


def clean_filename(name, default_suffix):
    """A safe display name: no path, no control characters, bounded length, right suffix."""
    name = PurePath(str(name).replace("\\", "/")).name
    name = unicodedata.normalize("NFC", name)
    name = re.sub(r"[\x00-\x1f\x7f<>:\"/\\|?*]", "", name).strip(" .") or "document"
    stem, suffix = PurePath(name).stem[:150], PurePath(name).suffix.lower()
    if suffix != default_suffix and not (default_suffix == ".jpg" and suffix == ".jpeg"):
        suffix = default_suffix
    return f"{stem}{suffix}"


def _read_head(uploaded, n=2048):
    uploaded.seek(0)
    head = uploaded.read(n)
    uploaded.seek(0)
    return head


def _check_pdf(uploaded):
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    head = _read_head(uploaded, 1024)
    if b"%PDF-" not in head:
        raise ValidationError(
            _("This file is not a PDF document. Export it as PDF and try again."), code="not_pdf"
        )
    data = uploaded.read()
    uploaded.seek(0)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValidationError(
                _("This PDF is protected by a password. Attach a version without password."),
                code="encrypted",
            )
        if len(reader.pages) == 0:
            raise ValidationError(_("This PDF has no page."), code="empty_pdf")
    except ValidationError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        logger.info("Refused an unreadable PDF: %s", exc)
        raise ValidationError(
            _("This PDF cannot be read: it may be damaged. Export it again and retry."),
            code="corrupt_pdf",
        ) from exc
    return "application/pdf", ".pdf"


IMAGE_FORMATS = {"PNG": ("image/png", ".png"), "JPEG": ("image/jpeg", ".jpg")}
MAX_IMAGE_PIXELS = 50_000_000  # a larger "image" is a decompression bomb, not a photo


def _check_image(uploaded):
    """A PNG or JPEG that decodes whole (Pillow), not only one whose first bytes say so."""
    head = _read_head(uploaded, 16)
    if not any(head.startswith(signature) for signature in IMAGE_SIGNATURES):
        raise ValidationError(_("Only PNG and JPEG images are accepted."), code="not_image")
    unreadable = ValidationError(
        _("This image cannot be read: it may be damaged. Save it again and retry."),
        code="corrupt_image",
    )
    try:
        with Image.open(uploaded) as image:
            if image.format not in IMAGE_FORMATS:
                raise ValidationError(_("Only PNG and JPEG images are accepted."), code="not_image")
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise unreadable
            image.load()  # decodes every pixel: a truncated or forged file fails here
            result = IMAGE_FORMATS[image.format]
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise unreadable from None
    finally:
        uploaded.seek(0)
    return result


def validate_upload(uploaded, *, kind="pdf", max_bytes=None):
    """Check an uploaded file and return its clean name, real type and size.

    Raises ``ValidationError`` with a message for the user when it is empty, too large or
    not really of the expected kind ("pdf" or "image").
    """
    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    size = uploaded.size
    if not size:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > max_bytes:
        raise ValidationError(
            _("The file is too large (%(size)s); the maximum is %(max)s."),
            params={"size": filesizeformat(size), "max": filesizeformat(max_bytes)},
            code="too_large",
        )
    checker = {"pdf": _check_pdf, "image": _check_image}[kind]
    content_type, suffix = checker(uploaded)
    return UploadInfo(
        name=clean_filename(uploaded.name, suffix), content_type=content_type, size=size
    )


def store_upload(instance, uploaded, *, kind="pdf"):
    """Check ``uploaded`` (``validate_upload``) and put it on ``instance``: its ``file``
    (saved to the instance's private storage, the row not saved yet), ``original_name``,
    ``content_type``, and ``size`` and ``sha256`` where the model keeps them. Returns the
    ``UploadInfo``; raises ``ValidationError`` with a message for the user."""
    info = validate_upload(uploaded, kind=kind)
    if info.content_type == "application/pdf":
        uploaded = _inert(uploaded, info)
        info = UploadInfo(name=info.name, content_type=info.content_type, size=uploaded.size)
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    values = {
        "original_name": info.name,
        "content_type": info.content_type,
        "size": info.size,
        "sha256": digest.hexdigest(),
    }
    fields = {f.name for f in instance._meta.concrete_fields}
    for name, value in values.items():
        if name in fields:
            setattr(instance, name, value)
    instance.file.save(info.name, uploaded, save=False)
    return info


def _inert(uploaded, info):
    """The uploaded PDF without scripts, launch actions or embedded files (``qmi.pdfsafety``):
    what every dossier, pack and download will include."""
    data = uploaded.read()
    uploaded.seek(0)
    clean, removed = neutralise(data)
    if not removed:
        return uploaded
    return ContentFile(clean, name=info.name)


def keep_in_slot(record, uploaded, *, kind, siblings, max_files=1, replace=None):
    """Check and store ``uploaded`` as ``record`` (a new file row, not saved yet) in a slot
    already holding ``siblings`` (a queryset): a slot of one file is replaced, a slot of
    several refuses one more than ``max_files``. The row and the removal of what it replaces
    are one transaction; the replaced files leave the storage once it commits."""
    from django.db import transaction

    if replace is None:
        replace = max_files == 1
    if not replace and siblings.count() >= max_files:
        raise ValidationError(
            _("You can attach at most %(max)d files here: remove one first."),
            params={"max": max_files},
            code="too_many",
        )
    store_upload(record, uploaded, kind=kind)
    with transaction.atomic():
        old = list(siblings) if replace else []
        record.save()
        for previous in old:
            delete_stored(previous)
    return record


def delete_stored(record):
    """Delete a file row; its file leaves the storage once the transaction commits."""
    from django.db import transaction

    storage, name = record.file.storage, record.file.name
    record.delete()
    transaction.on_commit(lambda: storage.delete(name))

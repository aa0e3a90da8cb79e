"""PDF documents of applications, for both calls: the deposit receipt and the dossier.

WeasyPrint renders our own templates; the answers come from each kind's ``summary_template``
(the one the applicant's review page uses), so a new kind of call gets its dossier for free.
Everything WeasyPrint loads goes through the fetcher of ``calls.interfaces.fetcher``: our
static files (fonts, stylesheet, logo) and, for a dossier, exactly the application's own image
attachments, which it shows scaled to the page width; it refuses every other URL, so applicant
text can never make the server fetch anything. PDF annexes are appended after the dossier with
bookmarks (``calls.interfaces.pdfmerge``); a corrupt or encrypted annex is listed as not
appended instead.

Every document is a tagged PDF (WeasyPrint's PDF/UA-1 output): its structure follows the
HTML's (headings, lists, tables), its language is the ``<html lang>`` of the language it is
written in and its title the HTML's ``<title>``, shown in the viewer's title bar. The merger
keeps the tags of the dossier (and of a tagged annex) and says so.

Dossiers are cached in private storage under a key computed from their HTML and their annexes'
SHA-256: an application that changes gets a new dossier; one that does not is served as built.
"""

import atexit
import hashlib
import mimetypes
import os
import tempfile
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from calls.domain.kinds import slot_label, spec_for
from calls.interfaces.fetcher import (  # noqa: F401 (FetchRefused, static_file_for: re-exported)
    IMAGE_TYPES,
    FetchRefused,
    attachment_url,
    base_url,
    image_files,
    static_file_for,
    static_only_fetcher,
    static_url,
)
from calls.interfaces.pdfmerge import PdfMergeError, StreamingPdfWriter, open_pdf

PDF_VARIANT = "pdf/ua-1"  # tagged: structure, language, title (RGAA 13.3)
DOSSIER_VERSION = "3"  # change when the dossier's layout changes: cached dossiers are rebuilt
DOSSIER_DIR = "dossiers"


# --- Rendering ---------------------------------------------------------------------------------

_STYLE = {}
atexit.register(_STYLE.clear)  # free the fonts while the interpreter can still do it


def _stylesheet():
    """The documents' stylesheet and font configuration, parsed once per process."""
    if "css" not in _STYLE:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        fonts = FontConfiguration()
        css = CSS(
            string=render_to_string("calls/pdf/document.css", {"static": static_url()}),
            base_url=base_url(),
            url_fetcher=static_only_fetcher(),
            font_config=fonts,
        )
        _STYLE.update(css=css, fonts=fonts)
    return _STYLE["css"], _STYLE["fonts"]


def render_pdf(html, *, fetcher=None):
    """PDF bytes of ``html`` with the documents' stylesheet; returns (bytes, page count)."""
    from weasyprint import HTML

    css, fonts = _stylesheet()
    document = HTML(
        string=html, base_url=base_url(), url_fetcher=fetcher or static_only_fetcher()
    ).render(stylesheets=[css], font_config=fonts)
    return document.write_pdf(pdf_variant=PDF_VARIANT), len(document.pages)


def fingerprint_groups(value):
    return [value[i : i + 16] for i in range(0, len(value), 16)]


def dossier_title(application):
    """How a dossier is named in its own metadata and in the bookmarks of a pack."""
    return f"{application.reference} — {application.applicant.name}"


# --- Deposit receipt ---------------------------------------------------------------------------


def receipt_html(application):
    return render_to_string(
        "calls/pdf/receipt.html",
        {
            "application": application,
            "call": application.call,
            "headline": application.content.headline,
            "attachments": list(application.attachments.all()),
            "fingerprint_groups": fingerprint_groups(application.fingerprint),
            "issued_at": timezone.now(),
            "language": translation.get_language() or settings.LANGUAGE_CODE,
        },
    )


def has_receipt(application):
    """True when the application was submitted and is not a draft again: what the receipt
    proves is what it files now."""
    return application.has_receipt


def receipt_pdf(application):
    """The deposit receipt of a submitted application, as PDF bytes."""
    if not has_receipt(application):
        raise ValueError("only a submitted application has a receipt")
    pdf, _pages = render_pdf(receipt_html(application))
    return pdf


# --- Dossier -----------------------------------------------------------------------------------


@dataclass
class Annex:
    attachment: object
    number: str = ""  # A1, A2… for appended PDFs
    pages: int = 0
    problem: str = ""  # why it is not appended, for people
    reader: object = None
    label: str = ""  # what the attachment is: its slot's label ("Pitch deck")
    image_url: str = ""  # an image shown in the dossier: its URL for the fetcher

    @property
    def appended(self):
        return self.reader is not None


@dataclass
class DossierInfo:
    name: str  # in private storage
    pages: int
    dossier_pages: int
    annexes: list = field(default_factory=list)
    cached: bool = False

    def open(self):
        """The dossier's file, to read (binary)."""
        return _storage().open(self.name, "rb")


def _storage():
    return storages["private"]


def _annexes(application):
    """The application's attachments, PDFs opened to be appended, the others listed."""
    annexes = []
    number = 0
    for attachment in application.attachments.all():
        annex = Annex(attachment=attachment, label=slot_label(application.kind, attachment.slot))
        if attachment.content_type in IMAGE_TYPES:
            annex.image_url = attachment_url(attachment)
        elif attachment.content_type != "application/pdf":
            annex.problem = _("listed only: not a PDF")
        else:
            try:
                with attachment.file.open("rb") as fh:
                    data = fh.read()
                annex.reader = open_pdf(data)
                annex.pages = len(annex.reader.pages)
            except FileNotFoundError:
                annex.problem = _("could not be appended: the file is missing")
            except PdfMergeError as error:
                annex.problem = (
                    _("could not be appended: it is protected by a password")
                    if str(error) == "encrypted"
                    else _("could not be appended: the file is damaged or not a valid PDF")
                )
        if annex.appended:
            number += 1
            annex.number = f"A{number}"
        annexes.append(annex)
    return annexes


def dossier_html(application, annexes):
    spec = spec_for(application.kind)
    content = application.content
    return render_to_string(
        "calls/pdf/dossier.html",
        {
            "application": application,
            "call": application.call,
            "applicant": application.applicant,
            "content": content,
            "headline": content.headline,
            "summary_template": spec.summary_template,
            "attachments": [a.attachment for a in annexes],
            "annexes": annexes,
            "images": [a for a in annexes if a.image_url],
            "in_dossier": True,
            "members": list(
                application.applicant.memberships.filter(confirmed_at__isnull=False)
                .select_related("user")
                .order_by("role", "user__last_name", "user__email")
            ),
            "language": translation.get_language() or settings.LANGUAGE_CODE,
        },
    )


def _language():
    return settings.LANGUAGE_CODE


def write_dossier(application, fh, *, annexes=None, html=None):
    """Write the dossier of ``application`` as PDF into ``fh``; returns its page counts."""
    with translation.override(_language()):
        if annexes is None:
            annexes = _annexes(application)
        if html is None:
            html = dossier_html(application, annexes)
        files = image_files(a.attachment for a in annexes)
        pdf, dossier_pages = render_pdf(html, fetcher=static_only_fetcher(files))
        writer = StreamingPdfWriter(fh, title=dossier_title(application), lang=_language())
        writer.add(pdf)
        appended = [a for a in annexes if a.appended]
        if appended:
            parent = writer.add_outline(_("Annexes"), open=True)
            for annex in appended:
                title = f"{annex.number} — {annex.attachment.original_name}"
                try:
                    writer.add(annex.reader, title=title, parent=parent, import_outline=False)
                except PdfMergeError:
                    annex.problem = _("could not be appended: the file is damaged")
                    annex.reader = None
        writer.close()
        return writer.page_count, dossier_pages


def _dossier_key(html, annexes):
    digest = hashlib.sha256()
    digest.update(DOSSIER_VERSION.encode())
    digest.update(html.encode("utf-8"))
    for annex in annexes:
        digest.update(annex.attachment.sha256.encode())
    return digest.hexdigest()[:32]


def dossier(application):
    """The dossier PDF of ``application`` in private storage, built unless already cached.

    Returns a ``DossierInfo``; ``info.open()`` reads the file.
    """
    storage = _storage()
    with translation.override(_language()):
        annexes = _annexes(application)
        html = dossier_html(application, annexes)
    folder = f"{DOSSIER_DIR}/{application.pk}"
    name = f"{folder}/{application.reference}-{_dossier_key(html, annexes)}.pdf"
    if storage.exists(name):
        return DossierInfo(name=name, pages=0, dossier_pages=0, annexes=annexes, cached=True)
    with tempfile.TemporaryFile() as tmp:
        pages, dossier_pages = write_dossier(application, tmp, annexes=annexes, html=html)
        tmp.seek(0)
        saved = storage.save(name, File(tmp, name=os.path.basename(name)))
    if saved != name:  # built meanwhile by another worker: the same document, keep theirs
        storage.delete(saved)
    _delete_older(storage, folder, keep=name)
    return DossierInfo(name=name, pages=pages, dossier_pages=dossier_pages, annexes=annexes)


def _delete_older(storage, folder, *, keep):
    try:
        _dirs, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for filename in files:
        other = f"{folder}/{filename}"
        if other != keep:
            storage.delete(other)


def dossier_bytes(application):
    """The dossier as bytes (tests, small downloads)."""
    with dossier(application).open() as fh:
        return fh.read()


def guess_type(name):
    return mimetypes.guess_type(name)[0] or "application/octet-stream"

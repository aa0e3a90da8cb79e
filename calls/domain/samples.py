"""Sample answers of a complete application, for any kind of call.

The test factories, the demo data (``make run``) and the benchmarks fill applications through
``complete``, so the three see the same complete application as the forms require: the kind's
``KindSpec.sample_answers`` fills the answers, and a sample file goes into each required
attachment slot through ``lifecycle.attach``, the same checks as an upload.
"""

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from calls.domain import lifecycle
from calls.domain.kinds import hook, required_slots

# A real 8×8 PNG (uploads decode images whole)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x08\x00\x00\x00\x08\x08\x02\x00\x00\x00"
    b"Km)\xdc\x00\x00\x00\x15IDATx\xdacd(\xda\xc4\x80\r01\xe0\x00\x83S\x02\x00\xe8.\x014"
    b"\xc6g[\x8f\x00\x00\x00\x00IEND\xaeB`\x82"
)


def sample_pdf(title="", pages=1):
    """A small valid PDF of ``pages`` blank A4 pages, titled ``title``."""
    from pypdf import PdfWriter  # only the samples need it: loaded when first used

    writer = PdfWriter()
    for _page in range(pages):
        writer.add_blank_page(width=595, height=842)
    if title:
        writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def sample_upload(slot):
    """An uploaded file that the slot accepts, named after it."""
    if slot.kind == "image":
        return SimpleUploadedFile(f"{slot.name}.png", PNG, "image/png")
    return SimpleUploadedFile(f"{slot.name}.pdf", sample_pdf(), "application/pdf")


def complete(application, *, attach=True, by=None, now=None, **answers):
    """Fill every answer of ``application`` with its kind's samples (``answers`` override
    them) and, with ``attach``, put a sample file in each required slot (uploaded by ``by``,
    its creator by default, at ``now``). Returns the application."""
    hook(application.kind, "sample_answers")(application.content, **answers)
    if attach:
        for slot in required_slots(application.kind):
            lifecycle.attach(
                application,
                slot.name,
                sample_upload(slot),
                by=by or application.created_by,
                now=now,
            )
    return application

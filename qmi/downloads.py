"""How the portal hands out a private file: as a download, never rendered by the browser
(``nosniff``), never kept by a cache (``private, no-store``)."""

from django.http import FileResponse


def private(response):
    """``response`` (a file the user may read) marked so no browser or proxy keeps it."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def download(record):
    """The download of a checked upload (``calls.models.files.PrivateFile`` or a model with
    the same ``file``, ``original_name`` and ``content_type``), under its original name."""
    return private(
        FileResponse(
            record.file.open("rb"),
            as_attachment=True,
            filename=record.original_name,
            content_type=record.content_type,
        )
    )

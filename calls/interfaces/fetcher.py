"""The restricted URL fetcher of PDF documents.

Everything WeasyPrint loads goes through it: it serves our static files (fonts, stylesheet,
logo) and, for a dossier, exactly the image attachments of the application it prints, named
one by one in an allowlist (``files``: the URL it gave each, ``attachment_url``, to the
attachment). It refuses every other URL — another scheme or host, a path outside the static
files, another attachment, a ``data:`` URI —, so applicant text can never make the server
fetch anything. An attachment is read from private storage and served only as the PNG or
JPEG the upload checks proved it is (``qmi/uploads.py``).
"""

from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from django.conf import settings

STATIC_TYPES = {
    ".css": "text/css",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
# The attachments a document may show, by their content type (checked at upload)
IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg"}


class FetchRefused(ValueError):
    """WeasyPrint asked for something that is not one of our static files."""


def base_url():
    """What relative URLs in documents resolve against (the portal's public address)."""
    return settings.SITE_URL.rstrip("/") + "/"


def static_url(name=""):
    """The absolute URL of our static file ``name``, as documents refer to it."""
    return base_url().rstrip("/") + settings.STATIC_URL + name


def attachment_url(attachment):
    """The URL a document gives the image ``attachment``: a name in the fetcher's allowlist,
    never a page of the portal (nothing answers it over the network)."""
    extension = IMAGE_TYPES[attachment.content_type]
    return f"{base_url()}__documents__/attachment/{attachment.pk}.{extension}"


def static_roots():
    roots = [Path(d) for d in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT))
    return [r.resolve() for r in roots]


def static_file_for(url):
    """The file of our static files that ``url`` names; ``FetchRefused`` for anything else:
    another scheme or host (http, https, file, data…), a path outside ``STATIC_URL``, a
    traversal, a type that is not a font, stylesheet or image."""
    prefix = static_url()
    parts = urlsplit(url)
    origin = urlsplit(base_url())
    if (parts.scheme, parts.netloc) != (origin.scheme, origin.netloc):
        raise FetchRefused(f"not a static file of the portal: {url[:200]}")
    if not url.startswith(prefix):
        raise FetchRefused(f"outside the static files: {url[:200]}")
    relative = unquote(parts.path)[len(settings.STATIC_URL) :]
    pure = PurePosixPath(relative)
    if (
        not relative
        or "\\" in relative
        or "\x00" in relative
        or pure.is_absolute()
        or any(part in ("..", ".", "") for part in relative.split("/"))
    ):
        raise FetchRefused(f"not a clean static path: {url[:200]}")
    if pure.suffix.lower() not in STATIC_TYPES:
        raise FetchRefused(f"not a static type documents use: {url[:200]}")
    for root in static_roots():
        candidate = (root / relative).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
    raise FetchRefused(f"no such static file: {url[:200]}")


def image_files(attachments):
    """The allowlist of a document showing ``attachments``: the URL of each PNG or JPEG
    among them to the attachment (the others are not shown)."""
    return {attachment_url(a): a for a in attachments if a.content_type in IMAGE_TYPES}


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serves our static files, and the attachments of ``files`` by their exact URL, to
        WeasyPrint; refuses every other URL."""

        def __init__(self, files=None):
            super().__init__(allowed_protocols=(), allow_redirects=False)
            self.files = dict(files or {})
            self.refused = []

        def fetch(self, url, headers=None):
            attachment = self.files.get(url)
            if attachment is not None:
                with attachment.file.open("rb") as fh:
                    body = fh.read()
                return URLFetcherResponse(
                    url, body=body, headers={"Content-Type": attachment.content_type}
                )
            try:
                path = static_file_for(url)
            except FetchRefused:
                self.refused.append(url)
                raise
            content_type = STATIC_TYPES[path.suffix.lower()]
            return URLFetcherResponse(
                url, body=path.read_bytes(), headers={"Content-Type": content_type}
            )

    return StaticOnlyFetcher


def static_only_fetcher(files=None):
    """A fetcher of our static files and of the attachments of ``files`` (``image_files``)."""
    return _fetcher_class()(files)

"""Oversized uploads refused while they stream in, never read whole.

Two guards, before anything reads the request (``UploadLimitMiddleware`` stands before the
CSRF check, the first to read a form):

- a request whose declared length is over ``REQUEST_MAX_BYTES`` is answered 413 at once,
  without reading its body;
- each file is counted as it streams (``CappedUploadHandler``, the first upload handler): past
  ``UPLOAD_MAX_BYTES`` the upload stops there and the request is answered 413.

The answer says the limit and that nothing of that request was kept; what the applicant typed
before was saved by the autosave. A proxy in front (``client_max_body_size`` of nginx…) should
refuse a little above ``REQUEST_MAX_BYTES`` too: see docker-compose.yml.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat

from qmi import ratelimit


class UploadTooLarge(Exception):
    """A file of the request is over the cap."""


class CappedUploadHandler(FileUploadHandler):
    """Counts each file's bytes as they arrive; stops the upload past the cap."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_MAX_BYTES:
            raise UploadTooLarge(self.file_name)
        return raw_data  # the next handlers (memory, then a temporary file) keep it

    def file_complete(self, file_size):
        return None


def too_large(request):
    return render(
        request,
        "pages/413.html",
        {"max_file": filesizeformat(settings.UPLOAD_MAX_BYTES)},
        status=413,
    )


class UploadLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.content_type == "multipart/form-data":
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = 0
            if declared > settings.REQUEST_MAX_BYTES:
                return too_large(request)
            try:
                request.POST  # noqa: B018 — parses the form, files streamed through the cap
            except UploadTooLarge:
                return too_large(request)
        return self.get_response(request)


class UploadRateMiddleware:
    """Uploads per signed-in user are rate limited (``upload`` in ``ACCOUNT_RATE_LIMITS``);
    after the authentication middleware, the form already parsed by ``UploadLimitMiddleware``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method == "POST"
            and request.content_type == "multipart/form-data"
            and request.FILES
            and request.user.is_authenticated
            and not ratelimit.allowed(request, "upload")
        ):
            return ratelimit.refused(request)
        return self.get_response(request)

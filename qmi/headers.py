"""Response headers of every page: what the browser may use, and what no cache may keep.

- ``Permissions-Policy``: the portal uses no camera, microphone, location, payment or
  USB device, so no page (nor anything injected into one) may ask for them.
- ``Cache-Control: private, no-store`` on every response to a signed-in user: an
  application, a score or a dossier is never kept by a shared proxy nor left in the browser's
  cache after sign-out.
"""

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "browsing-topics",
    )
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "private, no-store"
        return response

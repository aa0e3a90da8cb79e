"""A signed-in session lasts while its user is active: when less than half of its two weeks
is left, the next request renews it (one write, rather than one on every request as
``SESSION_SAVE_EVERY_REQUEST`` would)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

RENEWED_AT = "_qmi_renewed_at"


def expires_at(session):
    """When the session ends if its user does nothing (None: when the browser closes)."""
    if session.get_expire_at_browser_close():
        return None
    renewed = session.get(RENEWED_AT)
    start = datetime.fromisoformat(renewed) if renewed else timezone.now()
    return start + timedelta(seconds=session.get_expiry_age())


def mark_renewed(session, now=None):
    session[RENEWED_AT] = (now or timezone.now()).isoformat()


@receiver(user_logged_in, dispatch_uid="qmi.session_renewed_at_sign_in")
def renewed_at_sign_in(sender, request, user, **kwargs):
    """A sign-in starts a fresh session: its two weeks count from now."""
    if request is not None and hasattr(request, "session"):
        mark_renewed(request.session)


class SessionRenewalMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            renewed = session.get(RENEWED_AT)
            now = timezone.now()
            half = timedelta(seconds=settings.SESSION_COOKIE_AGE / 2)
            if renewed is None or now - datetime.fromisoformat(renewed) > half:
                mark_renewed(session, now)  # saved with a renewed expiry
        return self.get_response(request)

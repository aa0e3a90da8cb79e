"""Strong sign-in for the people who decide: Paris&Co staff and jury members.

- **Two-step verification** (allauth's MFA: an authenticator app with recovery codes, or a
  security key / passkey) is required before they reach ``/admin/`` or ``/jury/``:
  ``RequireTwoStepMiddleware`` sends whoever has none to set it up, and back afterwards. At
  every later sign-in allauth asks for the second step. ``MFA_REQUIRED`` (environment) turns
  the requirement off for the local demo only.
- **A longer password** (``StrongPasswordValidator``: 12 characters at least, beside Django's
  common-password and similarity checks) for them, whenever they choose one.
- **The admin signs in through allauth** (``admin_login``): its rate limits and second step
  apply; Django's own admin login form is never shown.

Who counts: staff, and whoever an app registers (``require_strong_sign_in``: ``evaluation``
registers the jury members), so that ``qmi`` imports no app above it.
"""

from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

PROTECTED_PREFIXES = ("/admin/", "/jury/")
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
STRONG_PASSWORD_LENGTH = 12

_registered = []


def require_strong_sign_in(predicate):
    """Count the users for whom ``predicate(user)`` is true among those who need a strong
    sign-in (e.g. the jury members)."""
    if predicate not in _registered:
        _registered.append(predicate)


def needs_strong_sign_in(user):
    if not (user is not None and user.is_authenticated and user.is_active):
        return False
    if user.is_staff:
        return True
    return user.pk is not None and any(predicate(user) for predicate in _registered)


def has_second_factor(user):
    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exists()


class RequireTwoStepMiddleware:
    """Staff and jury members without a second step are sent to set one up before any page of
    the admin or the jury space."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if (
            settings.MFA_REQUIRED
            and path.startswith(PROTECTED_PREFIXES)
            and needs_strong_sign_in(request.user)
            and not has_second_factor(request.user)
        ):
            messages.info(
                request,
                _(
                    "The admin and the jury space need two-step verification: set up an "
                    "authenticator app (or a security key) to go on."
                ),
            )
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('mfa_activate_totp')}?{query}")
        return self.get_response(request)


def admin_login(request):
    """The admin's sign-in is the portal's (allauth): back to the admin page asked for. A
    signed-in user who is not staff is refused (403), not sent round in a loop."""
    target = request.GET.get("next") or reverse("admin:index")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("admin:index")
    if request.user.is_authenticated:
        if request.user.is_active and request.user.is_staff:
            return redirect(target)
        raise PermissionDenied
    return redirect(f"{reverse('account_login')}?{urlencode({'next': target})}")


class StrongPasswordValidator:
    """Staff and jury members choose a password of 12 characters at least."""

    def __init__(self, min_length=STRONG_PASSWORD_LENGTH):
        self.min_length = min_length

    def validate(self, password, user=None):
        if needs_strong_sign_in(user) and len(password) < self.min_length:
            raise ValidationError(
                ngettext(
                    "Staff and jury members need a password of at least %(min)d character.",
                    "Staff and jury members need a password of at least %(min)d characters.",
                    self.min_length,
                ),
                code="password_too_short_for_staff",
                params={"min": self.min_length},
            )

    def get_help_text(self):
        return _("Staff and jury members: at least %(min)d characters.") % {"min": self.min_length}

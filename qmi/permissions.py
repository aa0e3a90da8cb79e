"""Asking the rules (``qmi.rules`` and each app's ``rules`` module): the one way the portal
checks who may do what.

- Views declare their rule with ``rule_required``: an anonymous visitor is sent to sign in, a
  refusal is a 404 (the object's existence does not leak), the object found is passed to the
  view in place of the URL's key.
- Services call ``require``: a refusal raises ``PermissionDenied``.
- Templates and buttons call ``allowed``.
"""

from functools import wraps
from urllib.parse import urlencode, urlsplit

import rules
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _


def allowed(rule, user, obj=None):
    """True when ``user`` passes ``rule`` (on ``obj``)."""
    return rules.test_rule(rule, user, obj)


def require(rule, user, obj=None):
    """Raise ``PermissionDenied`` unless ``user`` passes ``rule`` (on ``obj``)."""
    if not rules.test_rule(rule, user, obj):
        raise PermissionDenied


class Find:
    """How a view finds the object its rule is tested on: ``queryset`` (or a callable taking
    the request, for an object that depends on who asks) filtered by ``field`` equal to the
    URL's ``kwarg`` (``field`` by default), which the view then no longer receives."""

    def __init__(self, queryset, field, kwarg=None):
        self.queryset = queryset
        self.field = field
        self.kwarg = kwarg or field

    def __call__(self, request, kwargs):
        queryset = self.queryset(request) if callable(self.queryset) else self.queryset
        return get_object_or_404(queryset, **{self.field: kwargs.pop(self.kwarg)})


def signed_out(request):
    """The answer to a visitor who is not (or no longer) signed in: the sign-in page, coming
    back here — or, to a script (the autosave), a 401 saying so with the sign-in link that
    comes back to the page the script runs on. What was typed stays in the browser."""
    if request.headers.get("X-Requested-With") != "XMLHttpRequest":
        return redirect_to_login(request.get_full_path())
    referer = urlsplit(request.headers.get("Referer", ""))
    page = referer.path + (f"?{referer.query}" if referer.query else "")
    back = page if page and url_has_allowed_host_and_scheme(page, allowed_hosts=None) else "/"
    return JsonResponse(
        {
            "ok": False,
            "signed_out": True,
            "message": _("You are signed out: what you typed is kept in this browser."),
            "login_url": f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': back})}",
        },
        status=401,
    )


def rule_required(rule, find=None):
    """View decorator: the view runs only for a signed-in user who passes ``rule``, tested on
    the object ``find`` returns (``Find``), passed to the view after the request. Anonymous:
    to the sign-in page (``signed_out``); refused or not found: 404."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return signed_out(request)
            if find is None:
                if not allowed(rule, request.user):
                    raise Http404
                return view(request, *args, **kwargs)
            obj = find(request, kwargs)
            if not allowed(rule, request.user, obj):
                raise Http404
            return view(request, obj, *args, **kwargs)

        wrapped.rule = rule
        return wrapped

    return decorator

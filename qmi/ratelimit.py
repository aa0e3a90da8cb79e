"""Rate limits of the portal's own forms, on allauth's limiter (the same cache, the same
trusted-proxy settings for the client's address, the same 429 page, ``templates/429.html``).

An action's rates are in ``ACCOUNT_RATE_LIMITS`` beside allauth's own (``qmi/settings.py``):
per client address (``ip``), per signed-in user (``user``), or per ``key`` (the e-mail address
typed, lower-cased), so that neither a script nor a loop floods a mailbox, the disk or the
workers. A person working normally never meets them.
"""

from functools import wraps

from allauth.core import ratelimit
from django.http import JsonResponse
from django.utils.translation import gettext as _


def allowed(request, action, *, key=""):
    """Consume one use of ``action`` for this client (and ``key``); False once over a limit."""
    return ratelimit.consume(request, action=action, key=(key or "").strip().lower() or None)


def refused(request, *, json=False):
    """The portal's answer to a request over its limit: 429, a page or, for a script (the
    autosave), JSON whose message it shows — the answers stay in the browser meanwhile."""
    if json:
        return JsonResponse(
            {
                "ok": False,
                "message": _(
                    "Too many saves in a short time: your answers are kept in this browser "
                    "and will be saved again in a minute."
                ),
            },
            status=429,
        )
    return ratelimit.respond_429(request)


def limited(action, *, json=False):
    """View decorator: a POST over the rates of ``action`` is answered 429 (``refused``)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST" and not allowed(request, action):
                return refused(request, json=json)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator

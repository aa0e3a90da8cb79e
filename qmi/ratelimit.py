"""Rate limits of the portal's own public forms, on allauth's limiter (the same cache, the same
trusted-proxy settings for the client's address, the same 429 page).

An action's rates are in ``ACCOUNT_RATE_LIMITS`` beside allauth's own (``qmi/settings.py``):
e.g. ``"keep_informed": "10/h/ip,3/h/key"`` — per client address, and per ``key`` (the e-mail
address typed, lower-cased), so neither a script nor a typo loop floods a mailbox.
"""

from allauth.core import ratelimit


def allowed(request, action, *, key=""):
    """Consume one use of ``action`` for this client (and ``key``); False once over a limit."""
    return ratelimit.consume(request, action=action, key=(key or "").strip().lower() or None)


def refused(request):
    """The portal's answer to a request over its limit: 429 with allauth's page."""
    return ratelimit.respond_429(request)

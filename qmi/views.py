"""Information pages of the portal and its error pages."""

import logging
from datetime import date

from django.conf import settings
from django.http import HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from . import privacy as privacy_rules

logger = logging.getLogger(__name__)

# Update when the accessibility statement is revised (e.g. after an RGAA audit).
ACCESSIBILITY_STATEMENT_DATE = date(2026, 11, 26)
# The multi-year accessibility plan's three years; the action plan shown is this year's,
# within them.
ACCESSIBILITY_PLAN_YEARS = (2027, 2028, 2029)


def legal(request):
    return render(request, "pages/legal.html")


def privacy(request):
    """The privacy page: its controller, contact, processors and durations from the settings."""
    context = {
        "controller": settings.PRIVACY_CONTROLLER,
        "dpo_email": settings.PRIVACY_DPO_EMAIL,
        "processors": settings.PRIVACY_PROCESSORS,
        **privacy_rules.retention_context(),
    }
    return render(request, "pages/privacy.html", context)


def _plan_year():
    first, *_middle, last = ACCESSIBILITY_PLAN_YEARS
    return min(max(date.today().year, first), last)


def accessibility(request):
    return render(
        request,
        "pages/accessibility.html",
        {
            "statement_date": ACCESSIBILITY_STATEMENT_DATE,
            "plan_year": _plan_year(),
            "sitemap_url": reverse("sitemap"),
        },
    )


def accessibility_plan(request):
    first, middle, last = ACCESSIBILITY_PLAN_YEARS
    return render(
        request,
        "pages/accessibility_plan.html",
        {"first_year": first, "middle_year": middle, "last_year": last, "plan_year": _plan_year()},
    )


def sitemap(request):
    """The site map: the public pages and, for a signed-in user, their spaces (RGAA 12.1)."""
    return render(request, "pages/sitemap.html")


def contact(request):
    return render(request, "pages/contact.html")


def language_prefix(request, language, rest=""):
    """``/en/<path>`` and ``/fr/<path>``: the portal's addresses have no language prefix (the
    language is a cookie, set by the switch), so an address from elsewhere with a prefix goes
    to the same page without it, in that language."""
    target = "/" + (rest or "").lstrip("/\\")
    if request.META.get("QUERY_STRING"):
        target += "?" + request.META["QUERY_STRING"]
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    # As Django's set_language view (the language switch) sets it.
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def permission_denied(request, exception=None):
    return render(request, "pages/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "pages/404.html", status=404)


FALLBACK_500 = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Erreur — QMI</title></head>
<body><main><h1>Erreur du serveur</h1>
<p>Une erreur est survenue. Réessayez dans quelques minutes.</p>
<p lang="en">A server error occurred. Please try again in a few minutes.</p>
<p><a href="/">QMI</a></p></main></body></html>"""


def server_error(request):
    """The 500 page in the portal's layout; a bare page if even that fails (e.g. the
    database is down and the layout needs the signed-in user)."""
    try:
        return render(request, "pages/500.html", status=500)
    except Exception:
        logger.exception("The 500 page could not be rendered")
        return HttpResponseServerError(FALLBACK_500)

"""Small request helpers shared by the apps."""

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request):
    """The ``next`` address of the request (POST first, then GET) when it stays on this site,
    else an empty string: where to go back after a form, never an open redirect."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        next_url, {request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return ""

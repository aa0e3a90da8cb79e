"""The "keep me informed" pages: the form, the page that says to check the mailbox, the
confirmation link, and the unsubscribe link (one click: a mail client's POST, RFC 8058)."""

from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from calls.domain import outreach
from calls.interfaces.outreach_forms import KeepInformedForm
from calls.models import Contact
from qmi import ratelimit


def keep_informed(request):
    """The form; whatever the address's state, the same next page (nothing revealed)."""
    form = KeepInformedForm(request.POST or None)
    if request.method == "POST":
        if not ratelimit.allowed(request, "keep_informed", key=request.POST.get("email", "")):
            return ratelimit.refused(request)
        if form.is_valid():
            data = form.cleaned_data
            outreach.sign_up(
                email=data["email"],
                profile=data["profile"],
                organisation=data["organisation"],
                commune_code=data["commune"],
                challenges=data["challenges"],
                language=data["language"],
            )
            return redirect("calls:keep_informed_sent")
    return render(
        request,
        "calls/outreach/form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def keep_informed_sent(request):
    return render(request, "calls/outreach/sent.html")


def confirm(request, token):
    contact = get_object_or_404(Contact, token=token)
    confirmed = outreach.confirm(contact)
    return render(
        request, "calls/outreach/confirmed.html", {"contact": contact, "confirmed": confirmed}
    )


@csrf_exempt  # a mail client's one-click POST carries no CSRF token; it only unsubscribes
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET: one button (a link scanner following the e-mail's link unsubscribes nobody);
    POST: done at once, the page's button or the mail client's one click."""
    contact = get_object_or_404(Contact, token=token)
    if request.method == "POST":
        outreach.unsubscribe(contact)
    return render(request, "calls/outreach/unsubscribe.html", {"contact": contact})

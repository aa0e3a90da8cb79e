"""What an applicant does to an application besides editing it: submit, reopen, withdraw, and
download or delete its attachments. Each goes through ``calls.domain.lifecycle``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calls.domain import lifecycle
from calls.domain.access import jury_scope
from calls.models import Application, Attachment
from calls.views.applications import (
    _application_for,
    _error_text,
)


def _take(request, application, name, success_message, redirect_to=None):
    """Take transition ``name`` for the applicant; refusals come back as a message."""
    try:
        lifecycle.transition(
            application, name, by=request.user, note=request.POST.get("note", "")[:2000]
        )
    except lifecycle.WorkflowError as error:
        messages.error(request, _error_text(error))
        if error.code == "incomplete":
            return redirect(application.urls.edit)
        return redirect(application.urls.review)
    messages.success(request, success_message)
    return redirect(redirect_to(application) if redirect_to else application.urls.review)


@login_required
@require_POST
def application_submit(request, reference):
    application = _application_for(request, reference)
    return _take(
        request,
        application,
        lifecycle.submission(application) or "submit",
        _("Your application is submitted. An acknowledgement is sent to every member."),
        redirect_to=lambda a: a.urls.done,
    )


@login_required
def application_submitted(request, reference):
    application = _application_for(request, reference)
    if application.submitted_at is None:
        return redirect(application.urls.review)
    return render(
        request,
        "calls/application_submitted.html",
        {"application": application, "call": application.call},
    )


@login_required
def application_reopen(request, reference):
    """GET: what reopening means (it must be submitted again before the deadline); POST: do it."""
    application = _application_for(request, reference)
    if request.method == "POST":
        return _take(
            request,
            application,
            "reopen",
            _("Your application is a draft again. Remember to submit it before the deadline."),
            redirect_to=lambda a: a.urls.edit,
        )
    return render(
        request,
        "calls/application_reopen.html",
        {"application": application, "call": application.call},
    )


@login_required
def application_withdraw(request, reference):
    """GET: what withdrawing means (irreversible), with an optional reason; POST: do it."""
    application = _application_for(request, reference)
    if request.method == "POST":
        return _take(request, application, "withdraw", _("Your application is withdrawn."))
    if not lifecycle.may_take(application, "withdraw", by=request.user):
        messages.error(request, _("You cannot withdraw this application."))
        return redirect(application.urls.review)
    return render(
        request,
        "calls/application_withdraw.html",
        {"application": application, "call": application.call},
    )


def _attachment_for(request, reference, pk, *, to_change=False):
    """The attachment if the user may read it — its applicant's members, staff, the jury
    members assigned to it who declared no conflict — or, ``to_change``, change it (members
    only); 404 otherwise."""
    visible = Application.objects.visible_to(request.user)
    if to_change:
        qs = Attachment.objects.filter(application__in=visible)
    elif request.user.is_staff:
        qs = Attachment.objects.all()
    else:
        qs = Attachment.objects.filter(
            Q(application__in=visible) | Q(application__in=jury_scope(request.user))
        )
    return get_object_or_404(
        qs.select_related("application"), pk=pk, application__reference=reference
    )


@login_required
def attachment_download(request, reference, pk):
    """Serve a private file to its applicant's members, to staff and to the jury members
    assigned to the application who declared no conflict of interest."""
    attachment = _attachment_for(request, reference, pk)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def attachment_delete(request, reference, pk):
    attachment = _attachment_for(request, reference, pk, to_change=True)
    application = attachment.application
    try:
        lifecycle.remove_attachment(attachment, by=request.user)
    except lifecycle.WorkflowError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The file was removed."))
    return redirect(application.urls.edit)

"""What an applicant does to an application besides editing it: submit, reopen, withdraw, and
download or delete its attachments. Each goes through ``calls.domain.lifecycle``."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calls.domain import lifecycle
from calls.views.applications import _error_text, by_reference, withdrawal
from qmi.downloads import download
from qmi.permissions import rule_required


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


@require_POST
@rule_required("calls.view_application", by_reference)
def application_submit(request, application):
    return _take(
        request,
        application,
        lifecycle.submission(application) or "submit",
        _("Your application is submitted. An acknowledgement is sent to every member."),
        redirect_to=lambda a: a.urls.done,
    )


@rule_required("calls.view_application", by_reference)
def application_submitted(request, application):
    if application.submitted_at is None:
        return redirect(application.urls.review)
    return render(
        request,
        "calls/application_submitted.html",
        {"application": application, "call": application.call},
    )


@rule_required("calls.view_application", by_reference)
def application_reopen(request, application):
    """GET: what reopening means (it must be submitted again before the deadline); POST: do it."""
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


@rule_required("calls.view_application", by_reference)
def application_withdraw(request, application):
    """GET: what withdrawing means (irreversible), with an optional reason; POST: do it."""
    if request.method == "POST":
        return _take(request, application, "withdraw", _("Your application is withdrawn."))
    offered, owner = withdrawal(application, request.user)
    if not offered:
        messages.error(
            request,
            _("Only the owner of the organisation can withdraw it: %(name)s.") % {"name": owner}
            if owner
            else _("You cannot withdraw this application."),
        )
        return redirect(application.urls.review)
    return render(
        request,
        "calls/application_withdraw.html",
        {"application": application, "call": application.call},
    )


@rule_required("calls.read_files", by_reference)
def attachment_download(request, application, pk):
    """Serve a private file to its applicant's members, to staff and to the jury members
    assigned to the application who declared no conflict of interest."""
    attachment = get_object_or_404(application.attachments, pk=pk)
    return download(attachment)


@rule_required("calls.edit_application", by_reference)
@require_POST
def attachment_delete(request, application, pk):
    attachment = get_object_or_404(application.attachments, pk=pk)
    try:
        lifecycle.remove_attachment(attachment, by=request.user)
    except lifecycle.WorkflowError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The file was removed."))
    return redirect(application.urls.edit)

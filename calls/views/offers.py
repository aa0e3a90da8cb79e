"""A laureate's answer to the place offered once the results are out: accept it, or decline
it (irreversible, an optional reason), by its due date (``calls.domain.offers``)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from calls.domain import offers
from calls.views.applications import _error_text, by_reference
from qmi.permissions import allowed, rule_required
from qmi.statemachine import WorkflowError


@rule_required("calls.view_application", by_reference)
def application_place(request, application):
    """GET: the place offered, its due date, the two answers; POST ``answer``: accept or
    decline. A member who may not answer for the applicant reads who can."""
    offer = offers.offer_of(application)
    if offer is None:
        messages.error(request, _("No place is offered to this application."))
        return redirect(application.urls.review)
    may_answer = allowed("calls.answer_offer", request.user, application)
    if request.method == "POST":
        if not may_answer:
            messages.error(request, _("Only the owner of the organisation can answer for it."))
            return redirect(application.urls.place)
        answer = request.POST.get("answer")
        try:
            if answer == "accept":
                offers.accept(application, by=request.user)
                messages.success(
                    request, _("Your place is confirmed. Every member receives the confirmation.")
                )
            elif answer == "decline":
                offers.decline(
                    application, by=request.user, reason=request.POST.get("note", "")[:2000]
                )
                messages.success(
                    request,
                    _("You declined the place. It goes to the next applicant on the waiting list."),
                )
            else:
                messages.error(request, _("Choose to accept or to decline the place."))
                return redirect(application.urls.place)
        except WorkflowError as error:
            messages.error(request, _error_text(error))
            return redirect(application.urls.place)
        return redirect(application.urls.review)
    return render(
        request,
        "calls/application_place.html",
        {
            "application": application,
            "call": application.call,
            "offer": offer,
            "open": offers.waiting_offer(application) is not None,
            "may_answer": may_answer,
        },
    )

"""Telling an ineligibility before the call's results, when staff choose: an action on the
staff's list of applications, with a confirmation page showing what each applicant will read
(the reason given at screening). ``evaluation.publication.tell_ineligible`` does the rest."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from calls.domain import deliveries
from calls.domain.workflow import Status

from . import publication
from .announcements import screening_reason


@admin.action(description=gettext_lazy("Tell the applicants now that they are ineligible"))
def tell_ineligible(modeladmin, request, queryset):
    """Confirm (the reasons shown), then tell: each told once, the others left alone."""
    chosen = list(
        queryset.filter(
            status=Status.INELIGIBLE,
            decision_told_at__isnull=True,
            call__results_published_at__isnull=True,
        )
        .select_related("applicant", "call")
        .order_by("reference")
    )
    skipped = queryset.count() - len(chosen)
    if request.POST.get("confirm") == "yes":
        told = publication.tell_ineligible(chosen, by=request.user)
        held = deliveries.holds("decision")
        modeladmin.message_user(
            request,
            ngettext(
                "%(n)d applicant is told of its ineligibility.",
                "%(n)d applicants are told of their ineligibility.",
                len(told),
            )
            % {"n": len(told)}
            + (
                " " + _("Their e-mails wait in the outbox: read them, then release them.")
                if held
                else ""
            ),
            messages.SUCCESS if told else messages.WARNING,
        )
        return None
    return TemplateResponse(
        request,
        "admin/evaluation/tell_ineligible.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": _("Tell the ineligibility before the results"),
            "opts": modeladmin.model._meta,
            "rows": [(application, screening_reason(application)) for application in chosen],
            "skipped": skipped,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "selected": [application.pk for application in chosen],
        },
    )

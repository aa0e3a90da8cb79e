"""The public results of a call: the selected applications, grouped by innovation district
where a decision places them in one (the laureates of a call for experimenters), as the kind's
registration says. Shown only once staff published the results (404 before); a constant number
of queries. Also what the home page and an applicant's application page show of them."""

from itertools import groupby

from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string

from calls.domain.kinds import hook, spec_for
from calls.domain.workflow import Status
from calls.models import Call

from .announcements import screening_reason
from .models import Decision


def results(request, slug):
    call = get_object_or_404(
        Call.objects.published().select_related("edition"),
        slug=slug,
        results_published_at__isnull=False,
    )
    spec = spec_for(call.kind)
    decisions = list(
        Decision.objects.filter(
            application__call=call,
            application__status=Status.SELECTED,
            outcome=Decision.Outcome.SELECTED,
        )
        .select_related(
            "application__applicant",
            f"application__{spec.related_name}",
            "district__commune",
            *spec.results_related,
        )
        .order_by(*spec.results_order)
    )
    context = {"call": call, "spec": spec, "selected": decisions}
    if spec.decision_needs_district:
        context["districts"] = [
            (district, list(items))
            for district, items in groupby(decisions, key=lambda d: d.district)
        ]
    return render(request, "evaluation/results.html", context)


def home_section(edition, request):
    """On the home page: the links to the published results of the edition's calls."""
    if edition is None:
        return ""
    calls = list(
        Call.objects.published()
        .filter(edition=edition, results_published_at__isnull=False)
        .order_by("opens_at", "pk")
    )
    if not calls:
        return ""
    return render_to_string(
        "evaluation/includes/results_home_section.html", {"calls": calls}, request
    )


def application_section(application, request):
    """On the applicant's page of an application, once its decision is public (the call's
    results published, or an ineligibility told early): the decision, the reason staff shared
    with the applicant and, for a selected application, the next steps the kind offers
    (``KindSpec.next_steps``)."""
    if not application.decision_is_public:
        return ""
    if application.status == Status.INELIGIBLE:
        return render_to_string(
            "evaluation/includes/decision_section.html",
            {
                "application": application,
                "ineligible": True,
                "reason": screening_reason(application),
            },
            request,
        )
    if not application.call.results_published_at:
        return ""
    decision = Decision.objects.filter(application=application, outcome=application.status).first()
    if decision is None:
        return ""
    selected = decision.outcome == Decision.Outcome.SELECTED
    next_steps = hook(application.kind, "next_steps") if selected else None
    return render_to_string(
        "evaluation/includes/decision_section.html",
        {
            "application": application,
            "decision": decision,
            "selected": selected,
            "next_steps": next_steps(application) if next_steps else [],
        },
        request,
    )

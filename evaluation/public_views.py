"""The public results of a call: the selected applications, grouped by innovation district
where a decision places them in one (the laureates of a call for experimenters), as the kind's
registration says. Shown only once staff published the results (404 before); a constant number
of queries."""

from itertools import groupby

from django.shortcuts import get_object_or_404, render

from calls.domain.kinds import spec_for
from calls.domain.workflow import Status
from calls.models import Call

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

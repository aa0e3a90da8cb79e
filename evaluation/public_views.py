"""The public results of a call: the selected municipalities, or the laureates by innovation
district. Shown only once staff published the results (404 before); a constant number of
queries."""

from itertools import groupby

from django.shortcuts import get_object_or_404, render

from calls.domain.workflow import Status
from calls.models import Application, Call

from .models import Decision


def results(request, slug):
    call = get_object_or_404(
        Call.objects.published().select_related("edition"),
        slug=slug,
        results_published_at__isnull=False,
    )
    context = {"call": call}
    if call.kind == Call.Kind.MUNICIPALITIES:
        context["selected"] = list(
            Application.objects.filter(call=call, status=Status.SELECTED)
            .select_related("applicant__commune", "municipality", "district")
            .order_by("applicant__name")
        )
    else:
        decisions = (
            Decision.objects.filter(
                application__call=call,
                application__status=Status.SELECTED,
                outcome=Decision.Outcome.SELECTED,
            )
            .select_related(
                "application__applicant__organisation", "application__project", "district__commune"
            )
            .order_by("district__name", "district_id", "application__project__title")
        )
        context["districts"] = [
            (district, list(items))
            for district, items in groupby(decisions, key=lambda d: d.district)
        ]
    return render(request, "evaluation/results.html", context)

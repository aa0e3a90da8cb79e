"""The public summary of an assessment campaign: what staff wrote and the results, with their
charts. It exists once staff publish it (404 before, and again once unpublished)."""

from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string

from .assessment import aggregates, charts
from .models import AssessmentCampaign, Party


def key_figures(results):
    """The figures above the charts (the dashboard's and the public page's)."""
    return {
        "assessed": results.assessed,
        "sides": [
            (Party(party).label, results.sides_submitted.get(party, 0), results.assessed)
            for party in aggregates.PARTIES
        ],
        "respondents": results.respondents,
        "totals": results.totals,
        "indicators": results.indicators,
    }


def summary(request, pk):
    campaign = get_object_or_404(
        AssessmentCampaign.objects.select_related("edition"), pk=pk, published_at__isnull=False
    )
    results = aggregates.results(campaign)
    return render(
        request,
        "evaluation/assessment_summary.html",
        {
            "campaign": campaign,
            "figures": key_figures(results),
            "charts": charts.all_charts(results, keys=campaign.public_charts or ()),
        },
    )


def home_section(edition, request):
    """On the home page: the published summaries of the assessment, newest first."""
    published = list(
        AssessmentCampaign.objects.filter(published_at__isnull=False).order_by("-published_at")[:3]
    )
    if not published:
        return ""
    return render_to_string(
        "evaluation/includes/assessment_home_section.html", {"campaigns": published}, request
    )

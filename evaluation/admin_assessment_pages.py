"""The staff's pages of the 2026 assessment, on the admin of the campaigns and assessments:

- ``<campaign>/dashboard/``: key figures and every chart of the results, each with its table;
- ``<campaign>/report/`` (POST): build the programme report (PDF) or export every answer
  (XLSX) in the background, then follow its progress;
- ``<assessment>/compare/``: the three sides side by side, the gaps between them marked —
  only once the campaign has closed; before, which sides were submitted, never the answers;
- ``<assessment>/extend/``: a later close for one party, with its reason.

Thin views: the rules are in ``evaluation.assessment``.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseBadRequest, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _

from .assessment import aggregates, charts, grid, protocol, report
from .assessment import campaign as campaigns
from .assessment_public_views import key_figures
from .models import Assessment, AssessmentCampaign, GridAnswer, Party, PublicChart

REPORT_FORMATS = ("pdf", "xlsx")


def _urls(modeladmin, views):
    wrap = modeladmin.admin_site.admin_view
    prefix = f"{modeladmin.model._meta.app_label}_{modeladmin.model._meta.model_name}"
    return [
        path(f"<path:object_id>/{name}/", wrap(view), name=f"{prefix}_{name}")
        for name, view in views
    ]


class CampaignPagesMixin:
    def get_urls(self):
        return [
            *_urls(self, [("dashboard", self.dashboard_view), ("report", self.report_view)]),
            *super().get_urls(),
        ]

    def _campaign(self, request, object_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(AssessmentCampaign.objects.select_related("edition"), pk=object_id)

    def dashboard_view(self, request, object_id):
        campaign = self._campaign(request, object_id)
        results = aggregates.results(campaign)
        return TemplateResponse(
            request,
            "admin/evaluation/assessment_dashboard.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Dashboard: %(campaign)s") % {"campaign": campaign},
                "opts": self.model._meta,
                "original": campaign,
                "campaign": campaign,
                "figures": key_figures(results),
                "charts": charts.all_charts(results),
                "formats": REPORT_FORMATS,
            },
        )

    def report_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        campaign = self._campaign(request, object_id)
        format = request.POST.get("format")
        if format not in REPORT_FORMATS:
            return HttpResponseBadRequest(_("Unknown format."))
        job = report.request_report(campaign, request.user, format)
        return redirect(job.get_absolute_url())


# --- The list of the assessments ------------------------------------------------------------


def side_state(assessment, party):
    """What a list shows of ``party``'s side: submitted (when), extended (until), not yet."""
    side = next((s for s in assessment.sides.all() if s.party == party), None)
    if side is not None and side.is_submitted:
        when = date_format(timezone.localtime(side.submitted_at), "SHORT_DATE_FORMAT")
        return format_html("✔ {}", gettext("submitted on %(date)s") % {"date": when})
    close = campaigns.closes_at_for(assessment, party)
    if close > assessment.campaign.closes_at:
        until = date_format(timezone.localtime(close), "SHORT_DATETIME_FORMAT")
        return format_html("… {}", gettext("not yet, extended until %(date)s") % {"date": until})
    return format_html("✘ {}", gettext("not yet"))


def state_column(party):
    def column(self, obj):
        return side_state(obj, party)

    column.__name__ = f"{party}_state"
    column.short_description = Party(party).label
    return column


class DistrictFilter(admin.SimpleListFilter):
    """The districts of the experimentations assessed, by name (one query)."""

    title = gettext_lazy("district")
    parameter_name = "district"

    def lookups(self, request, model_admin):
        return (
            Assessment.objects.values_list(
                "experimentation__district_id", "experimentation__district__name"
            )
            .distinct()
            .order_by("experimentation__district__name")
        )

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(experimentation__district_id=self.value())
        return queryset


class SideSubmittedFilter(admin.SimpleListFilter):
    title = gettext_lazy("sides submitted")
    parameter_name = "side"

    def lookups(self, request, model_admin):
        for party in Party:
            yield f"{party.value}:yes", _("%(party)s: submitted") % {"party": party.label}
            yield f"{party.value}:no", _("%(party)s: not yet") % {"party": party.label}

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        party, _sep, answer = self.value().partition(":")
        done = Assessment.objects.filter(
            sides__party=party, sides__submitted_at__isnull=False
        ).values("pk")
        return queryset.filter(pk__in=done) if answer == "yes" else queryset.exclude(pk__in=done)


class CampaignForm(forms.ModelForm):
    public_charts = forms.TypedMultipleChoiceField(
        label=_("Charts on the public summary"),
        choices=PublicChart.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("The key figures are always shown; the charts only if ticked."),
    )

    class Meta:
        model = AssessmentCampaign
        fields = [
            "edition",
            "title",
            "title_en",
            "opens_at",
            "closes_at",
            "reminder_offsets",
            "summary",
            "summary_en",
            "public_charts",
        ]


class ExtensionForm(forms.Form):
    party = forms.ChoiceField(label=gettext_lazy("Party"), choices=Party.choices)
    closes_at = forms.DateTimeField(
        label=gettext_lazy("New close (Paris time, to the second)"),
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "step": "1"}, format="%Y-%m-%dT%H:%M:%S"
        ),
        help_text=gettext_lazy("The last second at which this party can still submit its side."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Recorded with the extension and sent to the party."),
    )


def comparison(assessment):
    """The grid's criteria by axis, each with the parties' submitted answers and their gap."""
    submitted = {s.party for s in assessment.sides.all() if s.is_submitted}
    answers = {
        (a.side.party, a.criterion_id): a
        for a in GridAnswer.objects.filter(
            side__assessment=assessment, side__submitted_at__isnull=False
        ).select_related("side")
    }
    axes = []
    for criterion in grid.criteria_of(assessment.campaign):
        if not axes or axes[-1]["axis"].pk != criterion.axis_id:
            axes.append({"axis": criterion.axis, "rows": []})
        cells = [(party, answers.get((party, criterion.pk))) for party in Party]
        scores = {p: a.score for p, a in cells if a is not None and a.score is not None}
        gap = max(scores.values()) - min(scores.values()) if len(scores) > 1 else None
        axes[-1]["rows"].append(
            {
                "criterion": criterion,
                "cells": cells,
                "gap": gap if grid.gaps(scores) else None,
            }
        )
    indicators = [
        (indicator, protocol.achievement(indicator)) for indicator in assessment.indicators.all()
    ]
    return {
        "axes": axes,
        "submitted": submitted,
        "told": Party.EXPERIMENTER in submitted,
        "indicators": indicators,
        "comments": [
            (Party(s.party).label, s.protocol_comment)
            for s in assessment.sides.all()
            if s.party != Party.EXPERIMENTER and s.is_submitted
        ],
    }


class AssessmentPagesMixin:
    def get_urls(self):
        return [
            *_urls(self, [("compare", self.compare_view), ("extend", self.extend_view)]),
            *super().get_urls(),
        ]

    def _assessment(self, request, object_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(
            Assessment.objects.select_related(
                "campaign",
                "experimentation__application__applicant",
                "experimentation__district",
            ).prefetch_related("sides__submitted_by", "extensions"),
            pk=object_id,
        )

    def _context(self, request, assessment, title):
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "original": assessment,
            "assessment": assessment,
        }

    def compare_view(self, request, object_id):
        assessment = self._assessment(request, object_id)
        context = self._context(
            request,
            assessment,
            _("Side by side: %(experimentation)s") % {"experimentation": assessment},
        )
        context["open"] = grid.staff_may_compare(assessment)
        context["compare_after"] = campaigns.closes_at_for(assessment, Party.MANAGER)
        context["parties"] = [(p.value, p.label) for p in Party]
        context["states"] = [
            (
                Party(party).label,
                next((s for s in assessment.sides.all() if s.party == party), None),
                campaigns.closes_at_for(assessment, party),
            )
            for party in Party
        ]
        if context["open"]:
            context.update(comparison(assessment))
            context["gap_threshold"] = grid.GAP
        return TemplateResponse(request, "admin/evaluation/assessment_compare.html", context)

    def extend_view(self, request, object_id):
        assessment = self._assessment(request, object_id)
        if not self.has_change_permission(request, assessment):
            raise PermissionDenied
        status = 200
        if request.method == "POST":
            form = ExtensionForm(request.POST)
            if form.is_valid():
                try:
                    with transaction.atomic():
                        extension = campaigns.extend(
                            assessment,
                            form.cleaned_data["party"],
                            closes_at=form.cleaned_data["closes_at"],
                            reason=form.cleaned_data["reason"],
                            by=request.user,
                        )
                except ValidationError as error:
                    for field, errors in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    self.message_user(
                        request,
                        _("%(party)s can submit until %(date)s; the party is told by e-mail.")
                        % {
                            "party": extension.get_party_display(),
                            "date": timezone.localtime(extension.closes_at).strftime(
                                "%d/%m/%Y %H:%M:%S"
                            ),
                        },
                    )
                    return redirect("admin:evaluation_assessment_change", assessment.pk)
            status = 400
        else:
            form = ExtensionForm(
                initial={"closes_at": timezone.localtime(assessment.campaign.closes_at)}
            )
        context = self._context(
            request,
            assessment,
            _("Extend the assessment for one party: %(experimentation)s")
            % {"experimentation": assessment},
        )
        context["form"] = form
        context["states"] = [
            (Party(party).label, campaigns.closes_at_for(assessment, party)) for party in Party
        ]
        return TemplateResponse(
            request, "admin/evaluation/assessment_extend.html", context, status=status
        )

"""What the selection adds to the staff's page of a call: the ranking with its decision form,
the publication of the results, the automatic assignment and the export of the declarations of
interests. Registered from ``EvaluationConfig.ready`` with ``calls.extensions.extend``.

Every change goes through a domain function (``evaluation.services.record_decision``,
``evaluation.publication.publish_results``): the admin only parses, confirms and reports.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models, transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from calls.admin.screening import report_refusals
from calls.domain import deliveries
from calls.domain.kinds import content_relations, spec_for
from calls.domain.workflow import Status
from calls.models import Application, Call

from . import publication, ranking, services
from .admin_selection import report_assignments
from .exports import declarations_csv
from .forms import DecisionFormSet, district_choices_by_row
from .models import (
    CallJury,
    ConflictDeclaration,
    Criterion,
    Decision,
    JuryMember,
    Recommendation,
)
from .placement.wishes import takes_placement

RANKING_PER_PAGE = 100


class CallJuryInline(admin.StackedInline):
    model = CallJury
    fields = ["phase", "reviewers_per_application", "disagreement_threshold"]
    max_num = 1
    can_delete = False
    verbose_name = gettext_lazy("jury settings")


class JuryMemberInline(admin.TabularInline):
    model = JuryMember
    extra = 1
    autocomplete_fields = ["user"]
    fields = ["user", "districts"]


class CriterionInline(admin.StackedInline):
    model = Criterion
    extra = 1
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}
    fields = [
        ("label", "label_en"),
        ("guidance", "guidance_en"),
        ("weight", "scale_max", "position"),
    ]


RANKING_PER_PAGE = 100


# --- The call: ranking, decisions, publication, declarations ----------------------------------


def shortlist_url(call):
    """Where staff shortlist the call's eligible applications (the action "Shortlist")."""
    return reverse("admin:calls_application_changelist") + (
        f"?call__id__exact={call.pk}&status__exact={Status.ELIGIBLE}"
    )


class CallSelectionMixin:
    """The ranking page of a call, its decisions and the publication of its results."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        prefix = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        return [
            path(
                "<path:object_id>/ranking/",
                wrap(self.ranking_view),
                name=f"{prefix}_ranking",
            ),
            path(
                "<path:object_id>/publish/",
                wrap(self.publish_view),
                name=f"{prefix}_publish",
            ),
            path(
                "<path:object_id>/assign/",
                wrap(self.assign_view),
                name=f"{prefix}_assign",
            ),
            path(
                "<path:object_id>/declarations.csv",
                wrap(self.declarations_view),
                name=f"{prefix}_declarations",
            ),
            *super().get_urls(),
        ]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "selection_links"]

    def get_inlines(self, request, obj):
        return [
            *super().get_inlines(request, obj),
            CallJuryInline,
            JuryMemberInline,
            CriterionInline,
        ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None:
            fieldsets.append((_("Jury and selection"), {"fields": ["selection_links"]}))
        return fieldsets

    def get_list_display(self, request):
        return [*super().get_list_display(request), "ranking_link"]

    @admin.display(description=gettext_lazy("ranking"))
    def ranking_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:calls_call_ranking", args=[obj.pk]), _("Ranking")
        )

    @admin.display(description=gettext_lazy("selection"))
    def selection_links(self, obj):
        if obj is None or not obj.pk:
            return "—"
        assignments = reverse("admin:evaluation_assignment_changelist")
        return format_html(
            '<a href="{}">{}</a> · <a href="{}?jury_member__call__id__exact={}">{}</a> · '
            '<a href="{}">{}</a>{}{}',
            reverse("admin:calls_call_ranking", args=[obj.pk]),
            _("Ranking, decisions and publication"),
            assignments,
            obj.pk,
            _("Assignments"),
            reverse("admin:calls_call_declarations", args=[obj.pk]),
            _("Declarations of interests (CSV)"),
            format_html(
                ' · <a href="{}">{}</a>',
                reverse("admin:calls_call_placement", args=[obj.pk]),
                _("Placement of the laureates"),
            )
            if takes_placement(obj)
            else "",
            format_html(
                ' · <a href="{}">{}</a>',
                reverse("evaluation:results", args=[obj.slug]),
                _("Public results"),
            )
            if obj.results_published_at
            else "",
        )

    def _call_or_404(self, request, object_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(Call.objects.select_related("edition"), pk=object_id)

    def ranking_view(self, request, object_id):
        """The call's applications ranked by their normalised jury score, with a form to
        record (or change) the pending decision of each."""
        call = self._call_or_404(request, object_id)
        ranked = ranking.rank(call)
        page = Paginator(ranked, RANKING_PER_PAGE).get_page(request.GET.get("page"))
        ids = [score.application_id for score, _ref in page]
        applications = {
            a.pk: a
            for a in Application.objects.filter(pk__in=ids).select_related(
                "call", "applicant", "decision__district", *content_relations()
            )
        }
        published = bool(call.results_published_at)
        districts = (
            {d.pk: d for d in call.districts.order_by("name")}
            if spec_for(call.kind).decision_needs_district
            else None
        )
        district_choices = (
            None if districts is None else [(pk, d.name) for pk, d in districts.items()]
        )
        initial, row_statuses = [], []
        for score, _ref in page:
            application = applications[score.application_id]
            decision = getattr(application, "decision", None)
            initial.append(
                {
                    "application": score.application_id,
                    "outcome": decision.outcome if decision else "",
                    "district": decision.district_id if decision else None,
                    "reason_shared": decision.reason_shared if decision else "",
                }
            )
            row_statuses.append((application.status, decision.outcome if decision else ""))
        can_change = self.has_change_permission(request) and not published
        data = request.POST if request.method == "POST" and can_change else None
        formset = DecisionFormSet(
            data,
            initial=initial,
            form_kwargs={"district_choices": district_choices},
            row_choices=district_choices_by_row(call, districts, ids)
            if districts is not None and takes_placement(call)
            else None,
            row_statuses=row_statuses,
        )
        if request.method == "POST":
            if not can_change:
                raise PermissionDenied
            if not formset.management_form.is_valid() or formset.total_form_count() > len(ids):
                self.message_user(
                    request,
                    _("The ranking changed meanwhile: check the decisions and record them again."),
                    messages.ERROR,
                )
                return redirect(request.get_full_path())
            recorded, refusals = self._record_decisions(
                request, formset, applications, districts or {}
            )
            if recorded:
                self.message_user(
                    request,
                    ngettext(
                        "%(n)d decision recorded (pending until the results are published).",
                        "%(n)d decisions recorded (pending until the results are published).",
                        recorded,
                    )
                    % {"n": recorded},
                    messages.SUCCESS,
                )
            report_refusals(self, request, refusals)
            if not refusals or formset.total_form_count() != len(ids):
                return redirect(request.get_full_path())
            # A refused row keeps what staff typed, its error next to it: render again.
        labels = dict(Recommendation.choices)
        rows = [
            (
                index + page.start_index(),
                score,
                applications[score.application_id],
                form,
                [(labels.get(key, key), n) for key, n in sorted(score.recommendations.items())],
            )
            for index, ((score, _ref), form) in enumerate(zip(page, formset.forms, strict=True))
        ]
        jury = getattr(call, "jury", None)
        return TemplateResponse(
            request,
            "admin/evaluation/ranking.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Ranking: %(call)s") % {"call": call},
                "opts": self.model._meta,
                "original": call,
                "call": call,
                "jury": jury,
                "rows": rows,
                "page": page,
                "formset": formset,
                "can_change": can_change,
                "published": published,
                "decision_needs_district": spec_for(call.kind).decision_needs_district,
                "takes_placement": takes_placement(call),
                "shortlist_url": shortlist_url(call),
            },
        )

    def _record_decisions(self, request, formset, applications, districts):
        """Record each valid row that changed; a refused row gets its error next to it and
        in ``refusals``. ``districts``: the call's districts by id, read once for every row."""
        recorded, refusals = 0, []
        for form in formset.forms:
            if not form.is_valid():
                application = applications.get(form.initial.get("application"))
                reference = application.reference if application else "?"
                refusals.append((reference, " ".join(e for el in form.errors.values() for e in el)))
                continue
            if not form.has_changed():
                continue
            application = applications.get(form.cleaned_data["application"])
            if application is None:
                continue
            district = districts.get(form.cleaned_data.get("district"))
            try:
                with transaction.atomic():
                    services.record_decision(
                        application,
                        outcome=form.cleaned_data["outcome"],
                        district=district,
                        reason_shared=form.cleaned_data["reason_shared"],
                        by=request.user,
                    )
            except services.EvaluationError as error:
                form.add_error("outcome", error)
                refusals.append((application.reference, " ".join(error.messages)))
            else:
                recorded += 1
        return recorded, refusals

    def publish_view(self, request, object_id):
        """Check, then publish the call's results (POST)."""
        call = self._call_or_404(request, object_id)
        if not self.has_change_permission(request, call):
            raise PermissionDenied
        if request.method == "POST":
            try:
                result = publication.publish_results(call, by=request.user)
            except publication.PublicationError as error:
                for message in error.messages:
                    self.message_user(request, message, messages.ERROR)
                return redirect("admin:calls_call_publish", object_id=call.pk)
            if result.already:
                self.message_user(
                    request, _("The results of this call were already published."), messages.INFO
                )
            else:
                told = (
                    format_html(
                        '{} <a href="{}">{}</a>',
                        _("Their e-mails wait in the outbox: read them, then release them."),
                        reverse("admin:calls_delivery_changelist") + "?state=held",
                        _("Open the outbox"),
                    )
                    if deliveries.holds("decision")
                    else _("The applicants are being told by e-mail.")
                )
                self.message_user(
                    request,
                    format_html(
                        "{} {}",
                        _(
                            "Results published: %(n)d decisions applied, %(d)d innovation "
                            "districts created."
                        )
                        % {"n": result.applied, "d": result.districts_created},
                        told,
                    ),
                    messages.SUCCESS,
                )
                for warning in result.warnings:
                    self.message_user(request, warning, messages.WARNING)
            return redirect("admin:calls_call_ranking", object_id=call.pk)
        decisions = list(
            Decision.objects.filter(application__call=call)
            .select_related("application__applicant", "application__call", "district__commune")
            .order_by("application__reference")
        )
        check = publication.check(call, decisions)
        published = bool(call.results_published_at)
        return TemplateResponse(
            request,
            "admin/evaluation/publish.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Publish the results: %(call)s") % {"call": call},
                "opts": self.model._meta,
                "original": call,
                "call": call,
                "decisions": decisions,
                "check": check,
                "published": published,
                "previews": [] if published else publication.previews(decisions),
                "undecided": [] if published else list(publication.undecided(call)),
                "shortlist_url": shortlist_url(call),
                "capped_per_call": spec_for(call.kind).capped_per_call,
            },
        )

    def assign_view(self, request, object_id):
        """Assign the call's applications under review to its jury automatically (POST)."""
        call = self._call_or_404(request, object_id)
        if request.method != "POST" or not self.has_change_permission(request, call):
            raise PermissionDenied
        report = services.assign_automatically(call, by=request.user)
        report_assignments(self, request, report)
        return redirect("admin:calls_call_ranking", object_id=call.pk)

    def declarations_view(self, request, object_id):
        """Every declaration of interests of the call's jury, as CSV (semicolons, UTF-8)."""
        call = self._call_or_404(request, object_id)
        declarations = (
            ConflictDeclaration.objects.filter(assignment__application__call=call)
            .select_related("assignment__application__applicant", "assignment__jury_member__user")
            .order_by("assignment__application__reference", "assignment__jury_member__user__email")
        )
        return declarations_csv(declarations, filename=f"declarations-{call.slug}.csv")

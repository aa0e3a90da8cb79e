"""What the selection adds to the staff's pages of applications and calls.

``ApplicationSelectionMixin`` (mixed into ``calls.admin.applications.ApplicationAdmin``, so
the projects' admin gets it too): a bulk action per staff transition —
with a confirmation page asking the
reason, and the due date of a correction, where needed —, the jury's aggregate scores as
columns (computed for the page in a bounded number of queries), the correction requests, the
reviews, the pending decision and the e-mails sent, inline and read-only, and what changed
since the previous submitted version.

``CallSelectionMixin`` (mixed into ``calls.admin.applications.CallAdmin``): the ranking page
of a call with its decision form, the publication of its results, the export of the declarations of
interests.

Every change goes through a domain function (``calls.domain.lifecycle.transition``,
``evaluation.services.record_decision``, ``evaluation.publication.publish_results``): the
admin only parses, confirms and reports.
"""

from datetime import datetime, time

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models, transaction
from django.forms import formset_factory
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from calls.domain import lifecycle as call_services
from calls.domain.kinds import content_relations
from calls.domain.versions import last_changes
from calls.domain.workflow import TRANSITIONS, Actor
from calls.models import Application, Call, CorrectionRequest, Notification
from qmi.admin_mixins import ReadOnlyInline

from . import publication, ranking, services
from .exports import declarations_csv
from .forms import DecisionRowForm
from .models import (
    CallJury,
    ConflictDeclaration,
    Criterion,
    Decision,
    JuryMember,
    Recommendation,
    Review,
)

STAFF_TRANSITIONS = [
    name for name, t in TRANSITIONS.items() if t.actor == Actor.STAFF and not t.at_publication
]
RANKING_PER_PAGE = 100


def _number(value):
    return "—" if value is None else f"{value:.2f}"


# --- Inlines ----------------------------------------------------------------------------------


class CorrectionRequestInline(ReadOnlyInline, admin.TabularInline):
    model = CorrectionRequest
    fields = ["requested_at", "requested_by", "message", "due_at", "resolved_at"]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("correction requests")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("requested_by")


@admin.display(description=gettext_lazy("published at"))
def decision_published_at(decision):
    return decision.applied_at


class DecisionInline(ReadOnlyInline, admin.StackedInline):
    model = Decision
    fields = ["outcome", "district", "reason_shared", "recorded_by", "recorded_at", "published_at"]
    readonly_fields = fields
    verbose_name = gettext_lazy("decision (pending until the results are published)")
    published_at = staticmethod(decision_published_at)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("application__call")


class NotificationInline(ReadOnlyInline, admin.TabularInline):
    model = Notification
    fields = ["created_at", "kind", "recipients", "subject", "status", "sent_at", "error"]
    readonly_fields = fields
    ordering = ["-created_at"]
    verbose_name_plural = gettext_lazy("e-mails sent")


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


# --- Bulk transitions -------------------------------------------------------------------------


class TransitionForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        max_length=4000,
        required=False,
    )
    due_on = forms.DateField(
        label=gettext_lazy("Due date (Paris time, end of the day)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, transition, **kwargs):
        super().__init__(*args, **kwargs)
        self.transition = transition
        self.fields["note"].required = transition.needs_note
        if transition.name == "request_correction":
            self.fields["note"].label = _("What to correct (sent to the applicant)")
        if transition.needs_due_date:
            self.fields["due_on"].required = True
        else:
            del self.fields["due_on"]

    def due_at(self):
        day = self.cleaned_data.get("due_on")
        if not day:
            return None
        return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))

    def clean_due_on(self):
        day = self.cleaned_data.get("due_on")
        if day and day < timezone.localdate():
            raise forms.ValidationError(_("The due date must be in the future."))
        return day


def apply_transition(request, queryset, name, *, note="", due_at=None):
    """Take transition ``name`` on each application of ``queryset``; returns (done, refusals)
    where each refusal is ``(reference, message)`` and left the application unchanged."""
    done, refusals = 0, []
    for application in queryset.select_related("call").order_by("reference"):
        try:
            call_services.transition(application, name, by=request.user, note=note, due_at=due_at)
        except call_services.WorkflowError as error:
            refusals.append((application.reference, " ".join(error.messages)))
        except PermissionDenied:
            refusals.append((application.reference, _("You may not do this.")))
        else:
            done += 1
    return done, refusals


def report_refusals(modeladmin, request, refusals):
    """One warning per ``(reference, message)`` the domain refused."""
    for reference, message in refusals:
        modeladmin.message_user(
            request,
            _("%(ref)s unchanged: %(message)s") % {"ref": reference, "message": message},
            messages.WARNING,
        )


def _report(modeladmin, request, label, done, refusals):
    if done:
        modeladmin.message_user(
            request,
            ngettext(
                "%(action)s: done for %(n)d application.",
                "%(action)s: done for %(n)d applications.",
                done,
            )
            % {"action": label, "n": done},
            messages.SUCCESS,
        )
    report_refusals(modeladmin, request, refusals)


def report_assignments(modeladmin, request, report, *, call=None):
    """What ``services.assign_automatically`` did; ``call`` names it when several are run."""
    if call is None:
        created = ngettext(
            "%(n)d assignment created.", "%(n)d assignments created.", report.created
        ) % {"n": report.created}
    else:
        created = ngettext(
            "%(call)s: %(n)d assignment created.",
            "%(call)s: %(n)d assignments created.",
            report.created,
        ) % {"call": call, "n": report.created}
    modeladmin.message_user(request, created, messages.SUCCESS)
    for reference, missing in report.short:
        modeladmin.message_user(
            request,
            _("%(ref)s lacks %(n)d jury member(s): no other member may review it.")
            % {"ref": reference, "n": missing},
            messages.WARNING,
        )


def transition_action(name):
    """The admin action that takes the staff transition ``name`` on the selected
    applications, after a confirmation page when a reason or a due date is needed."""
    step = TRANSITIONS[name]

    def action(modeladmin, request, queryset):
        if not (step.needs_note or step.needs_due_date):
            done, refusals = apply_transition(request, queryset, name)
            _report(modeladmin, request, step.label, done, refusals)
            return None
        form = TransitionForm(request.POST if "apply" in request.POST else None, transition=step)
        if "apply" in request.POST and form.is_valid():
            done, refusals = apply_transition(
                request,
                queryset,
                name,
                note=form.cleaned_data["note"].strip(),
                due_at=form.due_at(),
            )
            _report(modeladmin, request, step.label, done, refusals)
            return None
        return TemplateResponse(
            request,
            "admin/evaluation/transition_confirm.html",
            {
                **modeladmin.admin_site.each_context(request),
                "title": step.label,
                "opts": modeladmin.model._meta,
                "form": form,
                "transition": step,
                "applications": list(queryset.select_related("applicant").order_by("reference")),
                "action": f"take_{name}",
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    action.__name__ = f"take_{name}"
    action.allowed_permissions = ("change",)
    return action, f"take_{name}", step.label


# --- Changelist with scores -------------------------------------------------------------------


class ScoredChangeList(ChangeList):
    """The changelist whose page of applications carries the jury's aggregate scores, computed
    for the whole page at once (``ranking.scores_for``)."""

    def get_results(self, request):
        super().get_results(request)
        rows = list(self.result_list)
        scores = ranking.scores_for([(a.pk, a.call_id) for a in rows])
        for application in rows:
            application.selection_score = scores.get(application.pk)
        self.result_list = rows


class DecisionFilter(admin.SimpleListFilter):
    title = gettext_lazy("decision")
    parameter_name = "decision"

    def lookups(self, request, model_admin):
        return [("none", _("No decision")), *Decision.Outcome.choices]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(decision__isnull=True)
        if self.value() in Decision.Outcome.values:
            return queryset.filter(decision__outcome=self.value())
        return queryset


class ApplicationSelectionMixin:
    """Screening, jury scores, reviews, decisions and e-mails on the applications' admin."""

    def get_list_display(self, request):
        return [*super().get_list_display(request), "jury_mean", "jury_normalised", "jury_spread"]

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), DecisionFilter]

    def get_changelist(self, request, **kwargs):
        return ScoredChangeList

    selection_inlines = [CorrectionRequestInline, DecisionInline, NotificationInline]

    def get_inline_instances(self, request, obj=None):
        """The inlines of the application's admin, then the selection's (read-only). Added
        here rather than in ``get_inlines``, which ``ApplicationAdmin`` builds on its own."""
        instances = super().get_inline_instances(request, obj)
        for inline_class in self.selection_inlines:
            inline = inline_class(self.model, self.admin_site)
            if request and not inline.has_view_or_change_permission(request, obj):
                continue
            inline.max_num = 0
            instances.append(inline)
        return instances

    SELECTION_FIELDS = ["version_changes", "jury_scores", "jury_reviews"]

    def get_fields(self, request, obj=None):
        return [*super().get_fields(request, obj), *self.SELECTION_FIELDS]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *self.SELECTION_FIELDS]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.actions is None or "_popup" in request.GET:
            return actions
        declared = [transition_action(name) for name in STAFF_TRANSITIONS]
        for func, name, description in self._filter_actions_by_permissions(request, declared):
            actions[name] = (func, name, description)
        return actions

    # columns

    @admin.display(description=gettext_lazy("jury mean"))
    def jury_mean(self, obj):
        score = getattr(obj, "selection_score", None)
        return _number(score.mean) if score else "—"

    @admin.display(description=gettext_lazy("normalised"))
    def jury_normalised(self, obj):
        score = getattr(obj, "selection_score", None)
        return _number(score.normalised) if score else "—"

    @admin.display(description=gettext_lazy("spread"))
    def jury_spread(self, obj):
        score = getattr(obj, "selection_score", None)
        if not score or score.spread is None:
            return "—"
        if score.flagged:
            return format_html(
                '<strong title="{}">{} ⚑</strong>', _("disagreement"), _number(score.spread)
            )
        return _number(score.spread)

    @admin.display(description=gettext_lazy("jury scores"))
    def jury_scores(self, obj):
        if obj is None or not obj.pk:
            return "—"
        score = ranking.scores_for([(obj.pk, obj.call_id)])[obj.pk]
        if not score.reviews:
            return _("No review counted yet.")
        return format_html(
            "{}: {} · {}: {} · {}: {} · {}: {}{}",
            _("reviews"),
            score.reviews,
            _("mean"),
            _number(score.mean),
            _("median"),
            _number(score.median),
            _("normalised"),
            _number(score.normalised),
            format_html(" · {}: {}", _("spread"), _number(score.spread))
            if score.spread is not None
            else "",
        )

    @admin.display(description=gettext_lazy("jury reviews"))
    def jury_reviews(self, obj):
        """Every review of the application, read-only: member, declaration, scores, total,
        recommendation, opinion. A conflicted member's review is marked and never counted."""
        if obj is None or not obj.pk:
            return "—"
        reviews = list(
            Review.objects.filter(assignment__application=obj)
            .select_related("assignment__jury_member__user", "assignment__conflict")
            .prefetch_related("scores__criterion")
            .order_by("assignment__jury_member__user__email")
        )
        if not reviews:
            return _("No review yet.")
        rows = []
        for review in reviews:
            declaration = getattr(review.assignment, "conflict", None)
            if declaration is not None and declaration.has_conflict:
                state = _("conflict of interest declared (%(reason)s): not counted") % {
                    "reason": declaration.reason
                }
            elif review.abstain:
                state = _("abstained: not counted")
            else:
                state = review.get_status_display()
            scores = format_html_join(
                "",
                "{}: {} / {}{}<br>",
                (
                    (
                        s.criterion.localized_label,
                        "—" if s.value is None else s.value,
                        s.criterion.scale_max,
                        f" — {s.comment}" if s.comment else "",
                    )
                    for s in review.scores.all()
                ),
            )
            rows.append(
                (
                    review.assignment.jury_member.user,
                    state,
                    _number(review.total),
                    review.get_recommendation_display() or "—",
                    scores,
                    review.overall_opinion or "—",
                )
            )
        return format_html(
            '<table><caption class="visually-hidden">{}</caption><thead><tr>'
            '<th scope="col">{}</th><th scope="col">{}</th>'
            '<th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th>'
            '<th scope="col">{}</th></tr></thead><tbody>{}</tbody></table>',
            _("The reviews of the jury members assigned to this application"),
            _("jury member"),
            _("review"),
            _("total"),
            _("recommendation"),
            _("scores"),
            _("overall opinion"),
            format_html_join(
                "",
                '<tr><th scope="row">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td>'
                '<td style="white-space:pre-line">{}</td></tr>',
                rows,
            ),
        )

    @admin.display(description=gettext_lazy("changes since the previous version"))
    def version_changes(self, obj):
        if obj is None or not obj.pk:
            return "—"
        found = last_changes(obj)
        if found is None:
            return _("Submitted once: nothing to compare.")
        older, newer, rows = found
        if not rows:
            return _("Version %(new)d is the same as version %(old)d.") % {
                "new": newer.number,
                "old": older.number,
            }
        body = format_html_join(
            "",
            '<tr><th scope="row">{}</th><td style="white-space:pre-line">{}</td>'
            '<td style="white-space:pre-line">{}</td></tr>',
            ((row.label, row.before, row.after) for row in rows),
        )
        return format_html(
            '<table><caption>{}</caption><thead><tr><th scope="col">{}</th>'
            '<th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>{}</tbody></table>',
            _("Version %(old)d (%(old_at)s) → version %(new)d (%(new_at)s)")
            % {
                "old": older.number,
                "old_at": date_format(
                    timezone.localtime(older.created_at), "SHORT_DATETIME_FORMAT"
                ),
                "new": newer.number,
                "new_at": date_format(
                    timezone.localtime(newer.created_at), "SHORT_DATETIME_FORMAT"
                ),
            },
            _("answer"),
            _("before"),
            _("after"),
            body,
        )


# --- The call: ranking, decisions, publication, declarations ----------------------------------


DecisionFormSet = formset_factory(DecisionRowForm, extra=0)


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
            '<a href="{}">{}</a>{}',
            reverse("admin:calls_call_ranking", args=[obj.pk]),
            _("Ranking, decisions and publication"),
            assignments,
            obj.pk,
            _("Assignments"),
            reverse("admin:calls_call_declarations", args=[obj.pk]),
            _("Declarations of interests (CSV)"),
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
            if call.kind == Call.Kind.EXPERIMENTERS
            else None
        )
        district_choices = (
            None if districts is None else [(pk, d.name) for pk, d in districts.items()]
        )
        initial = []
        for score, _ref in page:
            decision = getattr(applications[score.application_id], "decision", None)
            initial.append(
                {
                    "application": score.application_id,
                    "outcome": decision.outcome if decision else "",
                    "district": decision.district_id if decision else None,
                    "reason_shared": decision.reason_shared if decision else "",
                }
            )
        can_change = self.has_change_permission(request) and not published
        data = request.POST if request.method == "POST" and can_change else None
        formset = DecisionFormSet(
            data, initial=initial, form_kwargs={"district_choices": district_choices}
        )
        if request.method == "POST":
            if not can_change:
                raise PermissionDenied
            if formset.is_valid():
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
                return redirect(request.get_full_path())
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
                "experimenters": call.kind == Call.Kind.EXPERIMENTERS,
            },
        )

    def _record_decisions(self, request, formset, applications, districts):
        """``districts``: the call's districts by id, read once for every row."""
        recorded, refusals = 0, []
        for form in formset.forms:
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
                self.message_user(
                    request,
                    _(
                        "Results published: %(n)d decisions applied, %(d)d innovation districts "
                        "created. The applicants are being told by e-mail."
                    )
                    % {"n": result.applied, "d": result.districts_created},
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

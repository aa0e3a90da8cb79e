"""What the selection adds to the staff's pages of applications and calls.

Registered from ``EvaluationConfig.ready`` with ``calls.extensions.extend``: ``calls`` builds its
admin pages with these mixins in front and never imports this module.

``ApplicationSelectionMixin`` (on ``calls.admin.applications.ApplicationAdmin``, so the
projects' admin gets it too): the jury's aggregate scores as columns (computed for the page in
a bounded number of queries), a filter by decision, the reviews and the pending decision,
read-only.

``CallSelectionMixin`` (on ``calls.admin.applications.CallAdmin``): the ranking page
of a call with its decision form, the publication of its results, the export of the declarations of
interests.

Every change goes through a domain function (``calls.domain.lifecycle.transition``,
``evaluation.services.record_decision``, ``evaluation.publication.publish_results``): the
admin only parses, confirms and reports.
"""

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from calls.admin.screening import read_only_inlines
from qmi.admin_mixins import ReadOnlyInline
from qmi.permissions import allowed

from . import ranking
from .admin_early import tell_ineligible
from .models import (
    Decision,
    Review,
)


def _number(value):
    return "—" if value is None else f"{value:.2f}"


# --- Inlines ----------------------------------------------------------------------------------


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

    def get_actions(self, request):
        actions = super().get_actions(request)
        if allowed("calls.decide_application", request.user):
            actions["tell_ineligible"] = (
                tell_ineligible,
                "tell_ineligible",
                tell_ineligible.short_description,
            )
        return actions

    def get_list_display(self, request):
        return [*super().get_list_display(request), "jury_mean", "jury_normalised", "jury_spread"]

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), DecisionFilter]

    def get_changelist(self, request, **kwargs):
        return ScoredChangeList

    selection_inlines = [DecisionInline]

    def get_inline_instances(self, request, obj=None):
        """The inlines of the application's admin, then the selection's (read-only). Added
        here rather than in ``get_inlines``, which ``ApplicationAdmin`` builds on its own."""
        instances = super().get_inline_instances(request, obj)
        return [*instances, *read_only_inlines(self, request, obj, self.selection_inlines)]

    SELECTION_FIELDS = ["jury_scores", "jury_reviews"]

    def get_fields(self, request, obj=None):
        return [*super().get_fields(request, obj), *self.SELECTION_FIELDS]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *self.SELECTION_FIELDS]

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

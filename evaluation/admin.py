"""The staff side of the jury: a call's jury (phase, members with their districts, criteria,
automatic assignment), assignments by hand, the declarations of interests (read-only,
exportable), the reviews (read-only) and the decisions (recorded on the ranking page)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from calls.admin.exporting import ListExportMixin
from qmi.admin_mixins import ReadOnlyInline

from . import services
from .admin_selection import decision_published_at, report_assignments
from .exports import declarations_csv
from .models import (
    Assignment,
    CallJury,
    ConflictDeclaration,
    Decision,
    JuryMember,
    Phase,
    Review,
    Score,
)


@admin.action(description=_("Assign the applications automatically (eligible and shortlisted)"))
def assign_automatically(modeladmin, request, queryset):
    for jury in queryset.select_related("call"):
        report = services.assign_automatically(jury.call, by=request.user)
        report_assignments(modeladmin, request, report, call=jury.call)


def _phase_action(phase):
    def action(modeladmin, request, queryset):
        for jury in queryset.select_related("call"):
            services.set_phase(jury.call, phase, by=request.user)
        modeladmin.message_user(
            request, _("Jury phase set to “%(phase)s”.") % {"phase": Phase(phase).label}
        )

    action.__name__ = f"phase_{phase}"
    action.short_description = _("Move to the phase: %(phase)s") % {"phase": Phase(phase).label}
    action.allowed_permissions = ("change",)
    return action


@admin.register(CallJury)
class CallJuryAdmin(admin.ModelAdmin):
    list_display = ["call", "phase", "reviewers_per_application", "disagreement_threshold", "links"]
    list_filter = ["phase"]
    list_select_related = ["call__edition"]
    actions = [assign_automatically, *[_phase_action(p) for p in Phase.values]]
    fields = ["call", "phase", "reviewers_per_application", "disagreement_threshold", "links"]
    readonly_fields = ["links"]

    def get_readonly_fields(self, request, obj=None):
        return ["links", "call"] if obj else ["links"]

    def get_changeform_initial_data(self, request):
        return {"call": request.GET.get("call")}

    @admin.display(description=_("pages"))
    def links(self, obj):
        if obj is None or not obj.pk:
            return "—"
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:calls_call_change", args=[obj.call_id]),
            _("Members and criteria (on the call)"),
            reverse("admin:calls_call_ranking", args=[obj.call_id]),
            _("Ranking and decisions"),
            reverse("admin:evaluation_assignment_changelist")
            + f"?jury_member__call__id__exact={obj.call_id}",
            _("Assignments"),
        )


@admin.register(JuryMember)
class JuryMemberAdmin(
    ListExportMixin, SimpleHistoryAdmin
):  # "History": added, changed, removed by whom
    list_display = ["user", "call", "district_list", "added_at"]
    list_filter = [("call", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["user", "call"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "call__title"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["districts"]

    def get_queryset(self, request):
        return self.export_queryset(super().get_queryset(request))

    def export_queryset(self, queryset):
        return super().export_queryset(queryset).prefetch_related("districts")

    @admin.display(description=_("limited to the districts"))
    def district_list(self, obj):
        return ", ".join(d.name for d in obj.districts.all()) or _("all")


class AssignmentForm(forms.ModelForm):
    class Meta:
        model = Assignment
        fields = ["jury_member", "application"]

    def clean(self):
        data = super().clean()
        member, application = data.get("jury_member"), data.get("application")
        if member and application and member.call_id != application.call_id:
            raise ValidationError(_("This jury member sits on the jury of another call."))
        return data


@admin.register(Assignment)
class AssignmentAdmin(ListExportMixin, admin.ModelAdmin):
    form = AssignmentForm
    list_display = ["application", "jury_member", "automatic", "declaration", "review_state"]
    list_filter = [("jury_member__call", admin.RelatedOnlyFieldListFilter), "automatic"]
    list_select_related = [
        "application",
        "jury_member__user",
        "jury_member__call",
        "conflict",
        "review",
    ]
    search_fields = [
        "application__reference",
        "application__applicant__name",
        "jury_member__user__email",
    ]
    autocomplete_fields = ["application", "jury_member"]
    fields = ["jury_member", "application", "automatic", "assigned_at"]
    readonly_fields = ["automatic", "assigned_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj:
            return ["jury_member", "application", "automatic", "assigned_at"]
        return self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        """An assignment with a declaration is kept for the record (the database refuses)."""
        if obj is not None and (
            ConflictDeclaration.objects.filter(assignment=obj).exists()
            or Review.objects.filter(assignment=obj).exists()
        ):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        obj.pk = services.assign(obj.application, obj.jury_member, by=request.user).pk

    @admin.display(description=_("declaration"))
    def declaration(self, obj):
        declaration = getattr(obj, "conflict", None)
        if declaration is None:
            return _("to make")
        return _("conflict") if declaration.has_conflict else _("no conflict")

    @admin.display(description=_("review"))
    def review_state(self, obj):
        review = getattr(obj, "review", None)
        return review.get_status_display() if review else "—"


class ReadOnlyAdmin:
    """A log kept for the record: staff read it, nobody adds, changes or deletes."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.action(description=_("Export the selected declarations (CSV)"))
def export_declarations(modeladmin, request, queryset):
    return declarations_csv(
        queryset.select_related(
            "assignment__application__applicant", "assignment__jury_member__user"
        ).order_by("assignment__application__reference"),
        filename="declarations.csv",
    )


@admin.register(ConflictDeclaration)
class ConflictDeclarationAdmin(ListExportMixin, ReadOnlyAdmin, admin.ModelAdmin):
    """The log of declarations of interests: read-only, never deleted, exportable."""

    list_display = ["assignment", "has_conflict", "reason", "declared_at"]
    list_filter = [
        "has_conflict",
        ("assignment__jury_member__call", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["assignment__application", "assignment__jury_member__user"]
    search_fields = ["assignment__application__reference", "assignment__jury_member__user__email"]
    actions = [export_declarations]


class ScoreInline(ReadOnlyInline, admin.TabularInline):
    model = Score
    fields = ["criterion", "value", "comment"]
    readonly_fields = fields


@admin.register(Review)
class ReviewAdmin(ListExportMixin, ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["assignment", "status", "total", "recommendation", "abstain", "finalised_at"]
    list_filter = [
        "status",
        "abstain",
        ("assignment__jury_member__call", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["assignment__application", "assignment__jury_member__user"]
    search_fields = ["assignment__application__reference", "assignment__jury_member__user__email"]
    inlines = [ScoreInline]
    readonly_fields = [
        "assignment",
        "status",
        "overall_opinion",
        "recommendation",
        "abstain",
        "total",
        "created_at",
        "updated_at",
        "finalised_at",
    ]
    fields = readonly_fields
    export_fields = [
        "reference",
        "call",
        "jury_member",
        "status",
        "total",
        "recommendation",
        "abstain",
        "finalised_at",
    ]

    def export_queryset(self, queryset):
        return super().export_queryset(queryset).select_related("assignment__jury_member__call")

    @admin.display(description=_("application"), ordering="assignment__application__reference")
    def reference(self, obj):
        return obj.assignment.application.reference

    @admin.display(description=_("call"))
    def call(self, obj):
        return obj.assignment.jury_member.call

    @admin.display(description=_("jury member"))
    def jury_member(self, obj):
        return obj.assignment.jury_member.user


@admin.register(Decision)
class DecisionAdmin(ListExportMixin, ReadOnlyAdmin, SimpleHistoryAdmin):
    """Decisions are recorded on the ranking page of the call and applied by publishing."""

    list_display = [
        "application",
        "outcome",
        "district",
        "recorded_by",
        "recorded_at",
        "published_at",
    ]
    list_filter = ["outcome", ("application__call", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["application__call", "district", "recorded_by"]
    search_fields = ["application__reference", "application__applicant__name"]
    readonly_fields = [
        "application",
        "outcome",
        "district",
        "reason_shared",
        "recorded_by",
        "recorded_at",
        "published_at",
    ]
    fields = readonly_fields
    published_at = staticmethod(decision_published_at)


from . import admin_assessment, admin_history  # noqa: E402,F401

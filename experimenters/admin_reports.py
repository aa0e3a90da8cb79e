"""The staff side of the reports: the schedule of each edition (changing it moves the due
dates of the reports not filed yet), the reports with their late ones flagged and filtered,
each report with its indicators, files, versions, history and reminders; accept or ask for
changes (with what to change and a new due date) as bulk actions. Every change goes through
``experimenters.reports``: the admin only parses, confirms and reports."""

from django.contrib import admin, messages
from django.db.models import F
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from calls.admin.exporting import ListExportMixin
from calls.admin.screening import with_transition_actions
from qmi.admin_mixins import JoinedRelatedFieldListFilter, ReadOnlyInline

from . import reports
from .models import (
    Report,
    ReportFile,
    ReportIndicator,
    ReportMilestone,
    ReportReminder,
    ReportStatusChange,
    ReportVersion,
)


@admin.register(ReportMilestone)
class ReportMilestoneAdmin(admin.ModelAdmin):
    list_display = ["title", "title_en", "edition", "months", "days"]
    list_filter = ["edition"]
    list_select_related = ["edition"]
    fields = ["edition", "title", "title_en", ("months", "days")]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        moved = reports.reschedule_edition(obj.edition)
        if moved:
            self.message_user(
                request,
                ngettext(
                    "%(n)d report added to the experimentations of the edition.",
                    "%(n)d reports added to the experimentations of the edition.",
                    moved,
                )
                % {"n": moved},
                messages.SUCCESS,
            )


class IndicatorInline(ReadOnlyInline, admin.TabularInline):
    model = ReportIndicator
    fields = ["name", "unit", "baseline", "target", "value", "method"]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("indicators")


class FileInline(ReadOnlyInline, admin.TabularInline):
    model = ReportFile
    fields = ["slot", "file_link", "size", "uploaded_at", "uploaded_by"]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("photos and documents")

    @admin.display(description=gettext_lazy("file"))
    def file_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("experimenters:report_file", args=[obj.report_id, obj.pk]),
            obj.original_name,
        )


class ReportHistoryInline(ReadOnlyInline, admin.TabularInline):
    model = ReportStatusChange
    fields = ["at", "transition", "from_status", "to_status", "by", "note"]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("history")


class VersionInline(ReadOnlyInline, admin.TabularInline):
    model = ReportVersion
    fields = ["number", "created_at"]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("submitted versions")


class ReminderInline(ReadOnlyInline, admin.TabularInline):
    model = ReportReminder
    fields = ["sent_at", "due_at", "offset", "recipients"]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("reminders sent")


class LateFilter(admin.SimpleListFilter):
    title = gettext_lazy("lateness")
    parameter_name = "late"

    def lookups(self, request, model_admin):
        return [("yes", _("Late")), ("filed_late", _("Filed late"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return reports.late(queryset)
        if self.value() == "filed_late":
            return queryset.filter(submitted_at__gt=F("due_at"))
        return queryset


def _take(report, name, *, by, note, due_at=None):
    reports.transition(report, name, by=by, note=note, due_at=due_at)


@admin.register(Report)
class ReportAdmin(ListExportMixin, admin.ModelAdmin):
    list_display = [
        "reference",
        "milestone",
        "district",
        "due_at",
        "status",
        "late",
        "submitted_at",
    ]
    list_filter = [
        LateFilter,
        "status",
        "milestone__edition",
        ("experimentation__district", JoinedRelatedFieldListFilter),
    ]
    list_select_related = [
        "milestone",
        "experimentation__application",
        "experimentation__district__commune",
    ]
    search_fields = [
        "experimentation__application__reference",
        "experimentation__application__applicant__name",
    ]
    date_hierarchy = "due_at"
    fields = [
        "experimentation",
        "milestone",
        "status",
        "due_at",
        ("submitted_at", "submitted_by"),
        "fingerprint",
        "progress",
        "next_steps",
        "difficulties",
        "needs",
        "page",
    ]
    readonly_fields = [
        "experimentation",
        "milestone",
        "status",
        "due_at",
        "submitted_at",
        "submitted_by",
        "fingerprint",
        "progress",
        "next_steps",
        "difficulties",
        "needs",
        "page",
    ]
    inlines = [IndicatorInline, FileInline, VersionInline, ReportHistoryInline, ReminderInline]

    def get_actions(self, request):
        """Accept, or ask for changes (what to change, a new due date)."""
        return with_transition_actions(
            self,
            request,
            super().get_actions(request),
            ["accept", "request_changes"],
            transitions=reports.TRANSITIONS,
            take=_take,
            order=["due_at", "pk"],
        )

    def has_add_permission(self, request):
        return False  # scheduled for each experimentation

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(
        description=gettext_lazy("reference"), ordering="experimentation__application__reference"
    )
    def reference(self, obj):
        return obj.experimentation.application.reference

    @admin.display(description=gettext_lazy("innovation district"))
    def district(self, obj):
        return obj.experimentation.district.name

    @admin.display(description=gettext_lazy("late"), boolean=True)
    def late(self, obj):
        return obj.is_late()

    @admin.display(description=gettext_lazy("as the experimenter sees it"))
    def page(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("experimenters:report", args=[obj.pk]),
            _("Open the report page"),
        )

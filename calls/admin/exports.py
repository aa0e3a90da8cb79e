"""The staff side of documents and exports: a link to an application's dossier, the reminders
that went out, admin actions that build packs and exports of the selected (or filtered)
applications, and the list of export jobs."""

from django.contrib import admin
from django.shortcuts import redirect
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from calls.interfaces import export_requests
from calls.models import ExportJob, ReminderSent
from qmi.admin_mixins import ReadOnlyInline


class ReminderSentInline(ReadOnlyInline, admin.TabularInline):
    model = ReminderSent
    fields = ["sent_at", "when", "deadline", "recipients"]
    readonly_fields = fields
    verbose_name_plural = _("deadline reminders sent")

    @admin.display(description=_("reminder"))
    def when(self, obj):
        return obj.offset_label


@admin.display(description=_("dossier (PDF)"))
def dossier_link(obj):
    if obj is None or not obj.pk:
        return "—"
    return format_html(
        '<a href="{}">{}</a>', obj.urls.dossier, _("Download the dossier of %s") % obj.reference
    )


def _export(modeladmin, request, queryset, format):
    ids = list(queryset.values_list("pk", flat=True))
    job = export_requests.request_export(
        request.user,
        format=format,
        filters={"ids": ids},
        description=ngettext(
            "%(n)d application chosen in the admin",
            "%(n)d applications chosen in the admin",
            len(ids),
        )
        % {"n": len(ids)},
    )
    return redirect(job)


@admin.action(description=_("Build a pack of the selected applications: one PDF"))
def build_pdf_pack(modeladmin, request, queryset):
    return _export(modeladmin, request, queryset, ExportJob.Format.PDF)


@admin.action(description=_("Build a pack of the selected applications: ZIP"))
def build_zip_pack(modeladmin, request, queryset):
    return _export(modeladmin, request, queryset, ExportJob.Format.ZIP)


@admin.action(description=_("Export the selected applications: CSV"))
def export_csv(modeladmin, request, queryset):
    return _export(modeladmin, request, queryset, ExportJob.Format.CSV)


@admin.action(description=_("Export the selected applications: XLSX"))
def export_xlsx(modeladmin, request, queryset):
    return _export(modeladmin, request, queryset, ExportJob.Format.XLSX)


EXPORT_ACTIONS = [build_pdf_pack, build_zip_pack, export_csv, export_xlsx]


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "subject",
        "format",
        "description",
        "requested_by",
        "state",
        "page",
    ]
    list_filter = ["state", "subject", "format"]
    list_select_related = ["requested_by"]
    fields = [
        "page",
        "subject",
        "format",
        "description",
        "requested_by",
        "filters",
        "state",
        "total",
        "done",
        "attempts",
        "error",
        "size",
        "created_at",
        "started_at",
        "finished_at",
        "updated_at",
        "expires_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("progress and file"))
    def page(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("See the job"))

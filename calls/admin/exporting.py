"""Every staff list exports what it shows: ``ListExportMixin`` puts "Export as CSV" and
"Export as XLSX" on a changelist; the file holds the rows of the list as filtered, searched
and ordered (every page), one column per column of the list — or of ``export_fields`` — as
the list shows them (labels of choices, Paris time, yes or no, text without markup),
written by the one writer of every export (``calls.interfaces.spreadsheets``: formula-safe).

Up to ``LIST_EXPORT_INLINE_MAX`` rows the file comes back at once; above, the ids in scope are
kept on an ``ExportJob`` of subject ``list`` and the worker builds the same table, with the
jobs' progress page, heartbeat, private storage and expiry. Staff only, and only with the
model's "view" permission (403 otherwise)."""

import datetime
import tempfile

from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import label_for_field, lookup_field
from django.contrib.auth import get_permission_codename
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.encoding import force_str
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calls.interfaces import export_jobs, export_subjects
from calls.interfaces.export_requests import request_export
from calls.interfaces.spreadsheets import write_csv, write_xlsx
from calls.interfaces.tables import paris_time
from calls.models import ExportJob
from qmi.downloads import private

SUBJECT = "list"
CHUNK = 500


def _cell(value):
    """A value as the list shows it, for a spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return paris_time(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int | float):
        return value
    return strip_tags(force_str(value)).strip()


_choice_labels = {}


def _labels(field):
    """``{value: label}`` of a field's choices, read once per field and language (not for
    every cell: a country field has 250)."""
    key = (field, translation.get_language())
    if key not in _choice_labels:
        _choice_labels[key] = {value: force_str(label) for value, label in field.flatchoices}
    return _choice_labels[key]


def _value(name, obj, modeladmin):
    try:
        field, _attr, value = lookup_field(name, obj, modeladmin)
    except (AttributeError, ObjectDoesNotExist):
        return ""
    if field is not None and not field.is_relation and field.flatchoices:
        value = _labels(field).get(value, value)
    elif isinstance(field, models.ManyToManyField):
        value = ", ".join(str(related) for related in value.all())
    return _cell(value)


def columns(modeladmin, request=None):
    """The names of the exported columns: ``export_fields``, or what the list displays."""
    names = getattr(modeladmin, "export_fields", None)
    if names is None:
        names = modeladmin.get_list_display(request) if request else modeladmin.list_display
    return [name for name in names if name != "action_checkbox"]


def table(modeladmin, queryset, names, *, on_row=None):
    """The header row, then a row per object of ``queryset``, read in chunks."""
    yield [
        force_str(label_for_field(name, modeladmin.model, modeladmin)).capitalize()
        for name in names
    ]
    for done, obj in enumerate(queryset.iterator(chunk_size=CHUNK), start=1):
        yield [_value(name, obj, modeladmin) for name in names]
        if on_row:
            on_row(done)


def write(format, rows, fh, *, title):
    if format == "xlsx":
        write_xlsx(rows, fh, title=title)
    else:
        write_csv(rows, fh)


def filename(modeladmin, format):
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"qmi-{modeladmin.model._meta.model_name}-{stamp}.{format}"


class ListExportMixin:
    """CSV and XLSX exports of a changelist; ``export_fields`` chooses the columns."""

    export_fields = None

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "export/<str:format>/",
                self.admin_site.admin_view(self.list_export_view),
                name=f"{opts.app_label}_{opts.model_name}_list_export",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        opts = self.model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}_list_export"
        extra_context = {
            **(extra_context or {}),
            "list_export": {
                "csv": reverse(name, kwargs={"format": "csv"}),
                "xlsx": reverse(name, kwargs={"format": "xlsx"}),
            },
        }
        return super().changelist_view(request, extra_context)

    def export_table(self, queryset, names, *, on_row=None):
        """The header, then a row per object (``table``); an admin with its own table of
        export (the contacts: every answer of the sign-up) gives it here."""
        return table(self, queryset, names, on_row=on_row)

    def export_queryset(self, queryset):
        """The rows to export, with what their columns read (``list_select_related``)."""
        if self.list_select_related is True:
            return queryset.select_related()
        if self.list_select_related:
            return queryset.select_related(*self.list_select_related)
        return queryset

    def list_export_view(self, request, format):
        if format not in ("csv", "xlsx"):
            raise Http404
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)  # the list's filters, search, order
        queryset = self.export_queryset(changelist.queryset)
        names = columns(self, request)
        title = force_str(self.model._meta.verbose_name_plural).capitalize()
        if queryset.count() > settings.LIST_EXPORT_INLINE_MAX:
            opts = self.model._meta
            job = request_export(
                request.user,
                format=format,
                subject=SUBJECT,
                description=title,
                filters={
                    "model": opts.label_lower,
                    "ids": list(queryset.values_list("pk", flat=True)),
                    "columns": names,
                    "back": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
                    + "?"
                    + request.GET.urlencode(),
                    "language": translation.get_language(),
                    "ordering": [
                        str(term) for term in queryset.query.order_by if isinstance(term, str)
                    ],
                },
            )
            self.message_user(
                request,
                _("The list is long: its file is being built. It will be ready here."),
                messages.INFO,
            )
            return redirect(job.get_absolute_url())
        fh = tempfile.TemporaryFile()  # noqa: SIM115 — closed by the FileResponse
        write(format, self.export_table(queryset, names), fh, title=title)
        fh.seek(0)
        return private(FileResponse(fh, as_attachment=True, filename=filename(self, format)))


# --- The same table, built by the worker -------------------------------------------------------


def _model_admin(job):
    model = apps.get_model((job.filters or {}).get("model", ""))
    modeladmin = admin.site.get_model_admin(model)
    if not isinstance(modeladmin, ListExportMixin):
        raise LookupError(model)
    return modeladmin


def _items(job):
    """The ids kept at the request, still there; none unless the requester is staff and may
    still read the list (the model's "view" permission)."""
    modeladmin = _model_admin(job)
    opts = modeladmin.model._meta
    user = job.requested_by
    if not (user.is_active and user.is_staff):
        return []
    if not user.has_perm(f"{opts.app_label}.{get_permission_codename('view', opts)}") and not (
        user.has_perm(f"{opts.app_label}.{get_permission_codename('change', opts)}")
    ):
        return []
    ids = (job.filters or {}).get("ids", [])
    return modeladmin.model._default_manager.filter(pk__in=ids).values_list("pk", flat=True)


def _builder(format):
    def build(job, ids, fh):
        modeladmin = _model_admin(job)
        queryset = modeladmin.export_queryset(
            modeladmin.model._default_manager.filter(pk__in=ids).order_by(
                *(job.filters.get("ordering") or modeladmin.ordering or ["pk"])
            )
        )
        step = max(CHUNK, len(ids) // 20)
        names = job.filters.get("columns") or columns(modeladmin)  # as the list showed them

        def beat(done):
            if done % step == 0:
                export_jobs.heartbeat(job, done)

        with translation.override(job.filters.get("language") or settings.LANGUAGE_CODE):
            title = force_str(modeladmin.model._meta.verbose_name_plural).capitalize()
            rows = modeladmin.export_table(queryset, names, on_row=beat)
            write(format, rows, fh, title=title)
            return filename(modeladmin, format)

    return build


export_subjects.register_subject(
    SUBJECT,
    items=_items,
    builders={ExportJob.Format.CSV: _builder("csv"), ExportJob.Format.XLSX: _builder("xlsx")},
    noun=gettext_lazy("{done} of {total} rows"),
    empty=gettext_lazy("Nothing is left of this list."),
    filters=lambda filters: filters,
    titles={
        ExportJob.Format.CSV: gettext_lazy("A staff list (CSV)"),
        ExportJob.Format.XLSX: gettext_lazy("A staff list (XLSX)"),
    },
    again=lambda job: (job.filters or {}).get("back", ""),
)

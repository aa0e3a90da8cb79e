"""The staff side of the experimentations: the list with filters, each experimentation with its
project manager, referents and dates, its documents and history; a bulk action per transition
of its workflow; the documents of the agreement to accept or send back. Every change goes
through ``experimenters.experimentation``: the admin only parses, confirms and reports."""

import io

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from calls.admin.exporting import ListExportMixin
from calls.admin.screening import with_transition_actions
from calls.interfaces.spreadsheets import write_csv, write_xlsx
from calls.models import Edition
from calls.models.call import district_model
from qmi.admin_mixins import JoinedRelatedFieldListFilter, ReadOnlyInline
from qmi.downloads import private
from qmi.statemachine import WorkflowError

from . import board, reports
from . import experimentation as flow
from .models import (
    AgreementDocument,
    Experimentation,
    ExperimentationStatus,
    ExperimentationStatusChange,
    ProgrammeSettings,
)


class HistoryInline(ReadOnlyInline, admin.TabularInline):
    model = ExperimentationStatusChange
    fields = ["at", "transition", "from_status", "to_status", "by", "note"]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("history")


class DocumentInline(ReadOnlyInline, admin.TabularInline):
    model = AgreementDocument
    fields = ["kind", "file_link", "uploaded_at", "uploaded_by", "state", "review_note"]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("documents of the agreement")

    @admin.display(description=gettext_lazy("file"))
    def file_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("experimenters:agreement_document", args=[obj.experimentation_id, obj.pk]),
            obj.original_name,
        )


def _take(experimentation, name, *, by, note, due_at=None):
    flow.transition(experimentation, name, by=by, note=note)


@admin.register(Experimentation)
class ExperimentationAdmin(ListExportMixin, admin.ModelAdmin):
    list_display = [
        "reference",
        "organisation",
        "district",
        "status",
        "manager",
        "planned_start",
        "planned_end",
        "actual_start",
    ]
    list_filter = [
        "status",
        ("district", JoinedRelatedFieldListFilter),
        "manager",
        "application__call",
    ]
    list_select_related = ["application__applicant", "district__commune", "manager"]
    search_fields = ["application__reference", "application__applicant__name", "district__name"]
    fields = [
        "application",
        "district",
        "status",
        "manager",
        "referents",
        ("planned_start", "planned_end"),
        ("actual_start", "actual_end"),
        "missing",
    ]
    readonly_fields = ["application", "district", "status", "actual_start", "actual_end", "missing"]
    autocomplete_fields = ["manager", "referents"]
    inlines = [DocumentInline, HistoryInline]

    def get_actions(self, request):
        """A bulk action per transition of the workflow."""
        return with_transition_actions(
            self,
            request,
            super().get_actions(request),
            flow.TRANSITIONS,
            transitions=flow.TRANSITIONS,
            take=_take,
            order=["application__reference"],
        )

    def has_add_permission(self, request):
        return False  # created at the publication of the results

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        reports.schedule(obj)  # the due dates of the reports not filed follow the start

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "board/",
                self.admin_site.admin_view(self.board_view),
                name="experimenters_experimentation_board",
            ),
            *super().get_urls(),
        ]

    def board_view(self, request):
        """The programme board: by district, filtered, exported as CSV or XLSX."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = BoardFilterForm(request.GET or None)
        filters = form.filters() if form.is_valid() else board.Filters(edition=current_edition())
        queryset = board.experimentations(filters)
        export = request.GET.get("export")
        if export in ("csv", "xlsx"):
            return _export(queryset, export)
        ordered = queryset.order_by("district__name", "application__reference")
        current = Paginator(ordered.values_list("pk", flat=True), BOARD_PAGE).get_page(
            request.GET.get("page")
        )
        statuses, matrix = board.matrix(queryset)
        return TemplateResponse(
            request,
            "admin/experimenters/board.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Programme board"),
                "opts": self.model._meta,
                "form": form,
                "page": current,
                "rows": board.rows(queryset.filter(pk__in=list(current))),
                "statuses": statuses,
                "matrix": matrix,
                "query": _without(request.GET, "page", "export"),
            },
        )

    @admin.display(description=gettext_lazy("reference"), ordering="application__reference")
    def reference(self, obj):
        return obj.application.reference

    @admin.display(description=gettext_lazy("organisation"))
    def organisation(self, obj):
        return obj.application.applicant.name

    @admin.display(description=gettext_lazy("documents still to accept"))
    def missing(self, obj):
        return ", ".join(flow.missing_documents(obj)) or "—"


BOARD_PAGE = 100


def current_edition():
    return Edition.objects.filter(is_current=True).first()


class BoardFilterForm(forms.Form):
    edition = forms.ModelChoiceField(
        label=gettext_lazy("Edition"), queryset=Edition.objects.all(), required=False
    )
    district = forms.ModelChoiceField(
        label=gettext_lazy("Innovation district"),
        queryset=district_model().objects.select_related("commune").order_by("name"),
        required=False,
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[("", gettext_lazy("— all —")), *ExperimentationStatus.choices],
        required=False,
    )
    late_only = forms.BooleanField(label=gettext_lazy("Late reports only"), required=False)

    def filters(self):
        data = self.cleaned_data
        return board.Filters(
            edition=data["edition"],
            district=data["district"],
            status=data["status"],
            late_only=data["late_only"],
        )


def _without(params, *names):
    params = params.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def _export(queryset, format):
    """The board as a CSV or XLSX download (the rows of every page)."""
    buffer = io.BytesIO()
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if format == "csv":
        write_csv(board.table(queryset), buffer)
        content_type = "text/csv; charset=utf-8"
    else:
        write_xlsx(board.table(queryset), buffer, title=_("Experimentations"))
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    buffer.seek(0)
    return private(
        FileResponse(
            buffer,
            as_attachment=True,
            filename=f"qmi-experimentations-{stamp}.{format}",
            content_type=content_type,
        )
    )


class NewVersionForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("What to change (sent to the experimenter)"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        max_length=4000,
    )


@admin.register(AgreementDocument)
class AgreementDocumentAdmin(ListExportMixin, admin.ModelAdmin):
    list_display = ["kind", "experimentation", "original_name", "uploaded_at", "state"]
    list_filter = ["state"]
    list_select_related = ["experimentation__application", "experimentation__district"]
    search_fields = ["experimentation__application__reference", "original_name"]
    readonly_fields = [
        "experimentation",
        "kind",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
        "state",
        "review_note",
        "reviewed_by",
        "reviewed_at",
    ]
    exclude = ["file"]
    actions = ["accept", "ask_new_version"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=gettext_lazy("Accept the selected documents"))
    def accept(self, request, queryset):
        done = 0
        for document in queryset.select_related("experimentation"):
            flow.review_document(document, accept=True, by=request.user)
            done += 1
        self.message_user(
            request,
            ngettext("%(n)d document accepted.", "%(n)d documents accepted.", done) % {"n": done},
            messages.SUCCESS,
        )

    @admin.action(description=gettext_lazy("Ask for a new version"))
    def ask_new_version(self, request, queryset):
        form = NewVersionForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            done = 0
            for document in queryset.select_related("experimentation"):
                try:
                    flow.review_document(
                        document, accept=False, by=request.user, note=form.cleaned_data["note"]
                    )
                except WorkflowError as error:
                    self.message_user(request, " ".join(error.messages), messages.ERROR)
                    return None
                done += 1
            self.message_user(
                request,
                ngettext(
                    "A new version is asked for %(n)d document.",
                    "A new version is asked for %(n)d documents.",
                    done,
                )
                % {"n": done},
                messages.SUCCESS,
            )
            return None
        return TemplateResponse(
            request,
            "admin/experimenters/new_version_confirm.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Ask for a new version"),
                "opts": self.model._meta,
                "form": form,
                "documents": list(queryset),
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(ProgrammeSettings)
class ProgrammeSettingsAdmin(admin.ModelAdmin):
    list_display = ["edition", "duration_months"]

"""The staff side: editions, calls, FAQ and the applications of both calls (read-only
content, status history, attachments)."""

from django.contrib import admin
from django.db.models import Q
from django.utils.html import format_html
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from calls.admin.deadlines import ExtensionMixin
from calls.admin.exports import EXPORT_ACTIONS, ReminderSentInline, dossier_link
from calls.admin.screening import ScreeningMixin
from calls.domain.kinds import content_relations, spec_for, specs
from calls.extensions import extended
from calls.models import (
    Application,
    Attachment,
    Call,
    Edition,
    FaqEntry,
    KeyDate,
    StatusChange,
    UrbanChallenge,
)
from qmi.admin_mixins import ReadOnlyInline


class KeyDateInline(admin.TabularInline):
    model = KeyDate
    extra = 1
    fields = [
        "starts_on",
        "start_time",
        "ends_on",
        "end_time",
        "label",
        "label_en",
        "description",
        "description_en",
    ]


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "is_current"]
    inlines = [KeyDateInline]


class CallAdmin(SimpleHistoryAdmin):  # "History": who changed the dates, when
    list_display = [
        "title",
        "edition",
        "kind",
        "opens_at",
        "closes_at",
        "cap",
        "is_published",
    ]
    list_filter = ["edition", "kind", "is_published"]
    list_select_related = ["edition"]
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title", "title_en"]
    fieldsets = [
        (None, {"fields": ["edition", "kind", "slug", "is_published"]}),
        (
            _("Texts"),
            {
                "fields": [
                    "title",
                    "title_en",
                    "description",
                    "description_en",
                    "eligibility",
                    "eligibility_en",
                ]
            },
        ),
        (
            _("Dates and selection"),
            {
                "fields": [
                    "opens_at",
                    "closes_at",
                    "reminder_offsets",
                    "max_selected",
                    "results_published_at",
                ]
            },
        ),
    ]
    readonly_fields = ["results_published_at"]

    def get_fieldsets(self, request, obj=None):
        """Without the call's cap where each district's capacity is the cap."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or spec_for(obj.kind).capped_per_call:
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "max_selected"]})
            for name, options in fieldsets
        ]

    @admin.display(description=_("cap"))
    def cap(self, obj):
        return obj.max_selected if spec_for(obj.kind).capped_per_call else _("per district")


CallAdmin = extended("admin:call", CallAdmin)
admin.site.register(Call, CallAdmin)


@admin.register(FaqEntry)
class FaqEntryAdmin(admin.ModelAdmin):
    list_display = ["question", "position", "is_published"]
    list_editable = ["position", "is_published"]


class ContentInline(ReadOnlyInline, admin.StackedInline):
    """The answers of an application (the content model of its kind), read-only: every
    field, the challenges as a list, and the ``extra_fields`` a kind adds (its own lists)."""

    extra_fields = ()

    def get_readonly_fields(self, request, obj=None):
        names = [
            f.name
            for f in self.model._meta.get_fields()
            if f.concrete and f.name not in ("application", "challenges")
        ]
        return [*names, "challenge_list", *self.extra_fields]

    def get_fields(self, request, obj=None):
        return self.get_readonly_fields(request, obj)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("challenges")

    @admin.display(description=_("urban challenges"))
    def challenge_list(self, obj):
        return ", ".join(str(c) for c in obj.challenges.all()) or "—"


class StatusChangeInline(ReadOnlyInline, admin.TabularInline):
    model = StatusChange
    fields = ["at", "transition", "from_status", "to_status", "by", "note"]
    readonly_fields = fields
    ordering = ["at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("application", "by")


class AttachmentInline(ReadOnlyInline, admin.TabularInline):
    model = Attachment
    fields = ["slot", "download", "size", "sha256", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("application", "uploaded_by")

    @admin.display(description=_("file"))
    def download(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.original_name)


class ChallengeFilter(admin.SimpleListFilter):
    title = _("urban challenge")
    parameter_name = "challenge"

    def lookups(self, request, model_admin):
        return UrbanChallenge.Code.choices

    def queryset(self, request, queryset):
        """Applications of any kind whose content addresses the challenge."""
        if not self.value():
            return queryset
        addresses = Q()
        for relation in content_relations():
            addresses |= Q(**{f"{relation}__challenges__code": self.value()})
        return queryset.filter(addresses).distinct()


class ApplicationAdmin(ExtensionMixin, ScreeningMixin, admin.ModelAdmin):
    list_display = ["reference", "applicant", "call", "status", "submitted_at", "updated_at"]
    list_filter = ["call", "status", ChallengeFilter]  # then each kind's (``KindSpec``)
    list_select_related = ["applicant", "call__edition"]
    search_fields = ["reference", "applicant__name"]  # then each kind's
    readonly_fields = [
        "reference",
        "call",
        "kind",
        "applicant",
        "created_by",
        "status",
        "submitted_at",
        "submitted_by",
        "created_at",
        "updated_at",
        "fingerprint",
        "applicant_deadline",
        "dossier",
    ]
    fields = readonly_fields
    actions = EXPORT_ACTIONS
    dossier = staticmethod(dossier_link)
    show_full_result_count = False
    kinds = None  # the kinds of call a subclass lists (None: all); their inlines and actions

    def _specs(self):
        return [s for s in specs() if self.kinds is None or s.kind in self.kinds]

    def get_list_filter(self, request):
        own = super().get_list_filter(request)
        return [*own, *(f for spec in self._specs() for f in spec.admin_filters if f not in own)]

    def get_search_fields(self, request):
        own = super().get_search_fields(request)
        return [*own, *(f for spec in self._specs() for f in spec.admin_search_fields)]

    def get_inlines(self, request, obj):
        inlines = []
        for spec in self._specs():
            if spec.admin_inline and (obj is None or obj.kind == spec.kind):
                inlines.append(import_string(spec.admin_inline))
        return [*inlines, AttachmentInline, StatusChangeInline, ReminderSentInline]

    def get_actions(self, request):
        """The base actions plus those each kind of call declares (``KindSpec.admin_actions``)."""
        actions = super().get_actions(request)
        if self.actions is None or "_popup" in request.GET:
            return actions
        declared = []
        for spec in self._specs():
            for path in spec.admin_actions:
                func = import_string(path)
                declared.append((func, func.__name__, self._get_action_description(func, path)))
        for func, name, description in self._filter_actions_by_permissions(request, declared):
            actions[name] = (func, name, description)
        return actions

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


ApplicationAdmin = extended("admin:application", ApplicationAdmin)
admin.site.register(Application, ApplicationAdmin)

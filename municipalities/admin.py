from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from calls.admin.applications import ContentInline
from calls.admin.exporting import ListExportMixin

from .models import Commune, InnovationDistrict, MunicipalityApplication
from .services import create_district_from_application


@admin.register(Commune)
class CommuneAdmin(ListExportMixin, admin.ModelAdmin):
    list_display = ["name", "insee_code", "departement", "territory", "population", "applicant"]
    list_filter = ["departement", "territory"]
    search_fields = ["name", "insee_code", "postal_codes"]
    list_select_related = ["applicant"]
    readonly_fields = [
        "insee_code",
        "name",
        "departement",
        "territory",
        "siren",
        "postal_codes",
        "population",
        "applicant",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MunicipalityApplicationInline(ContentInline):
    model = MunicipalityApplication


@admin.action(description=_("Create the innovation district from the proposal"))
def create_districts(modeladmin, request, queryset):
    """Copy the proposal of each selected municipality application into a new innovation
    district (editable afterwards). Runs again harmlessly: existing districts are kept."""
    created, kept = 0, 0
    for application in queryset.select_related("call", "municipality"):
        try:
            _district, is_new = create_district_from_application(application, by=request.user)
        except ValidationError as error:
            modeladmin.message_user(request, " ".join(error.messages), messages.WARNING)
            continue
        created += is_new
        kept += not is_new
    if created:
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d innovation district created: review and publish it.",
                "%(count)d innovation districts created: review and publish them.",
                created,
            )
            % {"count": created},
            messages.SUCCESS,
        )
    if kept:
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d innovation district already existed and was left unchanged.",
                "%(count)d innovation districts already existed and were left unchanged.",
                kept,
            )
            % {"count": kept},
            messages.INFO,
        )


@admin.register(InnovationDistrict)
class InnovationDistrictAdmin(ListExportMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "commune",
        "edition",
        "key_area",
        "capacity_min",
        "capacity_max",
        "is_published",
    ]
    list_filter = ["edition", "key_area", "is_published", "calls"]
    list_select_related = ["commune", "edition"]
    search_fields = ["name", "commune__name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["challenges", "calls"]
    autocomplete_fields = ["commune"]
    raw_id_fields = ["source_application"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    "commune",
                    "edition",
                    "source_application",
                    "is_published",
                ]
            },
        ),
        (
            _("The proposal"),
            {
                "fields": [
                    "key_area",
                    "challenges",
                    "perimeter",
                    "perimeter_en",
                    "offer",
                    "offer_en",
                ]
            },
        ),
        (_("Experiments"), {"fields": ["capacity_min", "capacity_max", "calls"]}),
    ]

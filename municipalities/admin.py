from django.contrib import admin

from calls.admin import ReadOnlyInline

from .models import Commune, MunicipalityApplication


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["name", "insee_code", "departement", "territory", "population", "applicant"]
    list_filter = ["departement", "territory"]
    search_fields = ["name", "insee_code", "postal_codes"]
    list_select_related = ["applicant"]
    readonly_fields = [
        "insee_code", "name", "departement", "territory", "siren", "postal_codes",
        "population", "applicant",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MunicipalityApplicationInline(ReadOnlyInline, admin.StackedInline):
    model = MunicipalityApplication
    exclude = []

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in MunicipalityApplication._meta.get_fields()
                if f.concrete and f.name != "application"] + ["challenge_list"]

    def get_fields(self, request, obj=None):
        return [f for f in self.get_readonly_fields(request, obj) if f != "challenges"]

    @admin.display(description=MunicipalityApplication._meta.get_field("challenges").verbose_name)
    def challenge_list(self, obj):
        return ", ".join(str(c) for c in obj.challenges.all())

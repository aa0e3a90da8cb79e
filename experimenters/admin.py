"""The staff side of the call for experimenters: organisations with their members, and the
projects with filters, search, read-only content, attachments and history."""

from django.contrib import admin
from django.db import models
from django.db.models import Count, Prefetch, Q
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from calls.admin.applications import ApplicationAdmin, ContentInline
from calls.admin.exporting import ListExportMixin
from calls.models import Call
from calls.models.call import district_model
from qmi.models import Membership

from .admin_verification import ProofInline, VerificationAdminMixin, VerificationFilter
from .models import Organisation, ProjectApplication, ProjectEnvelope


class WishedDistrictFilter(admin.RelatedOnlyFieldListFilter):
    """The wave districts wished by the listed projects, labelled in one query."""

    def field_choices(self, field, request, model_admin):
        wished = (
            model_admin.get_queryset(request)
            .distinct()
            .values_list(f"{self.field_path}__pk", flat=True)
        )
        districts = (
            district_model()
            .objects.filter(pk__in=wished)
            .select_related("commune")
            .order_by("name")
        )
        return [(district.pk, str(district)) for district in districts]


@admin.register(Organisation)
class OrganisationAdmin(ListExportMixin, VerificationAdminMixin, admin.ModelAdmin):
    list_display = [
        "legal_name",
        "identifier_display",
        "structure_type",
        "city",
        "headcount",
        "verified",
        "created_at",
    ]
    list_filter = [VerificationFilter, "structure_type", "is_foreign", "country"]
    actions = ["verify_selected"]
    inlines = [ProofInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    search_fields = ["legal_name", "siret", "registration_number", "applicant__name"]
    readonly_fields = ["applicant", "member_list", "verification_state", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["legal_name", "structure_type", "description", "website"]}),
        (
            _("Identification"),
            {
                "fields": [
                    "is_foreign",
                    "siret",
                    "country",
                    "registration_number",
                    "created_on",
                    "headcount",
                ]
            },
        ),
        (_("Address"), {"fields": ["address", "postal_code", "city"]}),
        (_("Members"), {"fields": ["applicant", "member_list", "verification_state"]}),
        (_("Dates"), {"fields": ["created_at", "updated_at"]}),
    ]

    export_fields = [
        "legal_name",
        "identifier_display",
        "structure_type",
        "country_name",
        "city",
        "headcount",
        "verified",
        "member_count",
        "created_at",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("applicant")
            .prefetch_related(
                Prefetch(
                    "applicant__memberships",
                    queryset=Membership.objects.select_related("user").order_by("-role", "pk"),
                )
            )
        )

    def export_queryset(self, queryset):
        """The applicant and the count of its confirmed members, read with the rows (the
        list's export and the worker's); not the members themselves, which the list's page
        prefetches (they would be read again for each chunk of rows)."""
        confirmed = Q(applicant__memberships__confirmed_at__isnull=False)
        return (
            queryset.prefetch_related(None)
            .select_related("applicant")
            .annotate(
                confirmed_members=Count("applicant__memberships", filter=confirmed, distinct=True)
            )
        )

    def has_add_permission(self, request):
        return False  # organisations are created by their owner on the portal

    @admin.display(description=_("SIRET or registration"), ordering="siret")
    def identifier_display(self, obj):
        return obj.identifier

    @admin.display(description=_("country"), ordering="country")
    def country_name(self, obj):
        return obj.country.name  # not the field's 250 choices read again for each row

    @admin.display(description=_("confirmed members"))
    def member_count(self, obj):
        return getattr(obj, "confirmed_members", "")

    @admin.display(description=_("members"))
    def member_list(self, obj):
        return render_to_string(
            "admin/experimenters/member_list.html",
            {"memberships": obj.applicant.memberships.all(), "applicant_id": obj.applicant_id},
        )


class ProjectApplicationInline(ContentInline):
    """The answers of a project, read-only, with its wished districts and its team."""

    model = ProjectApplication
    verbose_name_plural = _("answers")
    extra_fields = ("wish_list", "team_list")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("wishes__district__commune", "team")

    @admin.display(description=_("wished districts, in order"))
    def wish_list(self, obj):
        return render_to_string("admin/experimenters/wish_list.html", {"wishes": obj.wishes.all()})

    @admin.display(description=_("team"))
    def team_list(self, obj):
        return render_to_string("admin/experimenters/team_list.html", {"members": obj.team.all()})


class ExperimenterCallFilter(admin.RelatedFieldListFilter):
    def field_choices(self, field, request, model_admin):
        return [
            (call.pk, str(call))
            for call in Call.objects.filter(kind=Call.Kind.EXPERIMENTERS).order_by("-opens_at")
        ]


@admin.register(ProjectEnvelope)
class ProjectAdmin(ApplicationAdmin):
    """The projects submitted to the calls for experimenters."""

    kinds = ("experimenters",)
    list_display = [
        "reference",
        "title",
        "organisation",
        "call",
        "maturity",
        "status",
        "submitted_at",
    ]
    list_filter = [
        ("call", ExperimenterCallFilter),
        ("project__wishes__district", WishedDistrictFilter),
        ("project__challenges", admin.RelatedOnlyFieldListFilter),
        "applicant__organisation__structure_type",
        "project__maturity",
        "status",
    ]
    list_select_related = ["applicant__organisation", "call__edition", "project"]
    search_fields = [
        "reference",
        "project__title",
        "applicant__organisation__legal_name",
        "applicant__organisation__siret",
        "applicant__organisation__registration_number",
    ]

    @admin.display(description=_("title"), ordering="project__title")
    def title(self, obj):
        return obj.project.title or "—"

    @admin.display(description=_("organisation"), ordering="applicant__organisation__legal_name")
    def organisation(self, obj):
        return obj.applicant.organisation.legal_name

    @admin.display(description=_("maturity"), ordering="project__maturity")
    def maturity(self, obj):
        return obj.project.get_maturity_display() or "—"


# The experimentations' and the reports' pages register themselves.
from . import admin_experimentations, admin_reports  # noqa: E402, F401

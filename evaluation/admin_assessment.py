"""The staff side of the 2026 assessment: the campaigns (dates, reminders, the grid as data,
the experimentations covered, the public summary), the grid's axes and criteria, and the
assessments (each party's state, extensions). The pages built on them — the dashboard, the
programme report, the side-by-side comparison, an extension — are in
``admin_assessment_pages``.

A grid on which a side was submitted stays the grid it was scored on: no axis or criterion is
added or removed, no scale changes; only the wording can still be corrected.
"""

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from calls.admin.exporting import ListExportMixin
from qmi.admin_mixins import ReadOnlyInline

from .admin_assessment_pages import (
    AssessmentPagesMixin,
    CampaignForm,
    CampaignPagesMixin,
    DistrictFilter,
    SideSubmittedFilter,
    state_column,
)
from .assessment import campaign as campaigns
from .models import (
    Assessment,
    AssessmentCampaign,
    AssessmentExtension,
    AssessmentSide,
    GridAxis,
    GridCriterion,
    Party,
)


def submitted_sides(campaign):
    """How many sides were submitted on ``campaign``'s grid (0: the grid may still change)."""
    if campaign is None or campaign.pk is None:
        return 0
    return AssessmentSide.objects.filter(
        assessment__campaign=campaign, submitted_at__isnull=False
    ).count()


def warn_locked(request, campaign):
    count = submitted_sides(campaign)
    if count:
        messages.warning(
            request,
            ngettext(
                "%(n)d side was submitted on this grid: its axes and criteria can no longer be "
                "added or removed, nor their scale changed. Only their wording can be corrected.",
                "%(n)d sides were submitted on this grid: its axes and criteria can no longer be "
                "added or removed, nor their scale changed. Only their wording can be corrected.",
                count,
            )
            % {"n": count},
        )
    return count


def experimentations_of(edition):
    """The edition's experimentations that were not abandoned (the model asked by name:
    ``evaluation`` does not import ``experimenters``)."""
    model = apps.get_model("experimenters", "Experimentation")
    return model.objects.filter(application__call__edition=edition).exclude(status="abandoned")


def cover_edition(campaign):
    return campaigns.cover(campaign, experimentations_of(campaign.edition))


# --- The campaign -----------------------------------------------------------------------------


class GridLockMixin:
    """An inline of the grid: no row added or removed once a side was submitted on it."""

    def _campaign(self, obj):
        return obj

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not submitted_sides(self._campaign(obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not submitted_sides(
            self._campaign(obj)
        )


class GridAxisInline(GridLockMixin, admin.TabularInline):
    model = GridAxis
    fields = ["position", "title", "title_en", "criteria_count"]
    readonly_fields = ["criteria_count"]
    extra = 0
    show_change_link = True
    verbose_name_plural = _("axes of the grid (open an axis to edit its criteria)")

    @admin.display(description=_("criteria"))
    def criteria_count(self, obj):
        return obj.criteria.count() if obj.pk else "—"


@admin.action(description=_("Cover the edition's experimentations (not abandoned)"))
def cover_experimentations(modeladmin, request, queryset):
    for campaign in queryset.select_related("edition"):
        new = cover_edition(campaign)
        modeladmin.message_user(
            request,
            ngettext(
                "%(campaign)s: %(n)d experimentation added.",
                "%(campaign)s: %(n)d experimentations added.",
                len(new),
            )
            % {"campaign": campaign, "n": len(new)},
            messages.SUCCESS,
        )


@admin.action(description=_("Publish the public summary"))
def publish_summary(modeladmin, request, queryset):
    count = queryset.filter(published_at__isnull=True).update(published_at=timezone.now())
    modeladmin.message_user(
        request,
        ngettext("%(n)d summary published.", "%(n)d summaries published.", count) % {"n": count},
        messages.SUCCESS,
    )


@admin.action(description=_("Unpublish the public summary"))
def unpublish_summary(modeladmin, request, queryset):
    count = queryset.filter(published_at__isnull=False).update(published_at=None)
    modeladmin.message_user(
        request,
        ngettext("%(n)d summary unpublished.", "%(n)d summaries unpublished.", count)
        % {"n": count},
        messages.SUCCESS,
    )


for _action in (cover_experimentations, publish_summary, unpublish_summary):
    _action.allowed_permissions = ("change",)


@admin.register(AssessmentCampaign)
class AssessmentCampaignAdmin(CampaignPagesMixin, admin.ModelAdmin):
    form = CampaignForm
    list_display = [
        "title",
        "edition",
        "opens_at",
        "closes_at",
        "assessed",
        "published",
        "links",
    ]
    list_filter = ["edition"]
    list_select_related = ["edition"]
    search_fields = ["title", "title_en"]
    actions = [cover_experimentations, publish_summary, unpublish_summary]
    inlines = [GridAxisInline]
    fieldsets = [
        (None, {"fields": ["edition", "title", "title_en"]}),
        (
            _("Dates (Paris time; a side can be submitted up to and including the close)"),
            {"fields": ["opens_at", "closes_at", "reminder_offsets"]},
        ),
        (
            _("Public summary (published with the actions of the list)"),
            {"fields": ["summary", "summary_en", "public_charts", "published_at"]},
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(assessed_count=Count("assessments"))

    def get_readonly_fields(self, request, obj=None):
        return ["edition", "published_at", "links"] if obj else ["published_at"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return [(None, {"fields": ["links"]}), *fieldsets]

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not submitted_sides(obj)

    @admin.display(description=_("experimentations assessed"), ordering="assessed_count")
    def assessed(self, obj):
        return obj.assessed_count

    @admin.display(description=_("published"), boolean=True, ordering="published_at")
    def published(self, obj):
        return obj.is_published

    @admin.display(description=_("pages"))
    def links(self, obj):
        links = [
            (
                reverse("admin:evaluation_assessmentcampaign_dashboard", args=[obj.pk]),
                gettext("Dashboard"),
            )
        ]
        if obj.is_published:
            links.append((obj.get_absolute_url(), gettext("Public summary")))
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            warn_locked(request, self.get_object(request, object_id))
        return super().change_view(request, object_id, form_url, extra_context)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change:
            return
        campaign = form.instance
        seeded = not campaign.axes.exists()
        campaigns.seed_grid(campaign)
        new = cover_edition(campaign)
        if seeded:
            self.message_user(
                request, _("The default grid was added: three axes, edit them below.")
            )
        self.message_user(
            request,
            ngettext(
                "%(n)d experimentation of the edition is covered.",
                "%(n)d experimentations of the edition are covered.",
                len(new),
            )
            % {"n": len(new)},
        )


class GridCriterionInline(GridLockMixin, admin.StackedInline):
    model = GridCriterion
    fields = [("title", "title_en"), ("help", "help_en"), ("scale_max", "position")]
    extra = 0

    def _campaign(self, obj):
        return obj.campaign if obj else None

    def get_readonly_fields(self, request, obj=None):
        return ["scale_max"] if submitted_sides(self._campaign(obj)) else []


class GridAxisForm(forms.ModelForm):
    class Meta:
        model = GridAxis
        fields = ["campaign", "title", "title_en", "position"]

    def clean_campaign(self):
        campaign = self.cleaned_data["campaign"]
        if self.instance.pk is None and submitted_sides(campaign):
            raise ValidationError(
                _("Sides were submitted on this campaign's grid: no axis can be added to it.")
            )
        return campaign


@admin.register(GridAxis)
class GridAxisAdmin(admin.ModelAdmin):
    """An axis and its criteria, opened from its campaign's page."""

    form = GridAxisForm
    list_display = ["title", "campaign", "position"]
    list_filter = ["campaign"]
    list_select_related = ["campaign"]
    inlines = [GridCriterionInline]

    def has_module_permission(self, request):
        return False  # reached from the campaign's page

    def get_readonly_fields(self, request, obj=None):
        return ["campaign"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not submitted_sides(
            obj.campaign if obj else None
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        axis = self.get_object(request, object_id)
        if request.method == "GET" and axis is not None:
            warn_locked(request, axis.campaign)
        return super().change_view(request, object_id, form_url, extra_context)


# --- The assessments --------------------------------------------------------------------------


class ExtensionInline(ReadOnlyInline, admin.TabularInline):
    model = AssessmentExtension
    fields = ["party", "closes_at", "reason", "granted_by", "granted_at"]
    readonly_fields = fields
    verbose_name_plural = _("extensions granted")


class SideInline(ReadOnlyInline, admin.TabularInline):
    """Who submitted when — never the answers (they are compared once the campaign closed)."""

    model = AssessmentSide
    fields = ["party", "submitted_at", "submitted_by", "updated_at"]
    readonly_fields = fields
    verbose_name_plural = _("sides (their answers are compared once the campaign has closed)")


@admin.register(Assessment)
class AssessmentAdmin(ListExportMixin, AssessmentPagesMixin, admin.ModelAdmin):
    list_display = [
        "experimentation",
        "district",
        *[f"{party.value}_state" for party in Party],
        "outcome_told",
        "links",
    ]
    list_filter = [
        "campaign",
        DistrictFilter,
        SideSubmittedFilter,
    ]
    search_fields = [
        "experimentation__application__reference",
        "experimentation__application__applicant__name",
        "experimentation__district__name",
    ]
    list_per_page = 100
    fields = ["campaign", "experimentation", "created_at", "links"]
    readonly_fields = fields
    inlines = [SideInline, ExtensionInline]
    experimenter_state = state_column(Party.EXPERIMENTER)
    municipality_state = state_column(Party.MUNICIPALITY)
    manager_state = state_column(Party.MANAGER)

    def get_queryset(self, request):
        return self.export_queryset(super().get_queryset(request))

    def export_queryset(self, queryset):
        """What the columns read, with the rows (the list, its export, the worker's export)."""
        return queryset.select_related(
            "campaign",
            "experimentation__application__applicant",
            "experimentation__district",
        ).prefetch_related("sides", "extensions")

    def has_add_permission(self, request):
        return False  # a campaign covers the experimentations

    @admin.display(description=_("district"), ordering="experimentation__district__name")
    def district(self, obj):
        return obj.experimentation.district.name

    @admin.display(description=_("what became of the solution"))
    def outcome_told(self, obj):
        """The outcome the experimenter submitted (a draft's is not shown)."""
        told = any(s.party == Party.EXPERIMENTER and s.is_submitted for s in obj.sides.all())
        return obj.get_outcome_display() if told and obj.outcome else "—"

    @admin.display(description=_("pages"))
    def links(self, obj):
        if obj.pk is None:
            return "—"
        return format_html_join(
            " · ",
            '<a href="{}">{}</a>',
            [
                (
                    reverse("admin:evaluation_assessment_compare", args=[obj.pk]),
                    gettext("Side by side"),
                ),
                (
                    reverse("admin:evaluation_assessment_extend", args=[obj.pk]),
                    gettext("Extend for one party"),
                ),
            ],
        )

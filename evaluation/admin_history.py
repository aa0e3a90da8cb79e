"""The history of what decides a selection's outcomes (django-simple-history): each criterion's
weight and scale, and the jury members added or removed — removed ones included, their rows
being gone. The calls (deadlines), jury members and decisions show theirs under "History" on
their own admin pages."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Criterion, JuryMember


class _ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Criterion)
class CriterionAdmin(_ReadOnly, SimpleHistoryAdmin):
    """Criteria are edited on their call's page; here staff read each one's history."""

    list_display = ["label", "call", "weight", "scale_max", "position"]
    list_filter = [("call", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["call"]
    search_fields = ["label", "label_en", "call__title"]
    fields = ["call", "label", "label_en", "guidance", "guidance_en", "weight", "scale_max"]


HistoricalJuryMember = JuryMember.history.model


@admin.register(HistoricalJuryMember)
class JuryMembershipHistoryAdmin(_ReadOnly, admin.ModelAdmin):
    """Every change of a jury's membership: who was added or removed, by whom, when."""

    list_display = ["history_date", "change", "user", "call", "history_user", "history_link"]
    list_filter = ["history_type", ("call", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["user", "call", "history_user"]
    search_fields = ["user__email", "user__last_name", "call__title"]
    date_hierarchy = "history_date"

    @admin.display(description=_("change"), ordering="history_type")
    def change(self, obj):
        return obj.get_history_type_display()

    @admin.display(description=_("history"))
    def history_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:evaluation_jurymember_history", args=[obj.id]),
            _("History"),
        )

"""The places offered to the laureates: who answered, who has not, who is late. Staff move
a due date here (kept in the history); a place given up by telephone or by letter is recorded
on the application ("Record that the laureate gives up its place"), so that the waiting list
moves up through the same workflow."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from calls.admin.exporting import ListExportMixin
from calls.models import Offer


class OfferStateFilter(admin.SimpleListFilter):
    title = gettext_lazy("answer")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("waiting", _("Waiting for the answer")),
            ("late", _("Due date passed, no answer")),
            ("accepted", Offer.Answer.ACCEPTED.label),
            ("declined", Offer.Answer.DECLINED.label),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        value = self.value()
        if value == "waiting":
            return queryset.filter(answer=Offer.Answer.WAITING, due_at__gte=now)
        if value == "late":
            return queryset.filter(answer=Offer.Answer.WAITING, due_at__lt=now)
        if value in (Offer.Answer.ACCEPTED, Offer.Answer.DECLINED):
            return queryset.filter(answer=value)
        return queryset


@admin.register(Offer)
class OfferAdmin(ListExportMixin, SimpleHistoryAdmin):
    list_display = ["application", "applicant", "call", "due_at", "answer_shown", "answered_at"]
    list_filter = [OfferStateFilter, "application__call"]
    list_select_related = ["application__applicant", "application__call__edition"]
    search_fields = ["application__reference", "application__applicant__name"]
    fields = ["application", "due_at", "answer", "answered_at", "answered_by", "note", "created_at"]
    readonly_fields = ["application", "answer", "answered_at", "answered_by", "note", "created_at"]
    ordering = ["due_at", "pk"]
    list_per_page = 50

    def has_add_permission(self, request):
        return False  # opened by the publication of the results, or a promotion

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # only the due date of an offer still waiting can move
        return super().has_change_permission(request, obj) and (obj is None or obj.waiting)

    @admin.display(description=gettext_lazy("applicant"))
    def applicant(self, obj):
        return obj.application.applicant

    @admin.display(description=gettext_lazy("call"))
    def call(self, obj):
        return obj.application.call

    @admin.display(description=gettext_lazy("answer"), ordering="answer")
    def answer_shown(self, obj):
        if obj.is_overdue():
            return _("Due date passed, no answer")
        return obj.get_answer_display()

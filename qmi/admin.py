from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Applicant, Invitation, Membership, User
from .services import confirm_membership


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Identity"), {"fields": ["first_name", "last_name", "phone"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    filter_horizontal = ["groups"]


class ConfirmedFilter(admin.SimpleListFilter):
    title = _("confirmation")
    parameter_name = "confirmed"

    def lookups(self, request, model_admin):
        return [("no", _("Awaiting confirmation")), ("yes", _("Confirmed"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(confirmed_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(confirmed_at__isnull=False)
        return queryset


@admin.action(description=_("Confirm that they act for the municipality or organisation"))
def confirm_memberships(modeladmin, request, queryset):
    count = sum(
        confirm_membership(m, by=request.user) for m in queryset.select_related("user", "applicant")
    )
    modeladmin.message_user(
        request,
        ngettext("%(count)d membership confirmed.", "%(count)d memberships confirmed.", count)
        % {"count": count},
        messages.SUCCESS,
    )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "applicant", "role", "job_title", "created_at", "confirmed_at"]
    list_filter = [ConfirmedFilter, "applicant__kind", "role"]
    search_fields = ["user__email", "applicant__name", "job_title"]
    list_select_related = ["user", "applicant"]
    readonly_fields = ["confirmed_at", "confirmed_by", "created_at"]
    autocomplete_fields = ["user", "applicant"]
    actions = [confirm_memberships]


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "applicant"
    extra = 0
    fields = ["user", "role", "job_title", "request_note", "confirmed_at", "confirmed_by"]
    readonly_fields = ["confirmed_at", "confirmed_by"]
    autocomplete_fields = ["user"]


@admin.register(Applicant)
class ApplicantAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "applicant", "invited_by", "created_at", "expires_at", "accepted_at"]
    list_select_related = ["applicant", "invited_by"]
    search_fields = ["email", "applicant__name"]
    readonly_fields = ["token", "created_at", "accepted_at"]

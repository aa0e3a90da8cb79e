"""The staff side of per-applicant deadlines: from an application, grant (or move) a later
deadline for its applicant in its call, with a reason; the list of extensions and their
history."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from calls.domain import deadlines
from calls.models import DeadlineExtension
from qmi.permissions import allowed

INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


class ExtensionForm(forms.Form):
    closes_at = forms.DateTimeField(
        label=_("The applicant's own deadline (Paris time)"),
        input_formats=INPUT_FORMATS,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "step": 1}, format="%Y-%m-%dT%H:%M:%S"
        ),
    )
    reason = forms.CharField(
        label=_("Reason (sent to the applicant)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ExtensionMixin:
    """Adds to the applications' admin the page that grants an applicant a later deadline."""

    def get_urls(self):
        return [
            path(
                "<path:object_id>/extension/",
                self.admin_site.admin_view(self.extension_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_extension",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("deadline of the applicant"))
    def applicant_deadline(self, obj):
        if obj is None or not obj.pk:
            return "—"
        local = timezone.localtime(obj.deadline).strftime("%d/%m/%Y %H:%M:%S")
        label = _("extended") if obj.has_extension else _("the call's")
        return format_html(
            '{} ({}) — <a href="{}">{}</a>',
            local,
            label,
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_extension", args=[obj.pk]),
            _("Grant or move a later deadline"),
        )

    def extension_view(self, request, object_id):
        """Grant the application's applicant a later deadline for its call."""
        application = self.get_object(request, object_id)
        if application is None:
            raise PermissionDenied
        if not allowed("calls.grant_extension", request.user):
            raise PermissionDenied
        current = DeadlineExtension.objects.filter(
            call=application.call, applicant=application.applicant
        ).first()
        initial = {"closes_at": timezone.localtime(application.deadline).replace(tzinfo=None)}
        if current:
            initial["reason"] = current.reason
        form = ExtensionForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                deadlines.grant(application, **form.cleaned_data, by=request.user)
            except deadlines.ExtensionError as error:
                form.add_error("closes_at", str(error))
            else:
                self.message_user(
                    request,
                    _("%(applicant)s now has its own deadline; its members are told by e-mail.")
                    % {"applicant": application.applicant},
                    messages.SUCCESS,
                )
                return redirect(
                    f"admin:{self.opts.app_label}_{self.opts.model_name}_change", application.pk
                )
        return TemplateResponse(
            request,
            "admin/calls/application/extension.html",
            {
                **self.admin_site.each_context(request),
                "title": _("A later deadline for %(applicant)s")
                % {"applicant": application.applicant},
                "opts": self.model._meta,
                "original": application,
                "application": application,
                "current": current,
                "form": form,
            },
        )


@admin.register(DeadlineExtension)
class DeadlineExtensionAdmin(SimpleHistoryAdmin):
    """The extensions granted, and under "History" who granted or moved each, when, why."""

    list_display = ["applicant", "call", "closes_at", "granted_by", "granted_at"]
    list_filter = ["call"]
    list_select_related = ["applicant", "call__edition", "granted_by"]
    search_fields = ["applicant__name"]
    readonly_fields = ["call", "applicant", "closes_at", "reason", "granted_by", "granted_at"]
    fields = readonly_fields
    list_per_page = 50

    def has_add_permission(self, request):
        return False  # granted from an application (``ExtensionMixin``), with its e-mail

    def has_change_permission(self, request, obj=None):
        return False

"""The staff side of the e-mails sent in bulk: the outbox — the messages held for review, read as
the recipients will read them, edited, released — what each reminder, notice or decision e-mail
was, to whom, whether it went, and the ones the mail server refused until they were given up,
which staff can send again once the server is back."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from calls import tasks
from calls.domain import deliveries
from calls.models import Delivery

RELEASE_BATCH = 250


class StateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("held", _("Held in the outbox")),
            ("sent", _("Sent")),
            ("sending", _("Being sent")),
            ("failed", _("Given up")),
        ]

    def queryset(self, request, queryset):
        chosen = {
            "held": queryset.held_back(),
            "sent": queryset.filter(sent_at__isnull=False),
            "sending": queryset.unsent(),
            "failed": queryset.filter(failed_at__isnull=False),
        }
        return chosen.get(self.value(), queryset)


def release(request, queryset):
    """Release the held deliveries of ``queryset`` and hand them to the workers once committed;
    returns how many."""
    ids = deliveries.release(queryset, by=request.user)
    for start in range(0, len(ids), RELEASE_BATCH):
        batch = ids[start : start + RELEASE_BATCH]
        transaction.on_commit(lambda batch=batch: tasks.send_deliveries.delay(batch))
    return len(ids)


@admin.action(description=_("Release the selected held e-mails: send them now"))
def release_selected(modeladmin, request, queryset):
    count = release(request, queryset)
    modeladmin.message_user(
        request,
        ngettext(
            "%(n)d e-mail released: it is being sent.",
            "%(n)d e-mails released: they are being sent.",
            count,
        )
        % {"n": count},
        messages.SUCCESS if count else messages.WARNING,
    )


@admin.action(description=_("Send the selected given-up e-mails again"))
def send_again(modeladmin, request, queryset):
    count = deliveries.retry(queryset)
    modeladmin.message_user(
        request,
        ngettext(
            "%(n)d e-mail will be sent again within minutes.",
            "%(n)d e-mails will be sent again within minutes.",
            count,
        )
        % {"n": count},
        messages.SUCCESS,
    )


class EditForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=255)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 24}))


class RulesForm(forms.Form):
    held = forms.MultipleChoiceField(
        label=_("Hold for review before sending"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["held"].choices = [(k, label) for k, label, _hold in deliveries.rules()]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    change_list_template = "admin/calls/delivery/change_list.html"
    change_form_template = "admin/calls/delivery/change_form.html"
    list_display = ["key", "source", "recipients", "subject", "state", "claimed_at", "sent_at"]
    list_filter = [StateFilter, "source"]
    search_fields = ["key", "recipients", "subject"]
    date_hierarchy = "claimed_at"
    actions = [release_selected, send_again]
    list_per_page = 50
    fields = [
        "key",
        "source",
        "recipients",
        "subject",
        "claimed_at",
        "edited_at",
        "edited_by",
        "released_at",
        "released_by",
        "attempts",
        "sent_at",
        "failed_at",
        "error",
        "as_sent",
    ]
    readonly_fields = fields

    @admin.display(description=_("state"))
    def state(self, obj):
        return obj.state

    @admin.display(description=_("messages, as the recipients read them"))
    def as_sent(self, obj):
        return format_html_join(
            "",
            '<div class="delivery-message"><p><strong>{}</strong> {}<br><strong>{}</strong> {}'
            "<br><strong>Message-ID</strong> {}</p><pre>{}</pre></div>",
            (
                (
                    _("To:"),
                    ", ".join(data["to"]),
                    _("Subject:"),
                    data["subject"],
                    data["headers"].get("Message-ID", ""),
                    data["body"],
                )
                for data in obj.messages
            ),
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def may_send(self, request):
        return request.user.has_perm("calls.change_delivery")

    def get_actions(self, request):
        return super().get_actions(request) if self.may_send(request) else {}

    def get_urls(self):
        return [
            path(
                "<int:pk>/edit/",
                self.admin_site.admin_view(self.edit_view),
                name="calls_delivery_edit",
            ),
            path(
                "rules/", self.admin_site.admin_view(self.rules_view), name="calls_delivery_rules"
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "held": Delivery.objects.held_back().count()}
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "may_send": self.may_send(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def edit_view(self, request, pk):
        """Read a held message as it will leave, change its subject and text, release it."""
        if not self.may_send(request):
            raise PermissionDenied
        delivery = get_object_or_404(Delivery, pk=pk)
        if not delivery.held or delivery.sent_at:
            self.message_user(request, _("This e-mail is no longer held."), messages.WARNING)
            return redirect("admin:calls_delivery_change", delivery.pk)
        first = delivery.messages[0]
        form = EditForm(
            request.POST or None, initial={"subject": first["subject"], "body": first["body"]}
        )
        if request.method == "POST" and form.is_valid():
            deliveries.edit(delivery, **form.cleaned_data, by=request.user)
            if "_release" in request.POST:
                release(request, Delivery.objects.filter(pk=delivery.pk))
                self.message_user(request, _("E-mail saved and released."), messages.SUCCESS)
            else:
                self.message_user(request, _("E-mail saved; it stays held."), messages.SUCCESS)
            return redirect(reverse("admin:calls_delivery_changelist") + "?state=held")
        return TemplateResponse(
            request,
            "admin/calls/delivery/edit.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Edit a held e-mail"),
                "opts": self.model._meta,
                "original": delivery,
                "delivery": delivery,
                "form": form,
            },
        )

    def rules_view(self, request):
        """Which kinds of e-mail wait in the outbox before they go."""
        if not self.may_send(request):
            raise PermissionDenied
        initial = {"held": [kind for kind, _label, hold in deliveries.rules() if hold]}
        form = RulesForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            deliveries.set_rules(set(form.cleaned_data["held"]))
            self.message_user(request, _("Outbox rules saved."), messages.SUCCESS)
            return redirect("admin:calls_delivery_changelist")
        return TemplateResponse(
            request,
            "admin/calls/delivery/rules.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Outbox rules"),
                "opts": self.model._meta,
                "form": form,
            },
        )

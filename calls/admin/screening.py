"""Screening on the staff's page of applications, the same for every kind of call.

A bulk action per staff transition, with a confirmation page asking the reason, and the due
date of a correction, where needed; the correction requests and the e-mails sent, inline and
read-only; what changed since the previous submitted version. Every change goes through
``calls.domain.lifecycle.transition``: the admin only parses, confirms and reports.
"""

from datetime import datetime, time

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import model_ngettext
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calls.domain import lifecycle
from calls.domain.versions import last_changes
from calls.domain.workflow import TRANSITIONS, Actor
from calls.models import CorrectionRequest, Notification
from qmi.admin_mixins import ReadOnlyInline

STAFF_TRANSITIONS = [
    name
    for name, t in TRANSITIONS.items()
    if t.actor == Actor.STAFF and not t.at_publication and t.bulk
]

# --- Inlines ----------------------------------------------------------------------------------


class CorrectionRequestInline(ReadOnlyInline, admin.TabularInline):
    model = CorrectionRequest
    fields = ["requested_at", "requested_by", "message", "due_at", "resolved_at"]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("correction requests")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("requested_by")


class NotificationInline(ReadOnlyInline, admin.TabularInline):
    model = Notification
    fields = ["created_at", "kind", "recipients", "subject", "status", "sent_at", "error"]
    readonly_fields = fields
    ordering = ["-created_at"]
    verbose_name_plural = gettext_lazy("e-mails sent")


# --- Bulk transitions -------------------------------------------------------------------------


class TransitionForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        max_length=4000,
        required=False,
    )
    due_on = forms.DateField(
        label=gettext_lazy("Due date (Paris time, end of the day)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, transition, **kwargs):
        super().__init__(*args, **kwargs)
        self.transition = transition
        self.fields["note"].required = transition.needs_note
        if getattr(transition, "opens_correction", False):
            self.fields["note"].label = _("What to correct (sent to the applicant)")
        if getattr(transition, "needs_due_date", False):
            self.fields["due_on"].required = True
        else:
            del self.fields["due_on"]

    def due_at(self):
        day = self.cleaned_data.get("due_on")
        if not day:
            return None
        return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))

    def clean_due_on(self):
        day = self.cleaned_data.get("due_on")
        if day and day < timezone.localdate():
            raise forms.ValidationError(_("The due date must be in the future."))
        return day


def _take_application(application, name, *, by, note, due_at):
    lifecycle.transition(application, name, by=by, note=note, due_at=due_at)


def apply_transition(request, queryset, name, *, note="", due_at=None, take=_take_application):
    """Take transition ``name`` on each object of ``queryset`` (``take(obj, name, by=…,
    note=…, due_at=…)``, applications by default); returns (done, refusals) where each
    refusal is ``(object, message)`` and left the object unchanged."""
    done, refusals = 0, []
    for obj in queryset:
        try:
            take(obj, name, by=request.user, note=note, due_at=due_at)
        except lifecycle.WorkflowError as error:
            refusals.append((str(obj), " ".join(error.messages)))
        except PermissionDenied:
            refusals.append((str(obj), _("You may not do this.")))
        else:
            done += 1
    return done, refusals


def report_refusals(modeladmin, request, refusals):
    """One warning per ``(reference, message)`` the domain refused."""
    for reference, message in refusals:
        modeladmin.message_user(
            request,
            _("%(ref)s unchanged: %(message)s") % {"ref": reference, "message": message},
            messages.WARNING,
        )


def _report(modeladmin, request, label, done, refusals):
    if done:
        modeladmin.message_user(
            request,
            _("%(action)s: done for %(n)d %(objects)s.")
            % {"action": label, "n": done, "objects": model_ngettext(modeladmin.opts, done)},
            messages.SUCCESS,
        )
    report_refusals(modeladmin, request, refusals)


def transition_action(name, *, transitions=TRANSITIONS, take=_take_application, order=None):
    """The admin action that takes the staff transition ``name`` on the selected objects,
    after a confirmation page when a reason or a due date is needed. Applications by
    default; another workflow passes its ``transitions`` and its ``take`` function."""
    step = transitions[name]
    order = order or ["reference"]

    def action(modeladmin, request, queryset):
        queryset = queryset.order_by(*order)
        if not (step.needs_note or getattr(step, "needs_due_date", False)):
            done, refusals = apply_transition(request, queryset, name, take=take)
            _report(modeladmin, request, step.label, done, refusals)
            return None
        form = TransitionForm(request.POST if "apply" in request.POST else None, transition=step)
        if "apply" in request.POST and form.is_valid():
            done, refusals = apply_transition(
                request,
                queryset,
                name,
                note=form.cleaned_data["note"].strip(),
                due_at=form.due_at(),
                take=take,
            )
            _report(modeladmin, request, step.label, done, refusals)
            return None
        return TemplateResponse(
            request,
            "admin/calls/transition_confirm.html",
            {
                **modeladmin.admin_site.each_context(request),
                "title": step.label,
                "opts": modeladmin.model._meta,
                "form": form,
                "transition": step,
                "objects": list(queryset),
                "action": f"take_{name}",
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    action.__name__ = f"take_{name}"
    action.allowed_permissions = ("change",)
    return action, f"take_{name}", step.label


def with_transition_actions(model_admin, request, actions, names, **kwargs):
    """``actions`` (an admin's ``get_actions``) with a bulk action per transition of
    ``names`` (``transition_action``'s ``kwargs``), for those allowed to change."""
    if model_admin.actions is None or "_popup" in request.GET:
        return actions
    declared = [transition_action(name, **kwargs) for name in names]
    for func, name, description in model_admin._filter_actions_by_permissions(request, declared):
        actions[name] = (func, name, description)
    return actions


def read_only_inlines(model_admin, request, obj, inline_classes):
    """Instances of ``inline_classes`` for the page, read-only and without empty rows, those
    the user may not see left out: what a mixin adds below the application's own inlines."""
    instances = []
    for inline_class in inline_classes:
        inline = inline_class(model_admin.model, model_admin.admin_site)
        if request and not inline.has_view_or_change_permission(request, obj):
            continue
        inline.max_num = 0
        instances.append(inline)
    return instances


class ScreeningMixin:
    """Screening on the applications' admin: transition actions, corrections, e-mails sent and
    the changes since the previous version."""

    screening_inlines = [CorrectionRequestInline, NotificationInline]
    SCREENING_FIELDS = ["version_changes"]

    def get_inline_instances(self, request, obj=None):
        """The inlines of the application's admin, then the screening's (read-only). Added
        here rather than in ``get_inlines``, which ``ApplicationAdmin`` builds on its own."""
        instances = super().get_inline_instances(request, obj)
        return [*instances, *read_only_inlines(self, request, obj, self.screening_inlines)]

    def get_fields(self, request, obj=None):
        return [*super().get_fields(request, obj), *self.SCREENING_FIELDS]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *self.SCREENING_FIELDS]

    def get_actions(self, request):
        return with_transition_actions(
            self, request, super().get_actions(request), STAFF_TRANSITIONS
        )

    @admin.display(description=gettext_lazy("changes since the previous version"))
    def version_changes(self, obj):
        if obj is None or not obj.pk:
            return "—"
        found = last_changes(obj)
        if found is None:
            return _("Submitted once: nothing to compare.")
        older, newer, rows = found
        if not rows:
            return _("Version %(new)d is the same as version %(old)d.") % {
                "new": newer.number,
                "old": older.number,
            }
        return render_to_string(
            "admin/calls/version_changes.html", {"older": older, "newer": newer, "rows": rows}
        )

"""The waiting list of a call, once its results are published, on the staff's page of the
call: the places left (the call's cap, or each district's), the laureates who declined or
have not answered, the waitlisted applications in rank order, and offering a freed place to
the next in line. Registered from ``EvaluationConfig.ready`` with ``calls.extensions.extend``.

Every change goes through ``evaluation.waitlist.promote``: the admin parses and reports.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calls.models import Application, Call, Offer

from . import waitlist
from .models import Decision


def _districts():
    """The innovation districts, through the decision's field (``evaluation`` imports no
    kind of call)."""
    return Decision._meta.get_field("district").related_model.objects


class PromoteForm(forms.Form):
    application = forms.ModelChoiceField(
        queryset=Application.objects.none(), widget=forms.HiddenInput
    )
    district = forms.ModelChoiceField(
        label=gettext_lazy("Innovation district"),
        queryset=Application.objects.none(),  # the districts, set below
        required=False,
    )
    note = forms.CharField(
        label=gettext_lazy("A word for the applicant (optional, in the e-mail)"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=2000,
        required=False,
    )

    def __init__(self, *args, call, candidate, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = Application.objects.filter(call=call)
        if candidate is None or candidate.districts is None:
            del self.fields["district"]
        else:
            self.fields["district"].queryset = _districts().filter(
                pk__in=[d.pk for d in candidate.districts]
            )
            self.fields["district"].required = True
            self.fields["district"].initial = (
                candidate.districts[0].pk if candidate.districts else None
            )


class CallWaitlistMixin:
    """``<call>/waitlist/``: the places, the waiting list, offering the next place."""

    def get_urls(self):
        prefix = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        return [
            path(
                "<path:object_id>/waitlist/",
                self.admin_site.admin_view(self.waitlist_view),
                name=f"{prefix}_waitlist",
            ),
            *super().get_urls(),
        ]

    def waitlist_view(self, request, object_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        call = get_object_or_404(Call.objects.select_related("edition"), pk=object_id)
        can_change = self.has_change_permission(request, call) and bool(call.results_published_at)
        free = waitlist.places(call)
        candidates = waitlist.waiting_list(call, free)
        chosen = waitlist.next_in_line(candidates, free)
        form = PromoteForm(
            call=call, candidate=chosen, initial={"application": chosen and chosen.application.pk}
        )
        status = 200
        if request.method == "POST":
            if not can_change:
                raise PermissionDenied
            form = PromoteForm(request.POST, call=call, candidate=chosen)
            if form.is_valid():
                try:
                    promoted = waitlist.promote(
                        call,
                        application=form.cleaned_data["application"],
                        district=form.cleaned_data.get("district"),
                        note=form.cleaned_data["note"],
                        by=request.user,
                    )
                except waitlist.WaitlistError as error:
                    for message in error.messages:
                        form.add_error(None, message)
                else:
                    self.message_user(
                        request,
                        _(
                            "%(reference)s is selected: its members are told and asked to "
                            "accept the place."
                        )
                        % {"reference": promoted.reference},
                        messages.SUCCESS,
                    )
                    return redirect("admin:calls_call_waitlist", object_id=call.pk)
            status = 400
        offers = list(
            Offer.objects.filter(application__call=call)
            .select_related("application__applicant")
            .order_by("answer", "due_at", "application__reference")
        )
        return TemplateResponse(
            request,
            "admin/evaluation/waitlist.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Waiting list: %(call)s") % {"call": call},
                "opts": self.model._meta,
                "original": call,
                "call": call,
                "places": free,
                "districts": sorted(free.districts.values(), key=lambda p: p.district.name),
                "candidates": candidates,
                "chosen": chosen,
                "offers": offers,
                "form": form,
                "can_change": can_change and chosen is not None,
            },
            status=status,
        )

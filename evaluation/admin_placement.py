"""The placement page of a call for experimenters, on the staff's page of the call: the
proposal of the solver as columns of districts, the changes staff make by hand, accepting it.
Registered from ``EvaluationConfig.ready`` with ``calls.extensions.extend``.

Every change goes through ``evaluation.placement.service``: the admin parses and reports.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms import formset_factory
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from calls.models import Call

from .forms import PlacementRowForm
from .placement import service
from .placement.wishes import takes_placement

PlacementFormSet = formset_factory(PlacementRowForm, extra=0)


class CallPlacementMixin:
    """``<call>/placement/``: propose, change by hand, accept."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        prefix = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        return [
            path(
                "<path:object_id>/placement/",
                wrap(self.placement_view),
                name=f"{prefix}_placement",
            ),
            *super().get_urls(),
        ]

    def placement_view(self, request, object_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        call = get_object_or_404(Call.objects.select_related("edition"), pk=object_id)
        if not takes_placement(call):
            raise PermissionDenied
        can_change = self.has_change_permission(request, call) and not call.results_published_at
        if request.method == "POST":
            if not can_change:
                raise PermissionDenied
            return self._placement_post(request, call)
        return self._placement_page(request, call, can_change)

    def _placement_page(self, request, call, can_change, formset=None, status=200):
        board = service.board(call)
        choices = [(column.district.pk, column.district.name) for column in board.columns]
        if formset is None:
            formset = PlacementFormSet(
                initial=[
                    {
                        "application": row.application.pk,
                        "district": row.district.pk if row.district else None,
                        "pinned": row.pinned,
                        "allow_unwished": row.allow_unwished,
                        "excluded": sorted(row.excluded),
                    }
                    for row in board.rows
                ],
                form_kwargs={"district_choices": choices},
            )
        return TemplateResponse(
            request,
            "admin/evaluation/placement.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Placement of the laureates: %(call)s") % {"call": call},
                "opts": self.model._meta,
                "original": call,
                "call": call,
                "board": board,
                "formset": formset,
                "rows": list(zip(board.rows, formset.forms, strict=True)),
                "can_change": can_change,
            },
            status=status,
        )

    def _placement_post(self, request, call):
        action = request.POST.get("action")
        try:
            if action == "propose":
                proposal = service.propose(call, by=request.user)
                self.message_user(
                    request,
                    ngettext(
                        "Placement proposed: %(placed)d laureate of %(n)d placed.",
                        "Placement proposed: %(placed)d laureates of %(n)d placed.",
                        len(proposal.placed),
                    )
                    % {"placed": proposal.placed_count, "n": len(proposal.placed)},
                    messages.SUCCESS,
                )
            elif action == "save":
                board = service.board(call)
                choices = [(c.district.pk, c.district.name) for c in board.columns]
                formset = PlacementFormSet(request.POST, form_kwargs={"district_choices": choices})
                if not formset.is_valid():
                    self.message_user(
                        request, _("Nothing was saved: correct the rows marked."), messages.ERROR
                    )
                    return self._placement_page(request, call, True, formset, status=400)
                changed = service.change(
                    call,
                    [
                        service.Change(
                            application_id=form.cleaned_data["application"],
                            district_id=form.cleaned_data["district"],
                            pinned=form.cleaned_data["pinned"],
                            allow_unwished=form.cleaned_data["allow_unwished"],
                            excluded=frozenset(form.cleaned_data["excluded"]),
                        )
                        for form in formset.forms
                    ],
                    by=request.user,
                )
                self.message_user(
                    request,
                    ngettext("%(n)d laureate changed.", "%(n)d laureates changed.", changed)
                    % {"n": changed},
                    messages.SUCCESS,
                )
            elif action == "accept":
                placed, unplaced = service.accept(call, by=request.user)
                self.message_user(
                    request,
                    ngettext(
                        "Placement accepted: %(n)d pending decision now holds its district.",
                        "Placement accepted: %(n)d pending decisions now hold their district.",
                        placed,
                    )
                    % {"n": placed},
                    messages.SUCCESS,
                )
                if unplaced:
                    self.message_user(
                        request,
                        ngettext(
                            "%(n)d laureate is not placed: the results cannot be published "
                            "until it is.",
                            "%(n)d laureates are not placed: the results cannot be published "
                            "until they are.",
                            unplaced,
                        )
                        % {"n": unplaced},
                        messages.WARNING,
                    )
            else:
                raise PermissionDenied
        except service.PlacementError as error:
            for message in error.messages:
                self.message_user(request, message, messages.ERROR)
        return redirect("admin:calls_call_placement", object_id=call.pk)

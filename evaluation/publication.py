"""Publishing a call's results: every pending decision applied in one step, then told.

``check`` says what stops the publication (caps, applications not decided) and what only
deserves a warning (a district under its minimum); ``publish_results`` checks again under a
lock, applies each decision through ``calls.domain.lifecycle.transition``, marks the call's
results published, offers each laureate its place (to accept or decline by a due date:
``calls.domain.offers``), creates the innovation district of each selected municipality and,
after the commit, sends the decision e-mails (``send_decisions``, once per application).
An ineligibility may be told before the results, when staff choose (``tell_ineligible``).
"""

from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from calls.domain import offers
from calls.domain.kinds import hook, spec_for
from calls.domain.lifecycle import transition
from calls.domain.workflow import DECISION_TRANSITIONS, Status
from calls.models import Application, Call
from qmi.permissions import require

from .announcements import previews, send_decisions  # noqa: F401 — part of this API
from .models import Decision
from .placement.service import placed_elsewhere
from .services import decision_applies
from .tasks import send_decisions as send_decisions_task


class PublicationError(ValidationError):
    """The results cannot be published; the messages list every problem."""


@dataclass
class Check:
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors


@dataclass
class Published:
    applied: int = 0
    districts_created: int = 0
    warnings: list = field(default_factory=list)
    already: bool = False


def _refs(references, limit=10):
    shown = ", ".join(references[:limit])
    return shown + (" …" if len(references) > limit else "")


def undecided(call):
    """The call's applications under review with no decision yet, by reference: each stops
    the publication until staff record one on the ranking page."""
    return (
        Application.objects.filter(
            call=call,
            status__in=(Status.ELIGIBLE, Status.SHORTLISTED),
            decision__isnull=True,
        )
        .select_related("applicant")
        .order_by("reference")
    )


def check(call, decisions=None):
    """What stops the publication of ``call``'s results, and what deserves a warning."""
    result = Check()
    if decisions is None:
        decisions = list(
            Decision.objects.filter(application__call=call).select_related("application")
        )
    statuses = dict(Application.objects.filter(call=call).values_list("reference", "status"))
    decided = {d.application.reference for d in decisions}
    unscreened = sorted(
        ref
        for ref, status in statuses.items()
        if status in (Status.SUBMITTED, Status.CORRECTION_REQUESTED)
    )
    if unscreened:
        result.errors.append(
            ngettext(
                "%(n)d application is not screened yet: %(refs)s.",
                "%(n)d applications are not screened yet: %(refs)s.",
                len(unscreened),
            )
            % {"n": len(unscreened), "refs": _refs(unscreened)}
        )
    undecided = sorted(
        ref
        for ref, status in statuses.items()
        if status in (Status.ELIGIBLE, Status.SHORTLISTED) and ref not in decided
    )
    if undecided:
        result.errors.append(
            ngettext(
                "%(n)d application under review has no decision: %(refs)s.",
                "%(n)d applications under review have no decision: %(refs)s.",
                len(undecided),
            )
            % {"n": len(undecided), "refs": _refs(undecided)}
        )
    for decision in decisions:
        status = statuses.get(decision.application.reference)
        if not decision_applies(decision.outcome, status):
            result.errors.append(
                _("%(ref)s is %(status)s: the decision “%(outcome)s” cannot apply.")
                % {
                    "ref": decision.application.reference,
                    "status": Status(status).label.lower() if status else "?",
                    "outcome": decision.get_outcome_display().lower(),
                }
            )
    selected = [d for d in decisions if d.outcome == Decision.Outcome.SELECTED]
    if spec_for(call.kind).capped_per_call and len(selected) > call.max_selected:
        result.errors.append(
            _("%(n)d applications are selected: this call selects %(max)d at most.")
            % {"n": len(selected), "max": call.max_selected}
        )
    if spec_for(call.kind).decision_needs_district:
        per_district = Counter(d.district_id for d in selected)
        if per_district.get(None):
            result.errors.append(
                _("%(n)d selected projects have no innovation district.")
                % {"n": per_district[None]}
            )
        districts = list(call.districts.order_by("name"))
        # The caps hold per district whatever the call: count the other calls' laureates too.
        elsewhere = placed_elsewhere(call, districts)
        for district in districts:
            earlier = elsewhere.get(district.pk, 0)
            n = per_district.get(district.pk, 0) + earlier
            values = {
                "district": district.name,
                "n": n,
                "earlier": earlier,
                "max": district.capacity_max,
                "min": district.capacity_min,
            }
            if n > district.capacity_max:
                result.errors.append(
                    _(
                        "%(district)s: %(n)d projects selected (%(earlier)d by the edition's "
                        "other calls), %(max)d at most."
                    )
                    % values
                    if earlier
                    else _("%(district)s: %(n)d projects selected, %(max)d at most.") % values
                )
            elif n < district.capacity_min:
                result.warnings.append(
                    _(
                        "%(district)s: %(n)d projects selected (%(earlier)d by the edition's "
                        "other calls), fewer than the %(min)d planned."
                    )
                    % values
                    if earlier
                    else _("%(district)s: %(n)d projects selected, fewer than the %(min)d planned.")
                    % values
                )
    return result


def publish_results(call, *, by, now=None):
    """Publish the results of ``call``: check, apply every pending decision, run the kind's
    ``on_selected`` for each selected application (a selected municipality's district is
    created), tell every applicant after the commit.

    Refused (``PublicationError`` listing every problem, nothing changed) over a cap or while
    an application is not decided. Publishing again does nothing more.
    """
    require("evaluation.publish_results", by)
    now = now or timezone.now()
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        if call.results_published_at:
            return Published(already=True)
        decisions = list(
            Decision.objects.filter(application__call=call)
            .select_related("application", "district")
            .order_by("application__reference")
        )
        result = check(call, decisions)
        if not result.ok:
            raise PublicationError(result.errors)
        published = Published(warnings=result.warnings)
        for decision in decisions:
            transition(
                decision.application,
                DECISION_TRANSITIONS[decision.outcome],
                by=by,
                note=decision.reason_shared,
                now=now,
                decision=decision,
            )
            published.applied += 1
        call.results_published_at = now  # every decision of the call is applied from now on
        call.save(update_fields=["results_published_at"])
        due_at = offers.due_from(now)
        for decision in decisions:  # each laureate accepts or declines its place by then
            if decision.outcome == Decision.Outcome.SELECTED:
                offers.open_offer(decision.application, due_at=due_at, now=now)
        on_selected = hook(call.kind, "on_selected")
        if on_selected:
            for decision in decisions:
                if decision.outcome == Decision.Outcome.SELECTED:
                    published.districts_created += on_selected(
                        decision.application, by=by, district=decision.district
                    )
        transaction.on_commit(lambda: send_decisions_task.delay(call.pk))
    return published


def tell_ineligible(applications, *, by, now=None):
    """Tell the applicants of ``applications`` that are ineligible, before their call's
    results, that they are — with the reason staff gave when screening them — when staff
    choose: the application then shows its decision, and its e-mail goes like the others
    (each once; the outbox holds it when staff hold decisions). Returns the applications
    told now (the others were not ineligible, already told, or their results are out)."""
    require("calls.decide_application", by)
    now = now or timezone.now()
    with transaction.atomic():
        told = list(
            Application.objects.select_for_update()
            .filter(
                pk__in=[application.pk for application in applications],
                status=Status.INELIGIBLE,
                decision_told_at__isnull=True,
                call__results_published_at__isnull=True,
            )
            .order_by("reference")
        )
        Application.objects.filter(pk__in=[a.pk for a in told]).update(decision_told_at=now)
        calls = sorted({application.call_id for application in told})
        for call_id in calls:
            transaction.on_commit(lambda pk=call_id: send_decisions_task.delay(pk))
    return told

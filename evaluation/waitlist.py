"""The waiting list of a call once its results are out: when a laureate declines its place
(or staff record that it gave it up), the place is free; staff offer it to the next
waitlisted application in rank order (``ranking.rank``) that the caps let in — the call's
``max_selected``, or, where decisions place projects in districts, a district it wished with a
place left (counting the edition's other calls). ``promote`` checks it all again under a lock,
updates the decision (its history kept), takes the workflow's "promote" (the members are told),
runs the kind's ``on_selected`` (the project's experimentation) and opens the offer, to accept
or decline by its due date."""

from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.domain import offers
from calls.domain.kinds import hook, spec_for
from calls.domain.lifecycle import transition
from calls.domain.workflow import Status
from calls.models import Application, Call
from qmi.permissions import require

from . import ranking
from .models import Decision
from .placement.service import call_districts, placed_elsewhere
from .placement.wishes import wishes_of


class WaitlistError(ValidationError):
    """The promotion is refused; the message says why."""


@dataclass
class DistrictPlaces:
    district: object
    taken: int

    @property
    def free(self):
        return max(self.district.capacity_max - self.taken, 0)


@dataclass
class Places:
    """What the call's caps leave: ``free`` places of the call (None where districts are the
    cap), and per district where decisions place projects."""

    selected: int
    cap: int | None
    districts: dict = field(default_factory=dict)  # {district id: DistrictPlaces}

    @property
    def free(self):
        if self.cap is None:
            return sum(places.free for places in self.districts.values())
        return max(self.cap - self.selected, 0)


@dataclass
class Candidate:
    application: object
    rank: int  # the position in the call's ranking, 1 = best
    score: object  # ranking.ApplicationScore
    districts: list = field(default_factory=list)  # wished districts with a free place, by wish

    @property
    def placeable(self):
        return self.districts is None or bool(self.districts)


def places(call):
    """The places of ``call`` now: a fixed number of queries."""
    spec = spec_for(call.kind)
    result = Places(
        selected=Application.objects.filter(call=call, status=Status.SELECTED).count(),
        cap=call.max_selected if spec.capped_per_call else None,
    )
    if spec.decision_needs_district:
        districts = list(call_districts(call))
        elsewhere = placed_elsewhere(call, districts)
        here = Counter(
            Decision.objects.filter(
                application__call=call,
                outcome=Decision.Outcome.SELECTED,
                application__status=Status.SELECTED,
            ).values_list("district_id", flat=True)
        )
        result.districts = {
            d.pk: DistrictPlaces(d, here.get(d.pk, 0) + elsewhere.get(d.pk, 0)) for d in districts
        }
    return result


def waiting_list(call, free=None):
    """The call's waitlisted applications, best ranked first, each with the districts it
    could take (its wishes with a place left, by wish; None where no district is needed)."""
    free = free if free is not None else places(call)
    ranked = ranking.rank(call)
    position = {reference: n for n, (_score, reference) in enumerate(ranked, start=1)}
    scores = {reference: score for score, reference in ranked}
    waiting = list(
        Application.objects.filter(call=call, status=Status.WAITLISTED).select_related(
            "applicant", "call"
        )
    )
    needs_district = spec_for(call.kind).decision_needs_district
    wishes = wishes_of(call, [a.pk for a in waiting]) if needs_district else {}
    candidates = []
    for application in waiting:
        districts = None
        if needs_district:
            wished = sorted(wishes.get(application.pk, {}).items(), key=lambda item: item[1])
            districts = [
                free.districts[pk].district
                for pk, _rank in wished
                if pk in free.districts and free.districts[pk].free
            ]
        candidates.append(
            Candidate(
                application,
                position.get(application.reference, len(ranked) + 1),
                scores.get(application.reference),
                districts,
            )
        )
    candidates.sort(key=lambda c: (c.rank, c.application.reference))
    return candidates


def next_in_line(candidates, free):
    """The candidate a freed place goes to: the best ranked that the caps let in."""
    if free.cap is not None and free.free <= 0:
        return None
    return next((c for c in candidates if c.placeable), None)


def promote(call, *, application, by, district=None, note="", now=None):
    """Offer a freed place of ``call`` to ``application``, which must be the next in line;
    ``district``: where decisions place projects, one of its wished districts with a place
    left (its first such wish when None). Returns the application, selected."""
    require("evaluation.publish_results", by)
    now = now or timezone.now()
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        if not call.results_published_at:
            raise WaitlistError(_("The results of this call are not published yet."))
        free = places(call)
        candidates = waiting_list(call, free)
        chosen = next_in_line(candidates, free)
        if chosen is None:
            raise WaitlistError(
                _("No place is free: a laureate must decline, or give up its place, first.")
                if free.free <= 0
                else _("No application on the waiting list wished a district with a place left.")
            )
        if chosen.application.pk != application.pk:
            raise WaitlistError(
                _("%(next)s comes first on the waiting list, in rank order.")
                % {"next": chosen.application.reference}
            )
        if chosen.districts is not None:
            if district is None:
                district = chosen.districts[0]
            elif district.pk not in {d.pk for d in chosen.districts}:
                raise WaitlistError(
                    _("%(district)s has no place left, or %(reference)s did not wish it.")
                    % {"district": district.name, "reference": application.reference}
                )
        else:
            district = None
        decision = Decision.objects.select_for_update().get(application=application)
        decision.outcome = Decision.Outcome.SELECTED
        decision.district = district
        decision.save(update_fields=["outcome", "district"])
        application = transition(application, "promote", by=by, note=note, now=now)
        on_selected = hook(call.kind, "on_selected")
        if on_selected:
            on_selected(application, by=by, district=district)
        offers.open_offer(application, now=now)
    return application

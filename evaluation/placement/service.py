"""What staff do with the placement of a call's laureates: see the board, have a placement
proposed (``solver``), move, pin or rule out by hand, propose again, accept.

The laureates are the applications of the call whose pending decision is "selected". Accepting
copies each one's district onto its decision; the publication then checks the caps as for any
decision. The caps count the laureates the edition's other calls (earlier waves) placed in the
same districts.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from calls.domain.kinds import content_relations
from calls.domain.workflow import Status
from qmi.permissions import require

from .. import ranking, services
from ..models import Decision, Placement
from . import solver
from .wishes import takes_placement, wishes_of


class PlacementError(ValidationError):
    """A request the placement refuses; the messages are meant for staff."""


# --- Reading: the board ------------------------------------------------------------------------


@dataclass
class Row:
    """One laureate on the board."""

    decision: Decision
    placement: Placement | None
    score: float | None
    wishes: list  # [(district, rank)], best first
    district: object = None
    wish_rank: int | None = None
    pinned: bool = False
    allow_unwished: bool = False
    excluded: frozenset = frozenset()
    why: list = field(default_factory=list)  # why not a better wish

    @property
    def application(self):
        return self.decision.application


@dataclass
class Column:
    district: object
    already: int  # placed there by the edition's other calls
    rows: list = field(default_factory=list)

    @property
    def total(self):
        return self.already + len(self.rows)

    @property
    def under(self):
        return self.total < self.district.capacity_min

    @property
    def over(self):
        return self.total > self.district.capacity_max


@dataclass
class Board:
    columns: list
    unplaced: list
    rows: list  # every laureate, in ranking order
    accepted: bool  # every decision holds the district shown

    @property
    def placed(self):
        return len(self.rows) - len(self.unplaced)


def laureates(call):
    """The pending "selected" decisions of ``call``, with what the board shows."""
    contents = [f"application__{relation}" for relation in content_relations()]
    return (
        Decision.objects.filter(application__call=call, outcome=Decision.Outcome.SELECTED)
        .exclude(application__status=Status.WITHDRAWN)
        .select_related("application__applicant", "application__call", "district", *contents)
        .order_by("application__reference")
    )


def call_districts(call):
    return list(call.districts.select_related("commune").order_by("name", "pk"))


def placed_elsewhere(call, districts):
    """``{district id: laureates of the edition's other calls placed there}``."""
    rows = (
        Decision.objects.filter(
            outcome=Decision.Outcome.SELECTED, district__in=[d.pk for d in districts]
        )
        .exclude(application__call=call)
        .exclude(application__status__in=(Status.WITHDRAWN, Status.DECLINED))
        .values("district")
        .annotate(n=Count("pk"))
    )
    return {row["district"]: row["n"] for row in rows}


def board(call):
    """The placement as staff see it, in a bounded number of queries."""
    decisions = list(laureates(call))
    ids = [d.application_id for d in decisions]
    placements = {
        p.application_id: p
        for p in Placement.objects.filter(application_id__in=ids).prefetch_related("excluded")
    }
    scores = ranking.scores_for((i, call.pk) for i in ids)
    wishes = wishes_of(call, ids)
    districts = call_districts(call)
    by_id = {d.pk: d for d in districts}
    columns = {d.pk: Column(d, already) for d, already in _already(call, districts)}
    rows, unplaced = [], []
    for decision in decisions:
        placement = placements.get(decision.application_id)
        wished = wishes.get(decision.application_id, {})
        district_id = placement.district_id if placement else decision.district_id
        row = Row(
            decision=decision,
            placement=placement,
            score=scores[decision.application_id].normalised,
            wishes=sorted(
                ((by_id[d], r) for d, r in wished.items() if d in by_id), key=lambda w: w[1]
            ),
            district=by_id.get(district_id),
            wish_rank=wished.get(district_id),
            pinned=bool(placement and placement.pinned),
            allow_unwished=bool(placement and placement.allow_unwished),
            excluded=frozenset(d.pk for d in placement.excluded.all())
            if placement
            else frozenset(),
        )
        rows.append(row)
        (columns[row.district.pk].rows if row.district else unplaced).append(row)
    for row in rows:
        row.why = _why(row, columns)
    ordered = [r for r, _p in _in_ranking_order(rows)]
    for column in columns.values():
        column.rows = [r for r in ordered if r in column.rows]
    return Board(
        columns=list(columns.values()),
        unplaced=[r for r in ordered if r in unplaced],
        rows=ordered,
        accepted=bool(rows)
        and all(r.district is not None and r.decision.district_id == r.district.pk for r in rows),
    )


def _already(call, districts):
    elsewhere = placed_elsewhere(call, districts)
    return [(d, elsewhere.get(d.pk, 0)) for d in districts]


def _in_ranking_order(rows):
    projects = {
        r.application.pk: solver.Project(
            key=r.application.pk, label=r.application.reference, score=r.score
        )
        for r in rows
    }
    by_key = {r.application.pk: r for r in rows}
    return [(by_key[p.key], p) for p in solver.ranking_order(list(projects.values()))]


def _why(row, columns):
    """Why ``row`` did not get a better wish, one sentence per better wish."""
    better = [(d, r) for d, r in row.wishes if row.wish_rank is None or r < row.wish_rank]
    if not better:
        return []
    if row.pinned:
        return [_("Pinned here by staff.")]
    reasons = []
    current = columns.get(row.district.pk) if row.district else None
    for district, _rank in better:
        column = columns[district.pk]
        if district.pk in row.excluded:
            reasons.append(_("%(district)s: ruled out by staff.") % {"district": district.name})
        elif column.total >= district.capacity_max:
            reasons.append(
                _("%(district)s is full (%(n)d of %(max)d).")
                % {"district": district.name, "n": column.total, "max": district.capacity_max}
            )
        elif current is not None and current.total - 1 < current.district.capacity_min:
            reasons.append(
                _("%(district)s: %(current)s would fall below its minimum of %(min)d.")
                % {
                    "district": district.name,
                    "current": current.district.name,
                    "min": current.district.capacity_min,
                }
            )
        else:
            reasons.append(
                _("%(district)s: has room; propose again to take the last changes into account.")
                % {"district": district.name}
            )
    return reasons


# --- Writing: propose, change by hand, accept -----------------------------------------------------


def _check_open(call, by):
    require("evaluation.place_laureates", by)
    if not takes_placement(call):
        raise PlacementError(_("The applications of this call do not wish districts."))
    if call.results_published_at:
        raise PlacementError(
            _("The results of this call are published: the placement can no longer change.")
        )


def _describe(code, district, n, limit):
    if code == "too_few":
        return _("%(district)s: only %(n)d projects wished it, %(min)d at least.") % {
            "district": district.name,
            "n": n,
            "min": limit,
        }
    if code == "too_many_pinned":
        return _("%(district)s: %(n)d projects pinned there, %(max)d at most.") % {
            "district": district.name,
            "n": n,
            "max": limit,
        }
    if code == "too_few_projects":
        return ngettext(
            "%(n)d laureate for districts that need %(min)d together.",
            "%(n)d laureates for districts that need %(min)d together.",
            n,
        ) % {"n": n, "min": limit}
    return _(
        "No placement meets every district's minimum and maximum with these wishes, pins and "
        "exclusions: allow a project in a district it did not wish, or unpin one."
    )


def _sync(call, decisions, *, by):
    """One ``Placement`` per laureate; none for an application that no longer is one."""
    ids = [d.application_id for d in decisions]
    Placement.objects.filter(application__call=call).exclude(application_id__in=ids).delete()
    existing = set(
        Placement.objects.filter(application_id__in=ids).values_list("application_id", flat=True)
    )
    Placement.objects.bulk_create(
        Placement(application_id=i, updated_by=by) for i in ids if i not in existing
    )
    return {
        p.application_id: p
        for p in Placement.objects.select_for_update()
        .filter(application_id__in=ids)
        .prefetch_related("excluded")
    }


def propose(call, *, by):
    """Solve the placement of the call's laureates and save it (pinned ones stay). Raises
    ``PlacementError`` with the causes when no placement meets the constraints."""
    _check_open(call, by)
    with transaction.atomic():
        decisions = list(laureates(call))
        if not decisions:
            raise PlacementError(_("No laureate yet: record “selected” decisions first."))
        placements = _sync(call, decisions, by=by)
        ids = list(placements)
        scores = ranking.scores_for((i, call.pk) for i in ids)
        wishes = wishes_of(call, ids)
        projects = [
            solver.Project(
                key=d.application_id,
                label=d.application.reference,
                score=scores[d.application_id].normalised,
                wishes=wishes.get(d.application_id, {}),
                pinned=placements[d.application_id].district_id
                if placements[d.application_id].pinned
                else None,
                allow_unwished=placements[d.application_id].allow_unwished,
                excluded=frozenset(e.pk for e in placements[d.application_id].excluded.all()),
            )
            for d in decisions
        ]
        districts = [
            solver.District(
                key=d.pk,
                name=d.name,
                minimum=d.capacity_min,
                maximum=d.capacity_max,
                already=already,
            )
            for d, already in _already(call, call_districts(call))
        ]
        try:
            proposal = solver.solve(projects, districts, describe=_describe)
        except solver.Infeasible as infeasible:
            raise PlacementError(infeasible.reasons) from None
        for application_id, placement in placements.items():
            placement.district_id = proposal.placed[application_id]
            placement.wish_rank = wishes.get(application_id, {}).get(placement.district_id)
            placement.updated_by = by
        Placement.objects.bulk_update(
            placements.values(), ["district", "wish_rank", "updated_by", "updated_at"]
        )
    return proposal


@dataclass(frozen=True)
class Change:
    """What staff set for one laureate on the board."""

    application_id: int
    district_id: int | None
    pinned: bool
    allow_unwished: bool
    excluded: frozenset


def change(call, changes, *, by):
    """Apply staff's changes: a laureate moved to another district is pinned there (and that
    district is no longer ruled out for it). Returns how many laureates changed."""
    _check_open(call, by)
    district_ids = {d.pk for d in call_districts(call)}
    with transaction.atomic():
        decisions = list(laureates(call))
        placements = _sync(call, decisions, by=by)
        wishes = wishes_of(call, list(placements))
        changed = 0
        for item in changes:
            placement = placements.get(item.application_id)
            if placement is None:
                continue
            if item.district_id is not None and item.district_id not in district_ids:
                raise PlacementError(_("This district is not covered by the call."))
            excluded = set(item.excluded) & district_ids
            moved = item.district_id != placement.district_id
            pinned = item.pinned or (moved and item.district_id is not None)
            if item.district_id is None:
                pinned = False
            excluded.discard(item.district_id)
            before = (
                placement.district_id,
                placement.pinned,
                placement.allow_unwished,
                {e.pk for e in placement.excluded.all()},
            )
            after = (item.district_id, pinned, item.allow_unwished, excluded)
            if before == after:
                continue
            placement.district_id = item.district_id
            placement.pinned = pinned
            placement.allow_unwished = item.allow_unwished
            placement.wish_rank = wishes.get(item.application_id, {}).get(item.district_id)
            placement.updated_by = by
            placement.save()
            placement.excluded.set(excluded)
            changed += 1
    return changed


def accept(call, *, by):
    """Copy each laureate's district onto its pending decision (through
    ``services.record_decision``). Returns ``(placed, not placed)``."""
    _check_open(call, by)
    with transaction.atomic():
        decisions = list(laureates(call))
        placements = {
            p.application_id: p
            for p in Placement.objects.filter(
                application_id__in=[d.application_id for d in decisions]
            ).select_related("district")
        }
        placed = 0
        for decision in decisions:
            placement = placements.get(decision.application_id)
            if placement is None or placement.district is None:
                continue
            services.record_decision(
                decision.application,
                outcome=Decision.Outcome.SELECTED,
                district=placement.district,
                reason_shared=decision.reason_shared,
                by=by,
            )
            placed += 1
    return placed, len(decisions) - placed

"""The optimal placement of laureates in innovation districts, as a mixed-integer programme
solved by HiGHS (``scipy.optimize.milp``). Pure: no database, no Django model.

**Variables.** ``x[p, d] ∈ {0, 1}``: project ``p`` goes to district ``d``, for the pairs that
are allowed — ``d`` is one of ``p``'s wishes, or staff allowed ``p`` anywhere; ``d`` is not
excluded for ``p``; a pinned project has only its pinned district.

**Constraints.** Each project goes to at most one district (exactly its district when pinned).
Each district ends with between ``minimum`` and ``maximum`` laureates, counting those placed
there by the edition's earlier waves (``already``).

**Objective**, maximised, lexicographic in two steps folded into one sum:

1. first, as many projects placed as possible: each placement is worth a bonus ``B`` greater
   than any total satisfaction;
2. then, the greatest total satisfaction ``Σ wₚ·sₚd``, where ``sₚd = K + 1 − r`` for the wish
   of rank ``r`` (``K`` the most wishes any project made: a first wish is worth ``K``, the
   last ``1``) and ``0`` for a district the project did not wish; ``wₚ = 1 + nₚ`` with ``nₚ``
   the jury's score normalised to ``[0, 1]`` among the projects placed (min–max; no score:
   ``0``; all equal: ``1``). A better-scored project's wish weighs up to twice as much.

**Ties** are broken the same way every time: a term ``ε·sₚd·(P − iₚ)/P``, far smaller than any
difference of satisfaction, favours the wishes of the projects in ranking order (score, then
label), so two equal projects competing for one place go by their label. HiGHS solves to a
zero optimality gap.
"""

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_array

EPSILON = 1e-4


@dataclass(frozen=True)
class Project:
    key: int
    label: str  # breaks ties: the reference
    score: float | None = None  # the jury's normalised score
    wishes: dict = field(default_factory=dict)  # district key -> rank (1 = first wish)
    pinned: int | None = None  # district key staff fixed
    allow_unwished: bool = False  # staff allow districts the project did not wish
    excluded: frozenset = frozenset()  # district keys staff ruled out


@dataclass(frozen=True)
class District:
    key: int
    name: str
    minimum: int
    maximum: int
    already: int = 0  # laureates of earlier waves placed there


@dataclass
class Proposal:
    placed: dict  # project key -> district key, or None when not placed
    placed_count: int
    satisfaction: float


class Infeasible(Exception):
    """No placement meets the constraints; ``reasons`` say why, for staff."""

    def __init__(self, reasons):
        super().__init__("; ".join(reasons))
        self.reasons = list(reasons)


def allowed(project, district_key):
    """May ``project`` go to ``district_key``?"""
    if project.pinned is not None:
        return district_key == project.pinned
    if district_key in project.excluded:
        return False
    return district_key in project.wishes or project.allow_unwished


def most_wishes(projects):
    return max((max(p.wishes.values(), default=0) for p in projects), default=0) or 1


def satisfaction(project, district_key, k):
    """``K + 1 − rank`` for a wished district, 0 otherwise."""
    rank = project.wishes.get(district_key)
    return 0 if rank is None else k + 1 - rank


def weights(projects):
    """``{project key: 1 + normalised score}``."""
    scores = [p.score for p in projects if p.score is not None]
    low, high = (min(scores), max(scores)) if scores else (0.0, 0.0)
    result = {}
    for p in projects:
        if p.score is None:
            n = 0.0
        elif high == low:
            n = 1.0
        else:
            n = (p.score - low) / (high - low)
        result[p.key] = 1.0 + n
    return result


def ranking_order(projects):
    """Projects best first: score (none last), then label."""
    return sorted(projects, key=lambda p: (p.score is None, -(p.score or 0.0), p.label))


def total_satisfaction(projects, placed):
    """``Σ wₚ·sₚd`` of a placement (what the objective maximises after the count)."""
    k = most_wishes(projects)
    w = weights(projects)
    return sum(
        w[p.key] * satisfaction(p, placed[p.key], k)
        for p in projects
        if placed.get(p.key) is not None
    )


def check(projects, districts):
    """The reasons the constraints cannot be met that can be named before solving."""
    reasons = []
    for d in districts:
        reachable = sum(1 for p in projects if allowed(p, d.key))
        pinned = sum(1 for p in projects if p.pinned == d.key)
        if d.already + reachable < d.minimum:
            reasons.append(
                ("too_few", d, d.already + reachable, d.minimum),
            )
        if d.already + pinned > d.maximum:
            reasons.append(("too_many_pinned", d, d.already + pinned, d.maximum))
    needed = sum(max(0, d.minimum - d.already) for d in districts)
    if not reasons and needed > len(projects):
        reasons.append(("too_few_projects", None, len(projects), needed))
    return reasons


def solve(projects, districts, *, describe=None):
    """The optimal ``Proposal``; raises ``Infeasible`` with the reasons (``describe`` turns
    each ``(code, district, n, limit)`` into a sentence; the code by default)."""
    projects = ranking_order(projects)
    describe = describe or (lambda code, district, n, limit: code)
    problems = check(projects, districts)
    if problems:
        raise Infeasible([describe(*problem) for problem in problems])
    pairs = [
        (i, j) for i, p in enumerate(projects) for j, d in enumerate(districts) if allowed(p, d.key)
    ]
    if not pairs:
        return Proposal(
            placed=dict.fromkeys(p.key for p in projects), placed_count=0, satisfaction=0.0
        )
    k = most_wishes(projects)
    w = weights(projects)
    size = len(projects)
    value = np.array(
        [w[projects[i].key] * satisfaction(projects[i], districts[j].key, k) for i, j in pairs]
    )
    bonus = 1.0 + float(sum(2.0 * k for _p in projects))
    ties = np.array(
        [
            EPSILON * satisfaction(projects[i], districts[j].key, k) * (size - i) / size
            for i, j in pairs
        ]
    )
    objective = -(bonus + value + ties)  # milp minimises
    rows = lil_array((len(projects) + len(districts), len(pairs)))
    for column, (i, j) in enumerate(pairs):
        rows[i, column] = 1
        rows[len(projects) + j, column] = 1
    lower = [1 if p.pinned is not None else 0 for p in projects] + [
        max(0, d.minimum - d.already) for d in districts
    ]
    upper = [1] * len(projects) + [max(0, d.maximum - d.already) for d in districts]
    result = milp(
        objective,
        constraints=LinearConstraint(rows.tocsr(), lower, upper),
        integrality=np.ones(len(pairs)),
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 0},
    )
    if result.status != 0 or result.x is None:
        raise Infeasible([describe("no_solution", None, 0, 0)])
    placed = dict.fromkeys(p.key for p in projects)
    for column, (i, j) in enumerate(pairs):
        if result.x[column] > 0.5:
            placed[projects[i].key] = districts[j].key
    return Proposal(
        placed=placed,
        placed_count=sum(1 for v in placed.values() if v is not None),
        satisfaction=total_satisfaction(projects, placed),
    )

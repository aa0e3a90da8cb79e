"""The ranking of a call's applications from the jury's reviews.

Only the reviews that count are used: final, not abstained, by a member who declared no
conflict of interest on the application (``Review.objects.counted()``).

**Weighted total of a review** (``review_total``), stored on the review when it is finalised:
``T = Σ wᵢ·(sᵢ / maxᵢ) / Σ wᵢ × S``, where ``sᵢ`` is the score on criterion ``i``, ``wᵢ`` its
weight, ``maxᵢ`` its scale and ``S`` the largest scale of the call's criteria. When every
criterion has the same scale this is the plain weighted mean ``Σ wᵢ·sᵢ / Σ wᵢ``.

**Per application**: the ``mean`` and the ``median`` of its totals.

**Per-member normalisation**, so that a harsh and a lenient juror weigh the same: each
member's totals over the call have a mean ``μₘ`` and a standard deviation ``σₘ`` (population);
all the totals of the call have a mean ``μ`` and a standard deviation ``σ`` (population, the
"pooled" one). A total ``T`` of member ``m`` becomes ``N = μ + σ·(T − μₘ)/σₘ`` — its z-score
among the member's totals, put back on the scale — clamped to ``[0, S]``. A member whose
totals do not vary (``σₘ = 0``, e.g. a single review) tells nothing about the order: their
totals become ``μ``. The application's ``normalised`` score is the mean of its ``N``.

**Disagreement**: the ``spread`` is the sample standard deviation of the application's totals
(two reviews at least); it is ``flagged`` above the call's ``disagreement_threshold``.

Queries are bounded: the member and call statistics are SQL aggregates (mean and mean of the
squares), the reviews of the applications wanted one query; the rest is plain Python.
"""

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Avg, Count, F, Max

from calls.domain.workflow import Status
from calls.models import Application

from .models import CallJury, Criterion, Review

# A call without jury settings or criteria yet: the defaults they will get.
DEFAULT_THRESHOLD = CallJury._meta.get_field("disagreement_threshold").default
DEFAULT_SCALE = Criterion._meta.get_field("scale_max").default
# The applications a ranking lists: everything filed except what left the race.
RANKED_EXCLUDED = (Status.DRAFT, Status.WITHDRAWN, Status.INELIGIBLE)


@dataclass(frozen=True)
class Stats:
    """Count, mean and population standard deviation of some totals."""

    n: int
    mean: float
    sd: float

    @classmethod
    def of(cls, values):
        values = list(values)
        if not values:
            return cls(0, 0.0, 0.0)
        return cls(len(values), statistics.fmean(values), statistics.pstdev(values))

    @classmethod
    def from_moments(cls, n, mean, mean_of_squares):
        """From what SQL computes: the count, the mean and the mean of the squares."""
        if not n:
            return cls(0, 0.0, 0.0)
        variance = max(0.0, (mean_of_squares or 0.0) - (mean or 0.0) ** 2)
        return cls(n, float(mean), math.sqrt(variance))


@dataclass
class ApplicationScore:
    application_id: int
    reviews: int = 0
    mean: float | None = None
    median: float | None = None
    normalised: float | None = None
    spread: float | None = None
    flagged: bool = False
    recommendations: dict = field(default_factory=dict)

    @property
    def sort_key(self):
        return (
            self.normalised is None,
            -(self.normalised or 0.0),
            -(self.mean or 0.0),
        )


def review_total(values, criteria):
    """The weighted total of a review.

    ``values``: ``{criterion id: score}``; ``criteria``: objects with ``pk``, ``weight`` and
    ``scale_max``. Every criterion must be scored.
    """
    criteria = list(criteria)
    if not criteria:
        return None
    scale = max(c.scale_max for c in criteria)
    weights = sum(c.weight for c in criteria)
    # Exact fractions, so that equal scores give exactly the score (no 2.0000000000000004).
    weighted = sum(Fraction(c.weight * values[c.pk] * scale, c.scale_max) for c in criteria)
    return float(weighted / weights)


def normalise(total, member, pooled, scale):
    """The total ``total`` of a member with statistics ``member``, normalised on the call
    whose totals have statistics ``pooled``, clamped to ``[0, scale]``."""
    if member.sd <= 0:
        value = pooled.mean
    else:
        value = pooled.mean + pooled.sd * (total - member.mean) / member.sd
    return min(max(value, 0.0), float(scale))


def summarise(application_id, reviews, members, pooled, *, scale, threshold):
    """The scores of one application from its counted ``reviews``: ``(member id, total,
    recommendation)`` triples; ``members`` maps member ids to their ``Stats``."""
    result = ApplicationScore(application_id)
    totals = [total for _member, total, _rec in reviews]
    if not totals:
        return result
    result.reviews = len(totals)
    result.mean = statistics.fmean(totals)
    result.median = statistics.median(totals)
    result.normalised = statistics.fmean(
        normalise(total, members[member], pooled, scale) for member, total, _rec in reviews
    )
    result.spread = statistics.stdev(totals) if len(totals) >= 2 else None
    result.flagged = result.spread is not None and result.spread > float(threshold)
    tally = defaultdict(int)
    for _member, _total, recommendation in reviews:
        if recommendation:
            tally[recommendation] += 1
    result.recommendations = dict(tally)
    return result


def _call_settings(call_ids):
    """``{call id: (scale, threshold)}`` in two queries."""
    scales = dict(
        Criterion.objects.filter(call_id__in=call_ids)
        .values("call_id")
        .annotate(scale=Max("scale_max"))
        .values_list("call_id", "scale")
    )
    thresholds = dict(
        CallJury.objects.filter(call_id__in=call_ids).values_list(
            "call_id", "disagreement_threshold"
        )
    )
    return {
        call_id: (scales.get(call_id) or DEFAULT_SCALE, thresholds.get(call_id, DEFAULT_THRESHOLD))
        for call_id in call_ids
    }


def _member_stats(call_ids):
    rows = (
        Review.objects.counted()
        .filter(assignment__application__call_id__in=call_ids)
        .values("assignment__jury_member_id")
        .annotate(n=Count("pk"), mean=Avg("total"), squares=Avg(F("total") * F("total")))
        .values_list("assignment__jury_member_id", "n", "mean", "squares")
    )
    return {member: Stats.from_moments(n, mean, squares) for member, n, mean, squares in rows}


def _pooled_stats(call_ids):
    rows = (
        Review.objects.counted()
        .filter(assignment__application__call_id__in=call_ids)
        .values("assignment__application__call_id")
        .annotate(n=Count("pk"), mean=Avg("total"), squares=Avg(F("total") * F("total")))
        .values_list("assignment__application__call_id", "n", "mean", "squares")
    )
    return {call: Stats.from_moments(n, mean, squares) for call, n, mean, squares in rows}


def scores_for(pairs):
    """``{application id: ApplicationScore}`` for the ``(application id, call id)`` pairs, in
    five queries whatever their number or calls."""
    pairs = list(pairs)
    if not pairs:
        return {}
    call_ids = sorted({c for _a, c in pairs})
    settings = _call_settings(call_ids)
    members = _member_stats(call_ids)
    pooled = _pooled_stats(call_ids)
    reviews = defaultdict(list)
    rows = (
        Review.objects.counted()
        .filter(assignment__application_id__in=[a for a, _c in pairs])
        .order_by("pk")
        .values_list(
            "assignment__application_id",
            "assignment__jury_member_id",
            "total",
            "recommendation",
        )
    )
    for application_id, member, total, recommendation in rows:
        reviews[application_id].append((member, total, recommendation))
    result = {}
    for application_id, call_id in pairs:
        scale, threshold = settings[call_id]
        result[application_id] = summarise(
            application_id,
            reviews[application_id],
            members,
            pooled.get(call_id, Stats(0, 0.0, 0.0)),
            scale=scale,
            threshold=threshold,
        )
    return result


def rank(call):
    """Every application of ``call`` still in the race, best first: a list of
    ``(ApplicationScore, reference)``; applications without a counted review come last, by
    reference."""
    applications = list(
        Application.objects.filter(call=call)
        .exclude(status__in=RANKED_EXCLUDED)
        .order_by("reference")
        .values_list("pk", "call_id", "reference")
    )
    scores = scores_for([(pk, call_id) for pk, call_id, _ref in applications])
    ranked = [(scores[pk], reference) for pk, _call, reference in applications]
    ranked.sort(key=lambda item: (*item[0].sort_key, item[1]))
    return ranked

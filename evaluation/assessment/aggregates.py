"""The results of a campaign, as the staff dashboard, the programme report and the public page
read them: a fixed number of queries, whatever the number of experimentations.

Only what was submitted counts: the grids of the sides submitted, the protocols and outcomes of
the experimenters' sides submitted, the questionnaires submitted.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Q, Sum

from ..models import (
    Assessment,
    AssessmentSide,
    GridAnswer,
    Outcome,
    Party,
    ProgrammeFeedback,
    ProtocolIndicator,
)
from .protocol import LEVEL_LABELS, achievement

PARTIES = list(Party)
LEVELS = list(LEVEL_LABELS)
RATINGS = ("support", "training", "network")


def _round(value, places="0.1"):
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


@dataclass
class Results:
    campaign: object
    axes: list
    assessed: int = 0
    sides_expected: int = 0
    sides_submitted: dict = field(default_factory=dict)  # party -> count
    by_axis: dict = field(default_factory=dict)  # axis id -> {party: mean}
    by_district: dict = field(default_factory=dict)  # district name -> {axis id: mean}
    spread: dict = field(default_factory=dict)  # axis id -> mean (max - min) per criterion
    achievement: Counter = field(default_factory=Counter)  # level -> indicators
    outcomes: Counter = field(default_factory=Counter)  # outcome -> experimentations
    totals: dict = field(default_factory=dict)  # jobs, funds, users, contracts, amount
    satisfaction: dict = field(default_factory=dict)  # rating -> mean
    respondents: int = 0

    @property
    def indicators(self):
        return sum(self.achievement.values())


def results(campaign):
    """The ``Results`` of ``campaign``, in ten queries whatever its size."""
    axes = list(campaign.axes.order_by("position", "pk"))
    out = Results(campaign=campaign, axes=axes)
    assessments = Assessment.objects.filter(campaign=campaign)
    out.assessed = assessments.count()
    out.sides_expected = out.assessed * len(PARTIES)
    submitted = AssessmentSide.objects.filter(
        assessment__campaign=campaign, submitted_at__isnull=False
    )
    out.sides_submitted = dict.fromkeys(PARTIES, 0) | dict(
        submitted.values_list("party").annotate(n=Count("pk")).order_by()
    )
    answers = GridAnswer.objects.filter(
        side__assessment__campaign=campaign, side__submitted_at__isnull=False, score__isnull=False
    )
    for row in (
        answers.values("criterion__axis_id", "side__party").annotate(mean=Avg("score")).order_by()
    ):
        out.by_axis.setdefault(row["criterion__axis_id"], {})[row["side__party"]] = _round(
            row["mean"]
        )
    district = "side__assessment__experimentation__district__name"
    for row in (
        answers.values(district, "criterion__axis_id")
        .annotate(mean=Avg("score"))
        .order_by(district)
    ):
        out.by_district.setdefault(row[district], {})[row["criterion__axis_id"]] = _round(
            row["mean"]
        )
    # The spread: per experimentation and criterion, how far apart the parties' scores are
    per_item = defaultdict(list)
    for row in answers.values_list(
        "side__assessment_id", "criterion_id", "criterion__axis_id", "score"
    ).order_by():
        per_item[(row[0], row[1], row[2])].append(row[3])
    spreads = defaultdict(list)
    for (_a, _c, axis_id), scores in per_item.items():
        if len(scores) > 1:
            spreads[axis_id].append(max(scores) - min(scores))
    out.spread = {axis: _round(sum(v) / len(v)) for axis, v in spreads.items()}
    filed = Q(
        assessment__sides__party=Party.EXPERIMENTER, assessment__sides__submitted_at__isnull=False
    )
    indicators = ProtocolIndicator.objects.filter(filed, assessment__campaign=campaign)
    out.achievement = Counter(dict.fromkeys(LEVELS, 0))
    for indicator in indicators.only("baseline", "target", "measured"):
        out.achievement[achievement(indicator).level] += 1
    told = assessments.filter(
        sides__party=Party.EXPERIMENTER, sides__submitted_at__isnull=False
    ).exclude(outcome="")
    out.outcomes = Counter(
        dict.fromkeys(Outcome, 0)
        | dict(told.values_list("outcome").annotate(n=Count("pk")).order_by())
    )
    sums = told.aggregate(
        jobs=Sum("jobs_created"),
        funds=Sum("funds_raised"),
        users=Sum("users_reached"),
        contracts=Sum("contracts"),
        amount=Sum("contracts_amount"),
    )
    out.totals = {key: value or 0 for key, value in sums.items()}
    feedback = ProgrammeFeedback.objects.filter(campaign=campaign, submitted_at__isnull=False)
    means = feedback.aggregate(n=Count("pk"), **{r: Avg(r) for r in RATINGS})
    out.respondents = means.pop("n")
    out.satisfaction = {r: _round(means[r]) for r in RATINGS}
    return out

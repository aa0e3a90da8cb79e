"""The ranking: weighted totals, mean and median, per-member normalisation, disagreement —
on examples worked out by hand (each test's docstring shows the arithmetic)."""

import math
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluation import ranking
from evaluation.models import Review
from tests.factories import (
    CallFactory,
    CriterionFactory,
    JuryMemberFactory,
    SubmittedApplicationFactory,
    assigned,
    jury,
    scored,
)


def criterion(pk, weight, scale_max):
    return SimpleNamespace(pk=pk, weight=weight, scale_max=scale_max)


# --- Pure functions ---------------------------------------------------------------------------


def test_review_total_is_the_weighted_mean_on_one_scale():
    """Weights 3, 2, 1 on a 0–5 scale, scores 4, 3, 5:
    (3×4 + 2×3 + 1×5) / (3 + 2 + 1) = (12 + 6 + 5) / 6 = 23 / 6 = 3.8333…"""
    criteria = [criterion(1, 3, 5), criterion(2, 2, 5), criterion(3, 1, 5)]

    total = ranking.review_total({1: 4, 2: 3, 3: 5}, criteria)

    assert total == pytest.approx(23 / 6)


def test_review_total_mixed_scales_on_the_largest_scale():
    """A: weight 1, 5 out of 5 (100 %); B: weight 1, 5 out of 10 (50 %). On the largest scale
    (10): (1×5/5 + 1×5/10) / 2 × 10 = (1 + 0.5) / 2 × 10 = 7.5."""
    criteria = [criterion(1, 1, 5), criterion(2, 1, 10)]

    total = ranking.review_total({1: 5, 2: 5}, criteria)

    assert total == pytest.approx(7.5)


def test_normalise_puts_a_total_back_on_the_pooled_scale():
    """Member totals 2, 4, 6: μₘ = 4, σₘ = √(8/3) = 1.63299. Pooled μ = 6, σ = 2.58199.
    T = 2: z = (2 − 4) / 1.63299 = −1.22474; N = 6 + 2.58199 × (−1.22474) = 2.83772."""
    member = ranking.Stats.of([2, 4, 6])
    pooled = ranking.Stats.of([2, 4, 6, 6, 8, 10])

    assert (member.mean, pooled.mean) == (4, 6)
    assert ranking.normalise(2, member, pooled, 10) == pytest.approx(6 - math.sqrt(10))


def test_normalise_member_without_variation_gives_the_pooled_mean():
    """A member with one review (σₘ = 0) says nothing about the order: N = μ = 6."""
    assert ranking.normalise(9, ranking.Stats.of([9]), ranking.Stats.of([2, 10]), 10) == 6


def test_normalise_is_clamped_to_the_scale():
    """μₘ = 1.5, σₘ = 0.5; T = 2: z = 1; pooled μ = 4.5, σ = 1: N = 5.5 → clamped to 5."""
    member = ranking.Stats(2, 1.5, 0.5)
    pooled = ranking.Stats(4, 4.5, 1.0)

    assert ranking.normalise(2, member, pooled, 5) == 5


def test_stats_from_sql_moments_match_python():
    """2, 4, 6: mean 4, mean of squares (4 + 16 + 36) / 3 = 56 / 3; variance 56/3 − 16 = 8/3."""
    from_sql = ranking.Stats.from_moments(3, 4.0, 56 / 3)

    assert from_sql.sd == pytest.approx(ranking.Stats.of([2, 4, 6]).sd)


def test_summarise_mean_median_spread_and_flag():
    """Totals 2, 3 and 10 (members 1, 2, 3 who vary none: N = μ = 5 each).
    Mean (2 + 3 + 10) / 3 = 5; median 3; sample standard deviation
    √(((2−5)² + (3−5)² + (10−5)²) / 2) = √(38 / 2) = √19 = 4.3589 > 1.5: flagged."""
    flat = ranking.Stats(1, 0.0, 0.0)
    reviews = [(1, 2.0, "reject"), (2, 3.0, "waitlist"), (3, 10.0, "select")]

    result = ranking.summarise(
        7, reviews, {1: flat, 2: flat, 3: flat}, ranking.Stats(3, 5.0, 3.5), scale=10, threshold=1.5
    )

    assert (result.reviews, result.mean, result.median, result.normalised) == (3, 5, 3, 5)
    assert result.spread == pytest.approx(math.sqrt(19))
    assert result.flagged is True
    assert result.recommendations == {"reject": 1, "waitlist": 1, "select": 1}


def test_summarise_small_spread_not_flagged():
    """Totals 3 and 4: sample standard deviation √(((3−3.5)² + (4−3.5)²) / 1) = 0.7071 ≤ 1.5."""
    flat = ranking.Stats(1, 0.0, 0.0)

    result = ranking.summarise(
        1, [(1, 3.0, ""), (2, 4.0, "")], {1: flat, 2: flat}, flat, scale=5, threshold=1.5
    )

    assert (round(result.spread, 4), result.flagged) == (0.7071, False)


def test_summarise_one_review_has_no_spread():
    flat = ranking.Stats(1, 0.0, 0.0)

    result = ranking.summarise(1, [(1, 3.0, "")], {1: flat}, flat, scale=5, threshold=1.5)

    assert (result.spread, result.flagged) == (None, False)


# --- From the database ------------------------------------------------------------------------


@pytest.fixture
def call(db):
    call = CallFactory()
    CriterionFactory(call=call, weight=1, scale_max=10)
    jury(call, phase="deliberation", threshold=1.5)
    return call


@pytest.fixture
def harsh_and_lenient(call):
    """Two members reviewing the same three applications A, B, C (one criterion, 0–10)."""
    applications = [SubmittedApplicationFactory(call=call) for _ in range(3)]
    harsh, lenient = JuryMemberFactory(call=call), JuryMemberFactory(call=call)
    for application, h, l_ in zip(applications, [2, 4, 6], [6, 8, 10], strict=True):
        scored(assigned(harsh, application, conflict=False), [h])
        scored(assigned(lenient, application, conflict=False), [l_])
    return applications


def test_ranking_harsh_and_lenient_members_worked_example(harsh_and_lenient):
    """Harsh gives A, B, C 2, 4, 6 (μ = 4, σ = 1.63299); lenient 6, 8, 10 (μ = 8, same σ).
    Pooled over 2, 4, 6, 6, 8, 10: μ = 6, σ = √(40/6) = 2.58199.
    z of A = −1.22474 for both: N(A) = 6 − 2.58199 × 1.22474 = 6 − √10 = 2.83772;
    N(B) = 6; N(C) = 6 + √10 = 9.16228.
    Raw means 4, 6, 8; spread of A = stdev(2, 6) = 2.82843 > 1.5: flagged."""
    a, b, c = harsh_and_lenient

    scores = ranking.scores_for([(x.pk, x.call_id) for x in (a, b, c)])

    assert [round(scores[x.pk].normalised, 5) for x in (a, b, c)] == [2.83772, 6.0, 9.16228]
    assert [scores[x.pk].mean for x in (a, b, c)] == [4, 6, 8]
    assert (round(scores[a.pk].spread, 5), scores[a.pk].flagged) == (2.82843, True)


def test_ranking_harsh_and_lenient_weigh_the_same(call):
    """X is reviewed by the harsh member only, Y by the lenient one only; both also review P
    and Q. Harsh: X 5, P 3, Q 1 (μ 3); lenient: Y 9, P 7, Q 5 (μ 7); both σ = 1.63299.
    Pooled over 5, 3, 1, 9, 7, 5: μ = 5, σ = 2.58199. X and Y are each one's best by the same
    margin: z = 1.22474 → N = 5 + √10 = 8.16228 for both, though their raw means are 5 and 9."""
    x, y, p, q = (SubmittedApplicationFactory(call=call) for _ in range(4))
    harsh, lenient = JuryMemberFactory(call=call), JuryMemberFactory(call=call)
    for application, value in ((x, 5), (p, 3), (q, 1)):
        scored(assigned(harsh, application, conflict=False), [value])
    for application, value in ((y, 9), (p, 7), (q, 5)):
        scored(assigned(lenient, application, conflict=False), [value])

    scores = ranking.scores_for([(a.pk, a.call_id) for a in (x, y)])

    assert (scores[x.pk].mean, scores[y.pk].mean) == (5, 9)
    assert round(scores[x.pk].normalised, 5) == round(scores[y.pk].normalised, 5) == 8.16228


def test_ranking_order_by_normalised_score(harsh_and_lenient, call):
    a, b, c = harsh_and_lenient
    unreviewed = SubmittedApplicationFactory(call=call)

    ranked = [reference for _score, reference in ranking.rank(call)]

    assert ranked == [c.reference, b.reference, a.reference, unreviewed.reference]


def test_ranking_leaves_out_conflicted_abstained_and_draft_reviews(call):
    """Only the final review of 6 counts: the conflicted member's 0, the abstention and the
    draft are left out. Mean 6, one review, no spread."""
    application = SubmittedApplicationFactory(call=call)
    counted = JuryMemberFactory(call=call)
    scored(assigned(counted, application, conflict=False), [6])
    conflicted = assigned(JuryMemberFactory(call=call), application, conflict=False)
    scored(conflicted, [0])
    conflicted.conflict.has_conflict = True  # discovered a conflict after scoring
    conflicted.conflict.reason = "Conseil de la commune."
    conflicted.conflict.save()
    scored(assigned(JuryMemberFactory(call=call), application, conflict=False), [1], abstain=True)
    scored(assigned(JuryMemberFactory(call=call), application, conflict=False), [2], final=False)

    score = ranking.scores_for([(application.pk, call.pk)])[application.pk]

    assert (score.reviews, score.mean, score.spread) == (1, 6, None)
    assert Review.objects.filter(assignment__application=application).count() == 4


def test_scores_for_query_count_does_not_grow(harsh_and_lenient, call):
    pairs = [(a.pk, a.call_id) for a in harsh_and_lenient]

    with CaptureQueriesContext(connection) as one:
        ranking.scores_for(pairs[:1])
    with CaptureQueriesContext(connection) as three:
        ranking.scores_for(pairs)

    assert len(one.captured_queries) == len(three.captured_queries) == 5


def test_changing_a_weight_recomputes_the_stored_totals(call):
    """Two criteria on 0–10, weights 1 and 1, scores 8 and 2: total 5. Weight of the first
    becomes 3: (3×8 + 1×2) / 4 = 26 / 4 = 6.5."""
    second = CriterionFactory(call=call, weight=1, scale_max=10)
    application = SubmittedApplicationFactory(call=call)
    review = scored(assigned(JuryMemberFactory(call=call), application, conflict=False), [8, 2])
    assert review.total == 5
    first = call.criteria.exclude(pk=second.pk).get()

    first.weight = 3
    first.save()

    review.refresh_from_db()
    assert review.total == 6.5

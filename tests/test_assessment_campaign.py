"""The assessment's campaign: its grid, the experimentations it covers, each party's close
(the deadline rule to the second, extensions recorded with their reason and told), the
reminders before the close (each once), the protocol's computed achievement and the results
(worked examples)."""

import pytest

from evaluation.assessment import aggregates
from tests.factories import an_experimentation, assessed, filled_side

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def test_smoke(staff):
    assessment = assessed(an_experimentation(staff))
    for party in ("experimenter", "municipality", "manager"):
        filled_side(assessment, party, score=4)
    results = aggregates.results(assessment.campaign)
    assert results.sides_submitted == {"experimenter": 1, "municipality": 1, "manager": 1}

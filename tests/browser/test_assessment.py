"""The 2026 assessment, as a municipal referent acts: from "My space" to their side of an
experimentation's assessment, a score and a justification for every criterion of the grid, a
comment on the protocol, submitted; the side then reads as submitted."""

import pytest
from playwright.sync_api import expect

from evaluation.assessment.grid import criteria_of
from evaluation.models import AssessmentSide
from tests.browser.helpers import audit, sign_in
from tests.factories import StaffFactory, an_experimentation, assessed, people_around

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_municipal_referent_scores_and_submits_their_side(page):
    staff = StaffFactory()
    assessment = assessed(an_experimentation(staff))
    referent = people_around(assessment.experimentation, staff)["municipality"]

    sign_in(page, referent, next_url="/bilan/")
    audit(page, reflow=True)
    page.locator(f"a[href$='/bilan/{assessment.pk}/municipality/']").first.click()
    expect(page.locator("#side-form")).to_be_visible()
    audit(page, reflow=True)

    for criterion in criteria_of(assessment.campaign):
        page.locator(f"input[name='answer-{criterion.pk}-score'][value='4']").check()
        page.locator(f"#id_answer-{criterion.pk}-justification").fill(
            f"Constaté sur le terrain ({criterion.title})."
        )
    page.locator("[name=protocol_comment]").fill("Des indicateurs solides.")
    page.get_by_role("button", name="Déposer mon volet").click()

    expect(page.get_by_text("Votre volet a été déposé le").first).to_be_visible()
    side = AssessmentSide.objects.get(assessment=assessment, party="municipality")
    assert side.is_submitted and side.submitted_by == referent
    assert set(side.answers.values_list("score", flat=True)) == {4}
    audit(page, reflow=True)

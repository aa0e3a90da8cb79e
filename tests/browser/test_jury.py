"""A jury member signs in (second step), declares no conflict of interest, reads the dossier,
scores it and builds the pack of the dossiers, watching its progress."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import audit, sign_in
from tests.factories import (
    CallFactory,
    CriterionFactory,
    JuryMemberFactory,
    SubmittedApplicationFactory,
    assigned,
    close,
    jury,
    take,
    with_second_factor,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Violations in templates/evaluation/** (owned by another developer, reported to the lead):
# allowed here only, rule by rule, until they are fixed. Remove a rule once it is fixed.
JURY_TEMPLATES_ALLOW = ()


def test_juror_declares_reads_scores_and_builds_the_pack(page, context, live_server):
    call = CallFactory(title="Appel des communes 2026", title_en="Call for municipalities 2026")
    application = take(SubmittedApplicationFactory(call=call), "mark_eligible")
    close(call)
    jury(call, phase="scoring", k=1)
    CriterionFactory(call=call, label="Pertinence", label_en="Relevance", scale_max=5)
    member = JuryMemberFactory(call=call)
    assigned(member, application)
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])

    def check(page):
        audit(page, allow=JURY_TEMPLATES_ALLOW)

    sign_in(page, member.user, secret=with_second_factor(member.user), next_url="/jury/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Jury space")
    check(page)

    page.get_by_role("link", name="Call for municipalities 2026").click()
    check(page)
    page.get_by_role("button", name=re.compile("I declare no conflict of interest")).click()
    expect(page.get_by_role("link", name=application.reference)).to_be_visible()
    check(page)

    page.get_by_role("link", name=application.reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(application.reference)
    check(page)

    page.goto(f"/jury/dossiers/{application.reference}/evaluation/")
    check(page)
    page.get_by_role("group", name=re.compile("Relevance")).get_by_role("spinbutton").fill("4")
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Finalise my review").click()
    page.wait_for_load_state("load")
    check(page)

    page.goto("/jury/")
    page.get_by_role("link", name=re.compile("Packs of my dossiers")).click()
    check(page)
    page.get_by_role("button", name="Build").click()
    progress = page.locator("#export-job")
    expect(progress.locator("[data-field=download]")).to_be_visible()
    expect(progress.get_by_role("link").first).to_be_visible()
    check(page)

    # WCAG 1.4.12: with the text spacing a reader may set, the jury's menu wraps rather than
    # overflowing the page (set through the CSSOM: the CSP refuses an injected style element)
    page.goto("/jury/")
    widths = page.evaluate(
        """() => {
            for (const el of document.querySelectorAll("body *")) {
                el.style.lineHeight = "1.5";
                el.style.letterSpacing = "0.12em";
                el.style.wordSpacing = "0.16em";
            }
            const nav = document.querySelector("header nav") || document.querySelector("nav");
            return [document.documentElement.scrollWidth, window.innerWidth,
                    nav.scrollWidth, nav.clientWidth];
        }"""
    )
    page_width, viewport, menu_width, menu_box = widths
    assert page_width <= viewport and menu_width <= menu_box + 1, widths

"""Staff screen the applications in the admin, set up the jury (settings, a member, a
criterion), assign automatically, rank, decide and publish; the public reads the results.
The jury's scores are made with factories (the jury journey scores in the browser)."""

import re

import pytest
from playwright.sync_api import expect

from evaluation.models import Assignment, JuryMember
from tests.browser.helpers import audit, sign_in
from tests.factories import (
    CallFactory,
    StaffFactory,
    SubmittedApplicationFactory,
    UserFactory,
    close,
    scored,
    with_second_factor,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def run_action(page, name, references):
    """Tick the rows of ``references`` in the change list, choose the action, confirm it."""
    for reference in references:
        page.get_by_role("row", name=re.compile(reference)).get_by_role("checkbox").check()
    options = page.locator("select[name=action] option").all()
    label = next(o.inner_text() for o in options if re.fullmatch(name, o.inner_text().strip()))
    page.locator("select[name=action]").select_option(label=label)
    page.get_by_role("button", name=re.compile("^(Go|Envoyer)$")).click()
    page.wait_for_load_state("load")
    audit(page)
    confirm = page.locator("#content form .submit-row input[type=submit]")
    if confirm.count():  # a transition that asks for a confirmation (or a reason)
        confirm.click()
    expect(page.locator(".messagelist")).to_contain_text(re.compile("2 applications"))


def test_staff_screen_set_up_the_jury_assign_rank_decide_and_publish(page, context, live_server):
    call = CallFactory(title="Appel des communes 2026", title_en="Call for municipalities 2026")
    applications = [SubmittedApplicationFactory(call=call) for _ in range(2)]
    references = [a.reference for a in applications]
    close(call)
    staff = StaffFactory(first_name="Sam", last_name="Staff")
    juror = UserFactory(email="jury.one@jury.example")
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])

    sign_in(page, staff, secret=with_second_factor(staff), next_url="/admin/", check=audit)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    audit(page)

    # Screening: both applications are eligible, then shortlisted.
    page.goto(f"/admin/calls/application/?call__id__exact={call.pk}")
    audit(page)
    run_action(page, r"(?i).*\beligible.*", references)
    page.goto(f"/admin/calls/application/?call__id__exact={call.pk}")
    run_action(page, r"(?i)shortlist.*", references)

    # The jury: settings, one member, one criterion.
    page.goto(f"/admin/calls/call/{call.pk}/change/")
    audit(page)
    page.locator("select[name$=phase]").first.select_option(index=2)
    page.locator("input[name$=reviewers_per_application]").first.fill("1")
    page.locator("#jury_members-0 .select2-selection").click()
    page.locator(".select2-search__field").fill("jury.one")
    page.get_by_role("option", name=re.compile("jury.one")).click()
    page.locator("input[name$='-0-label']").first.fill("Pertinence")
    page.locator("input[name$='-0-label_en']").first.fill("Relevance")
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_be_visible()
    audit(page)
    member = JuryMember.objects.get(call=call, user=juror)

    page.get_by_role("link", name="Ranking, decisions and publication").click()
    audit(page)
    page.get_by_role("button", name="Assign automatically").click()
    expect(page.locator(".messagelist")).to_be_visible()
    assignments = Assignment.objects.filter(jury_member=member)
    assert assignments.count() == 2
    # The jury scores (in the browser in the jury journey).
    for assignment, value in zip(
        assignments.order_by("application__reference"), (5, 2), strict=True
    ):
        scored(assignment, [value], recommendation="select" if value > 3 else "reject")

    page.reload()
    first, second = references
    expect(page.locator("#content tbody tr").first).to_contain_text(first)
    audit(page)
    page.get_by_label(f"Decision on {first}").select_option("selected")
    page.get_by_label(f"Decision on {second}").select_option("rejected")
    reasons = page.get_by_label("Reason shared")
    reasons.nth(0).fill("Un dossier solide.")
    reasons.nth(1).fill("Moins abouti.")
    page.get_by_role("button", name="Record the decisions of this page").click()
    expect(page.locator(".messagelist")).to_be_visible()
    audit(page)

    page.goto(f"/admin/calls/call/{call.pk}/publish/")
    audit(page)
    page.get_by_role("button", name="Publish the results now").click()
    expect(page.locator(".messagelist")).to_contain_text(re.compile("publish", re.I))
    audit(page)

    page.goto(f"/appels/{call.slug}/resultats/")
    expect(page.get_by_role("main")).to_contain_text(applications[0].applicant.name)
    audit(page, reflow=True)

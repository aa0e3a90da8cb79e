"""An experimenter creates the organisation's profile, answers the screening, goes through
every step of the project and submits it."""

import re

import pytest
from playwright.sync_api import expect

from calls.models import Application
from experimenters import verification
from experimenters.models import Organisation
from tests.browser.helpers import audit, sign_in
from tests.factories import (
    ExperimenterCallFactory,
    StaffFactory,
    UserFactory,
    fill_project,
    siret_for,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def label(text):
    return re.compile(r"^\s*" + re.escape(text).replace("\\ ", " "))


def test_experimenter_creates_the_organisation_screens_steps_and_submits(
    page, context, live_server, outbox
):
    call = ExperimenterCallFactory(title_en="Call for experimenters 2026")
    owner = UserFactory(first_name="Léa", last_name="Durand")
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])

    sign_in(page, owner)
    page.goto(f"/appels/{call.slug}/")
    audit(page, reflow=True)
    page.get_by_role("link", name="Apply").first.click()
    expect(page).to_have_url(re.compile("/organisations/nouvelle/"))
    audit(page, reflow=True)
    page.locator("main [name=legal_name]").fill("Fraîcheur Urbaine")
    page.locator("input[name=structure_type]").first.check()
    page.locator("main [name=description]").fill("Des capteurs pour les cours d'école.")
    page.locator("main [name=created_on]").fill("2022-03-01")
    page.locator("main [name=headcount]").fill("6")
    page.locator("main [name=siret]").fill(siret_for(4242))
    page.locator("main [name=address]").fill("10 rue de l'Innovation")
    page.locator("main [name=postal_code]").fill("75011")
    page.locator("main [name=city]").fill("Paris")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state("load")
    audit(page, reflow=True)
    organisation = Organisation.objects.get(legal_name="Fraîcheur Urbaine")
    verification.verify(organisation, by=StaffFactory())  # Paris&Co's check (staff side)

    page.goto(f"/appels/{call.slug}/candidater/")
    audit(page, reflow=True)
    for name, value in (
        ("structure_type", "startup"),
        ("stage", "prototype"),
        ("commercialised", "no"),
        ("can_deploy", "yes"),
    ):
        page.locator(f"main input[name={name}][value={value}]").check()
    page.locator("main input[name=challenges]").first.check()
    page.get_by_role("button", name="Check and start my application").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("QMI2-E-")
    audit(page, reflow=True)

    # The answers themselves come from the samples: the steps are walked in the browser.
    application = Application.objects.get(applicant=organisation.applicant)
    fill_project(application)
    page.reload()
    steps = page.get_by_role("navigation", name=re.compile("complete", re.I)).get_by_role("link")
    for index in range(steps.count()):
        steps.nth(index).click()
        page.wait_for_load_state("load")
        audit(page, reflow=True)

    page.get_by_role("button", name=re.compile("Review and submit")).first.click()
    audit(page, reflow=True)
    outbox.clear()
    page.get_by_role("button", name="Submit the application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your application is submitted")
    audit(page, reflow=True)
    assert [owner.email] in [message.to for message in outbox]

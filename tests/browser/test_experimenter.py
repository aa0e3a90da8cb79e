"""An experimenter creates the organisation's profile, answers the screening, goes through
every step of the project and submits it: by keyboard alone in French, then with the mouse in
English."""

import re

import pytest
from playwright.sync_api import expect

from calls.domain import samples
from calls.models import Application
from experimenters import verification
from experimenters.models import Organisation
from tests.browser.helpers import (
    audit,
    choose,
    sign_in,
    skip_to_main,
    tab_to,
    tick,
    type_into,
)
from tests.factories import (
    PASSWORD,
    ExperimenterCallFactory,
    StaffFactory,
    UserFactory,
    fill_project,
    siret_for,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def label(text):
    return re.compile(r"^\s*" + re.escape(text).replace("\\ ", " "))


@pytest.fixture
def pitch_deck(tmp_path):
    path = tmp_path / "pitch-deck.pdf"
    path.write_bytes(samples.sample_pdf(title="Fraîcheur Urbaine"))
    return path


def press(page, button, *, then):
    """Tab to ``button``, press Enter and wait for the page ``then`` (a URL pattern)."""
    tab_to(page, button)
    page.keyboard.press("Enter")
    expect(page).to_have_url(then)
    page.wait_for_load_state("load")


def arrive(page):
    """On a new page: axe (and reflow) on it, then past the header by the skip link."""
    audit(page, reflow=True)
    skip_to_main(page)


def test_experimenter_applies_by_keyboard_alone(page, outbox, pitch_deck):
    """Tab, Shift+Tab, arrows, Space, Enter and typing only: no click, the focus always shows.
    axe and reflow on every page, in French (and English the first time)."""
    call = ExperimenterCallFactory(title="Appel à expérimentations 2026")
    owner = UserFactory(first_name="Léa", last_name="Durand")
    main = page.locator("main")

    page.goto("/accounts/login/")
    arrive(page)
    type_into(page, main.locator("input[name=login]"), owner.email)
    type_into(page, main.locator("input[name=password]"), PASSWORD)
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile("/accounts/login/"))

    page.goto(f"/appels/{call.slug}/")
    arrive(page)
    apply = main.get_by_role("link", name="Candidater")
    press(page, apply, then=re.compile("/organisations/nouvelle/"))
    arrive(page)

    # The organisation: its owner waits for its verification, and may draft meanwhile.
    type_into(page, main.locator("[name=legal_name]"), "Fraîcheur Urbaine")
    choose(page, main.locator("input[name=structure_type][value=startup]"))
    type_into(page, main.locator("[name=description]"), "Des capteurs de fraîcheur.")
    tab_to(page, main.locator("[name=created_on]"))
    # Segment by segment; the day is the month, so that the browser's order (dd/mm or mm/dd,
    # from its own language, not the page's) does not matter.
    page.keyboard.type("03032022")
    expect(main.locator("[name=created_on]")).to_have_value("2022-03-03")
    type_into(page, main.locator("[name=headcount]"), "6")
    choose(page, main.locator("input[name=is_foreign][value=no]"))
    type_into(page, main.locator("[name=siret]"), siret_for(4343))
    type_into(page, main.locator("[name=address]"), "10 rue Oberkampf")
    type_into(page, main.locator("[name=postal_code]"), "75011")
    type_into(page, main.locator("[name=city]"), "Paris")
    create = main.get_by_role("button", name=re.compile("^Créer"))
    press(page, create, then=re.compile(f"/appels/{call.slug}/candidater/"))
    organisation = Organisation.objects.get(legal_name="Fraîcheur Urbaine")
    assert organisation.applicant.awaits_verification
    arrive(page)

    # The screening.
    for name, value in (
        ("structure_type", "startup"),
        ("stage", "prototype"),
        ("commercialised", "no"),
    ):
        choose(page, main.locator(f"input[name={name}][value={value}]"))
    tick(page, main.locator("input[name=challenges]").first)
    choose(page, main.locator("input[name=can_deploy][value=yes]"))
    start = main.get_by_role("button", name="Vérifier et commencer ma candidature")
    press(page, start, then=re.compile("/candidatures/QMI2-E-"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("QMI2-E-")
    arrive(page)

    # The long answers come from the samples (the pitch deck is uploaded below); the first
    # step's link shows them; each step then gets a few answers by keyboard before going on.
    application = Application.objects.get(applicant=organisation.applicant)
    fill_project(application, attach=False)
    steps = main.get_by_role("navigation", name=re.compile("compl", re.I)).get_by_role("link")
    keys = [re.search(r"step=(\w+)", link.get_attribute("href")).group(1) for link in steps.all()]
    assert keys[0] == "project" and len(keys) == 6, keys
    press(page, steps.first, then=re.compile("step=project"))
    arrive(page)
    form = main.locator("#application-form")
    for key, following in zip(keys, [*keys[1:], None], strict=True):
        section = form.locator(f"#section-{key}")
        expect(section).to_be_visible()
        if key == "project":
            type_into(page, section.locator("[name=title]"), "Capteurs de fraîcheur")
            choose(page, section.locator("input[name=maturity][value=real-conditions]"))
        elif key == "districts":
            unticked = section.locator("input[name=challenges]:not(:checked)")
            if unticked.count():  # the samples tick some: one more
                value = unticked.first.get_attribute("value")
                tick(page, section.locator(f"input[name=challenges][value='{value}']"))
            type_into(page, section.locator("[name=wishes-0-reason]"), "Une cour d'école.")
        elif key == "deployment":
            tick(page, section.locator("input[name=needs_energy]"))
            type_into(page, section.locator("[name=duration_months]"), "12")
        elif key == "impact":
            type_into(page, section.locator("[name=impact_measurement]"), "Relevés mensuels.")
        elif key == "budget_team":
            type_into(page, section.locator("[name=budget]"), "45000")
            type_into(page, section.locator("[name=team-0-role]"), "Cheffe de projet")
        elif key == "attachments":
            tab_to(page, section.locator("input[name=pitch_deck]"))
            with page.expect_file_chooser() as chooser:
                page.keyboard.press("Space")
            chooser.value.set_files(pitch_deck)
        if following:
            go_on = form.get_by_role("button", name="Enregistrer et continuer")
            press(page, go_on, then=re.compile(f"step={following}"))
            arrive(page)

    # Paris&Co verifies the organisation (staff side) before its owner submits.
    verification.verify(organisation, by=StaffFactory())
    review = form.get_by_role("button", name="Relire et déposer")
    press(page, review, then=re.compile("/relire/"))
    expect(main).to_contain_text("pitch-deck.pdf")
    expect(main).to_contain_text("Capteurs de fraîcheur")
    arrive(page)
    outbox.clear()
    tab_to(page, main.get_by_role("button", name="Déposer la candidature"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre candidature est déposée")
    expect(main).to_contain_text("QMI2-E-")
    audit(page, reflow=True)
    assert [owner.email] in [message.to for message in outbox]
    content = Application.objects.get(pk=application.pk).content
    assert (content.title, content.maturity, content.duration_months) == (
        "Capteurs de fraîcheur",
        "real-conditions",
        12,
    )
    assert content.needs_energy and content.budget == 45000


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
    # Back to the screening, where the owner learns the organisation awaits verification.
    expect(page).to_have_url(re.compile(f"/appels/{call.slug}/candidater/"))
    audit(page, reflow=True)
    organisation = Organisation.objects.get(legal_name="Fraîcheur Urbaine")
    verification.verify(organisation, by=StaffFactory())  # Paris&Co's check (staff side)
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
    steps = page.get_by_role("navigation", name=re.compile("complete", re.I)).get_by_role("link")
    for index in range(steps.count()):  # the first step's link shows the answers filled
        step = steps.nth(index).get_attribute("href")  # ?step=…
        steps.nth(index).click()
        expect(page).to_have_url(re.compile(re.escape(step) + "$"))
        audit(page, reflow=True)

    page.get_by_role("button", name=re.compile("Review and submit")).first.click()
    audit(page, reflow=True)
    outbox.clear()
    page.get_by_role("button", name="Submit the application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your application is submitted")
    audit(page, reflow=True)
    assert [owner.email] in [message.to for message in outbox]

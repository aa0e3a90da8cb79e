"""A municipal officer asks to act for the commune, is confirmed by staff, fills the
application (autosaved: it survives a reload and a lost connection), uploads the deliberation,
submits and gets the receipt. Then the same application by keyboard alone."""

import re

import pytest
from playwright.sync_api import expect

from calls.domain import samples
from municipalities.models import Commune
from qmi.models import Membership
from qmi.services import confirm_membership
from tests.browser.helpers import audit, sign_in, tab_to, type_into
from tests.factories import CallFactory, MembershipFactory, StaffFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def label(text):
    """A label that starts with ``text`` (the required mark follows it)."""
    return re.compile(r"^\s*" + re.escape(text).replace("\\ ", " "))


@pytest.fixture
def deliberation(tmp_path):
    path = tmp_path / "deliberation.pdf"
    path.write_bytes(samples.sample_pdf(title="Délibération"))
    return path


def saved(page):
    expect(page.locator("[data-autosave-status]")).to_contain_text(re.compile(r"Enregistré"))


def test_officer_joins_is_confirmed_fills_autosaves_uploads_and_submits(
    page, context, outbox, deliberation
):
    call = CallFactory(title="Appel des communes 2026")
    officer = UserFactory(first_name="Inès", last_name="Robert")
    montreuil = Commune.objects.get(name="Montreuil")

    sign_in(page, officer, check=lambda p: audit(p, reflow=True))
    page.goto("/communes/rejoindre/")
    audit(page, reflow=True)
    page.get_by_role("combobox", name=label("Commune")).select_option(label="Montreuil (93)")
    page.get_by_label(label("Votre fonction")).fill("Chargée de mission innovation")
    page.get_by_role("button", name="Envoyer ma demande").click()
    expect(page.get_by_role("status").first).to_contain_text("Montreuil")
    audit(page, reflow=True)

    # Staff confirm the request (their side is the staff journey); the officer is told.
    membership = Membership.objects.get(user=officer, applicant__commune=montreuil)
    confirm_membership(membership, by=StaffFactory())
    assert any(officer.email in message.to for message in outbox)

    page.goto(f"/appels/{call.slug}/")
    page.get_by_role("link", name="Candidater").first.click()
    audit(page, reflow=True)
    page.get_by_role("button", name="Commencer ma candidature").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Candidature QMI2-M-")
    audit(page, reflow=True)

    district = page.get_by_role("group", name="Le quartier d’innovation proposé")
    district.get_by_label(label("Nom du quartier")).fill("Quartier de la gare")
    saved(page)

    # A reload keeps what was typed.
    page.reload()
    expect(district.get_by_label(label("Nom du quartier"))).to_have_value("Quartier de la gare")

    # The connection drops while typing: the page says so, then saves when it is back.
    context.set_offline(True)
    district.get_by_label(label("Habitants concernés")).fill("12000")
    expect(page.locator("[data-autosave-status]")).to_contain_text("pas de connexion")
    context.set_offline(False)
    saved(page)
    page.reload()
    expect(district.get_by_label(label("Habitants concernés"))).to_have_value("12000")

    district.get_by_role("radio", name="Quartier de gare").check()
    district.get_by_label(label("Localisation et périmètre")).fill("Autour de la gare RER.")
    district.get_by_label(label("Projets en cours")).fill("Rénovation du pôle gare.")
    challenges = page.get_by_role("group", name="Défis urbains et motivation")
    challenges.get_by_role("checkbox", name="Adaptation au changement climatique").check()
    challenges.get_by_label(label("Enjeux locaux")).fill("Îlots de chaleur autour de la gare.")
    offer = page.get_by_role("group", name="Ce que la commune offre aux expérimentateurs")
    offer.get_by_role("textbox").fill("Deux sites et un agent référent.")
    for box in page.get_by_role("group", name="Engagements").get_by_role("checkbox").all():
        box.check()
    for group, person in (("Élu référent", "Mme Adjointe"), ("Référent technique", "M. Tech")):
        section = page.get_by_role("group", name=group)
        section.get_by_label(label("Nom")).fill(person)
        section.get_by_label(label("Fonction")).fill("Adjointe au maire")
        section.get_by_label(label("Adresse électronique")).fill("referent@montreuil.example")
        section.get_by_label(label("Téléphone")).fill("01 48 70 60 00")
    saved(page)
    page.get_by_label(label("Délibération du conseil municipal")).set_input_files(deliberation)
    audit(page, reflow=True)

    page.get_by_role("button", name="Relire et déposer").click()
    expect(page.get_by_text("deliberation.pdf").first).to_be_visible()
    audit(page, reflow=True)
    outbox.clear()
    page.get_by_role("button", name="Déposer la candidature").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Votre candidature est déposée")
    expect(page.get_by_role("main")).to_contain_text("QMI2-M-")
    audit(page, reflow=True)
    assert [officer.email] in [message.to for message in outbox]


def test_officer_applies_by_keyboard_alone(page, outbox, deliberation):
    """Tab, Shift+Tab, Space and Enter only: no click, and the focus always shows."""
    call = CallFactory(title="Appel des communes 2026")
    officer = MembershipFactory(applicant__commune=Commune.objects.get(name="Montreuil")).user

    page.goto("/accounts/login/")
    type_into(page, page.locator("input[name=login]"), officer.email)
    type_into(page, page.locator("input[name=password]"), "a-Strong-test-passw0rd")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    page.goto(f"/appels/{call.slug}/")
    tab_to(page, page.get_by_role("link", name="Candidater"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("button", name="Commencer ma candidature"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Candidature QMI2-M-")
    audit(page)

    district = page.get_by_role("group", name="Le quartier d’innovation proposé")
    type_into(page, district.get_by_label(label("Nom du quartier")), "Quartier de la gare")
    tab_to(page, district.get_by_role("radio", name="Quartier de gare"))
    page.keyboard.press("Space")
    type_into(page, district.get_by_label(label("Localisation et périmètre")), "Autour de la gare.")
    type_into(page, district.get_by_label(label("Habitants concernés")), "12000")
    type_into(page, district.get_by_label(label("Projets en cours")), "Rénovation du pôle gare.")
    challenges = page.get_by_role("group", name="Défis urbains et motivation")
    tab_to(page, challenges.get_by_role("checkbox", name="Adaptation au changement climatique"))
    page.keyboard.press("Space")
    type_into(page, challenges.get_by_label(label("Enjeux locaux")), "Îlots de chaleur.")
    offer = page.get_by_role("group", name="Ce que la commune offre aux expérimentateurs")
    type_into(page, offer.get_by_role("textbox"), "Deux sites et un agent référent.")
    for box in page.get_by_role("group", name="Engagements").get_by_role("checkbox").all():
        tab_to(page, box)
        page.keyboard.press("Space")
        expect(box).to_be_checked()
    for group in ("Élu référent", "Référent technique"):
        section = page.get_by_role("group", name=group)
        type_into(page, section.get_by_label(label("Nom")), "Mme Référente")
        type_into(page, section.get_by_label(label("Fonction")), "Adjointe au maire")
        type_into(page, section.get_by_label(label("Adresse électronique")), "ref@ville.example")
        type_into(page, section.get_by_label(label("Téléphone")), "01 48 70 60 00")
    tab_to(page, page.get_by_label(label("Délibération du conseil municipal")))
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(deliberation)
    saved(page)

    tab_to(page, page.get_by_role("button", name="Relire et déposer"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("deliberation.pdf").first).to_be_visible()
    outbox.clear()
    tab_to(page, page.get_by_role("button", name="Déposer la candidature"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre candidature est déposée")
    audit(page, reflow=True)
    assert [officer.email] in [message.to for message in outbox]

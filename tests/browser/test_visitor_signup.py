"""A visitor finds the open call, signs up and confirms the address with the e-mail's link."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import audit
from tests.factories import CallFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Un-mot-de-passe-s0lide"


def test_visitor_finds_the_call_signs_up_and_confirms_the_address(page, outbox):
    call = CallFactory(title="Appel des communes 2026", title_en="Call for municipalities 2026")

    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    audit(page, reflow=True)

    page.get_by_role("link", name=re.compile(call.title)).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(call.title)
    audit(page, reflow=True)

    page.get_by_role("link", name="Candidater").first.click()
    # Not signed in: the portal asks to sign in, and offers to create an account.
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    audit(page, reflow=True)
    page.get_by_role("link", name=re.compile("Créer un compte|Inscri", re.I)).first.click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/"))
    audit(page, reflow=True)

    page.get_by_label(re.compile(r"^Prénom")).fill("Camille")
    page.get_by_label(re.compile(r"^Nom\b")).fill("Martin")
    page.get_by_label(re.compile(r"^Courriel")).fill("camille@ville.example")
    page.get_by_label(re.compile(r"^Mot de passe \(obligatoire")).fill(PASSWORD)
    page.get_by_label(re.compile(r"^Mot de passe \(confirmation")).fill(PASSWORD)
    page.get_by_role("button", name="Création de compte").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("e-mail|adresse", re.I))
    audit(page, reflow=True)
    assert len(outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", outbox[0].body).group(0)

    page.goto(link)
    audit(page, reflow=True)
    page.get_by_role("button", name=re.compile("Confirmer", re.I)).click()
    # Confirmed and signed in: my space.
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(
        page.get_by_text("camille@ville.example").or_(page.get_by_text("Camille"))
    ).not_to_have_count(0)
    audit(page, reflow=True)

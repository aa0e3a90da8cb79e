"""Before the calls, as a visitor acts: registers for a webinar from the home page without an
account, opens the registration from the e-mail, sees the online link and cancels; then asks
to be kept informed and confirms the address from the e-mail."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from calls.models import Contact, Registration
from tests.browser.helpers import audit
from tests.factories import CallFactory, EditionFactory, SessionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def link_in(message, pattern):
    """The path of the portal's link matching ``pattern`` in an e-mail."""
    url = re.search(rf"https?://\S*{pattern}[0-9a-f-]+/(?=\s|$)", message.body, re.M).group(0)
    return urlsplit(url).path


def test_visitor_registers_for_a_webinar_then_cancels(page, outbox):
    edition = EditionFactory(is_current=True)
    CallFactory(edition=edition)
    webinar = SessionFactory(edition=edition, title="Webinaire des communes")

    page.goto("/")
    audit(page, reflow=True)
    page.get_by_role("link", name="Webinaire des communes").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Webinaire des communes")
    assert "visio.example" not in page.content()  # the online link: for the registered only
    audit(page, reflow=True)

    page.locator("#id_name").fill("Léa Moreau")
    page.locator("#id_email").fill("lea.moreau@bondy.example")
    page.get_by_role("button", name="M’inscrire").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultez votre messagerie")
    audit(page, reflow=True)

    (message,) = outbox
    page.goto(link_in(message, "/rencontres/inscription/"))
    expect(page.get_by_text("https://visio.example/qmi-webinaire").first).to_be_visible()
    audit(page, reflow=True)
    page.get_by_role("button", name=re.compile("Annuler", re.I)).first.click()
    confirm = page.get_by_role("button", name=re.compile("Annuler", re.I))
    if confirm.count():  # a page that asks to confirm the cancellation
        confirm.first.click()
    registration = Registration.objects.get(session=webinar)
    assert registration.status == Registration.Status.CANCELLED
    audit(page, reflow=True)


def test_visitor_asks_to_be_kept_informed_and_confirms(page, outbox):
    CallFactory(edition=EditionFactory(is_current=True))

    page.goto("/")
    page.get_by_role("link", name="Tenez-moi informé·e").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tenez-moi informé·e")
    audit(page, reflow=True)

    page.locator("#id_email").fill("urbanisme@bondy.example")
    page.locator("input[name=profile][value=municipality]").check()
    page.get_by_role("button", name="Tenez-moi informé·e").click()
    # A municipality must name its commune: the error summary says so, nothing is kept
    expect(
        page.get_by_text("Choisissez votre commune parmi les communes membres.").first
    ).to_be_visible()
    assert not Contact.objects.exists()
    audit(page, reflow=True)

    page.locator("#id_commune").select_option(index=1)
    page.locator("#id_consent").check()
    page.get_by_role("button", name="Tenez-moi informé·e").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultez votre messagerie")
    audit(page, reflow=True)

    (message,) = outbox
    page.goto(link_in(message, "/tenir-informe/confirmer/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Adresse confirmée")
    assert Contact.objects.get().is_confirmed
    audit(page, reflow=True)

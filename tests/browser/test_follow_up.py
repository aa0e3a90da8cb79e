"""An experimentation followed, as its laureate acts: from "My space" to the experimentation,
a message to the municipality and Paris&Co in its conversation, then the first report: the
progress and an indicator typed (the autosave keeps them), reviewed, submitted."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from experimenters import experimentation as flow
from experimenters.models import AgreementDocument, Message, ReportStatus
from tests.browser.helpers import audit, sign_in
from tests.factories import StaffFactory, an_experimentation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def running(experimentation, staff):
    """The experimentation running since a month (its agreement documents accepted)."""
    for key in flow.required_documents(experimentation.application.call.edition):
        AgreementDocument.objects.create(
            experimentation=experimentation,
            kind=key,
            file="x.pdf",
            original_name="x.pdf",
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
            uploaded_by=staff,
            state=AgreementDocument.State.ACCEPTED,
        )
    moment = timezone.now() - timedelta(days=30)
    for name in ("sign", "deploy", "start"):
        flow.transition(experimentation, name, by=staff, now=moment)
    return experimentation


def test_laureate_writes_in_the_conversation_and_files_the_first_report(page):
    staff = StaffFactory()
    experimentation = running(an_experimentation(staff), staff)
    owner = experimentation.application.applicant.organisation.owner()
    report = experimentation.reports.order_by("due_at").first()

    sign_in(page, owner, next_url=f"/experimentations/{experimentation.pk}/")
    audit(page, reflow=True)
    page.get_by_label("Votre message").fill("Les capteurs arrivent lundi.")
    page.get_by_role("button", name="Envoyer le message").click()
    expect(page.get_by_text("Les capteurs arrivent lundi.").first).to_be_visible()
    assert Message.objects.filter(experimentation=experimentation).count() == 1
    audit(page, reflow=True)

    page.goto(f"/rapports/{report.pk}/rediger/")
    audit(page, reflow=True)
    page.locator("[name=progress]").fill("Capteurs posés sur la place du marché.")
    page.locator("[name=indicators-0-name]").fill("Passages mesurés")
    page.locator("[name=indicators-0-target]").fill("500")
    page.locator("[name=indicators-0-value]").fill("320")
    page.locator("[name=progress]").focus()
    expect(page.locator("[data-autosave-status]").first).to_contain_text("Enregistré")
    page.get_by_role("button", name="Relire et déposer").click()
    audit(page, reflow=True)
    page.get_by_role("button", name="Déposer le rapport").click()
    page.wait_for_load_state("load")
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.progress == "Capteurs posés sur la place du marché."
    audit(page, reflow=True)

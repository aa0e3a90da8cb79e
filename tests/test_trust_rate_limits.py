"""Signed-in work is rate limited too: autosaves, uploads, export requests and invitations
answer 429 with a clear message past their rates, and nothing is saved by the refused one."""

import pytest
from django.urls import reverse

from calls.models import Attachment, ExportJob
from municipalities.models import MunicipalityApplication
from qmi.models import Invitation
from tests.factories import StaffFactory, pdf_upload

AJAX = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest", "HTTP_ACCEPT": "application/json"}


@pytest.fixture
def tight(settings):
    """Two of each per period, for the test."""
    settings.ACCOUNT_RATE_LIMITS = {
        "autosave": "2/m/user",
        "upload": "2/m/user",
        "export_request": "2/h/user",
        "invitation": "2/h/user",
    }


@pytest.mark.django_db
def test_autosaves_past_the_rate_answer_429_with_a_message_the_script_shows(
    tight, applicant_client, draft
):
    for name in ("Nord", "Est"):
        response = applicant_client.post(draft.urls.autosave, {"district_name": name}, **AJAX)
        assert response.status_code == 200

    response = applicant_client.post(draft.urls.autosave, {"district_name": "Ouest"}, **AJAX)

    assert response.status_code == 429
    assert response.json()["ok"] is False
    assert "kept in this browser" in response.json()["message"]
    draft.municipality.refresh_from_db()
    assert draft.municipality.district_name == "Est"


@pytest.mark.django_db
def test_uploads_past_the_rate_answer_429_and_store_nothing(tight, applicant_client, draft):
    slot = MunicipalityApplication.DELIBERATION
    url = reverse("calls:application", kwargs={"reference": draft.reference})
    for _ in range(2):
        applicant_client.post(url, {slot: pdf_upload()})

    response = applicant_client.post(url, {slot: pdf_upload(name="third.pdf")})

    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert not Attachment.objects.filter(original_name="third.pdf").exists()


@pytest.mark.django_db
def test_export_requests_past_the_rate_answer_429(tight, in_english, open_call):
    in_english.force_login(StaffFactory())
    data = {"call": open_call.pk, "format": "csv"}
    for _ in range(2):
        in_english.post(reverse("calls:export_new"), data)
    before = ExportJob.objects.count()

    response = in_english.post(reverse("calls:export_new"), data)

    assert response.status_code == 429
    assert ExportJob.objects.count() == before


@pytest.mark.django_db
def test_invitations_past_the_rate_answer_429(tight, applicant_client, member):
    url = reverse("qmi:members", kwargs={"pk": member.applicant_id})
    for n in range(2):
        applicant_client.post(url, {"email": f"colleague{n}@ville.example"})

    response = applicant_client.post(url, {"email": "third@ville.example"})

    assert response.status_code == 429
    assert not Invitation.objects.filter(email="third@ville.example").exists()

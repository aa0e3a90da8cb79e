"""The applicant's journey through the views: dashboard, start, edit, autosave, review,
submit, reopen, withdraw, and the deadline enforced on the server."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from calls.domain.workflow import Status
from calls.models import Application, Attachment, StatusChange, UrbanChallenge
from municipalities.models import KeyArea, MunicipalityApplication
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    SubmittedApplicationFactory,
    UserFactory,
    fill_complete,
    pdf_bytes,
    pdf_upload,
)
from tests.html import element, error_next_to, message_levels, message_texts, table_rows

pytestmark = pytest.mark.django_db

AJAX = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}
SECTION_KEYS = [
    "district",
    "challenges",
    "offer",
    "commitments",
    "elected",
    "referent",
    "documents",
]


# --- Helpers shared by the view tests (also imported by the other view test modules) -----


# --- Form data ----------------------------------------------------------------------------


def complete_form_data(**overrides):
    """What a browser posts for a completely filled application form."""
    data = {
        "district_name": "Quartier de la gare",
        "key_area": KeyArea.RAILWAY_STATION,
        "location": "Autour de la gare.",
        "inhabitants": "8000",
        "current_projects": "Rénovation urbaine.",
        "challenges": [UrbanChallenge.objects.get(code="climate").pk],
        "local_stakes": "Apaiser l'espace public.",
        "offer": "Deux sites et un agent.",
        "elected_name": "Camille Martin",
        "elected_role": "Adjointe au maire",
        "elected_email": "elue@ville.example",
        "elected_phone": "01 23 45 67 89",
        "referent_name": "Alex Durand",
        "referent_role": "Chef de projet",
        "referent_email": "ref@ville.example",
        "referent_phone": "01 98 76 54 32",
        **dict.fromkeys(MunicipalityApplication.COMMITMENTS, "on"),
    }
    data.update(overrides)
    return data


def saved_content(application):
    return MunicipalityApplication.objects.get(pk=application.pk)


# --- Dashboard ----------------------------------------------------------------------------


def test_dashboard_lists_my_applications_with_status_and_missing_items(applicant_client, member):
    draft = fill_complete(ApplicationFactory(member=member), attach=False)
    submitted = SubmittedApplicationFactory(member=member)
    ApplicationFactory()  # another municipality's application

    response = applicant_client.get("/espace/")

    assert response.status_code == 200
    rows = {row["Reference"]: (row["Status"], row["To do"]) for row in table_rows(response)}
    assert set(rows) == {draft.reference, submitted.reference}
    assert rows[draft.reference] == ("Draft", "1 item missing")
    assert rows[submitted.reference][0] == "Submitted"
    assert rows[submitted.reference][1].startswith("Submitted on ")


def test_dashboard_fresh_draft_counts_every_missing_item(applicant_client, draft):
    response = applicant_client.get("/espace/")

    assert [(r["Reference"], r["To do"]) for r in table_rows(response)] == [
        (draft.reference, "21 items missing")
    ]


def test_dashboard_hides_a_decision_until_results_are_published(applicant_client, member):
    application = SubmittedApplicationFactory(member=member)
    Application.objects.filter(pk=application.pk).update(status=Status.SELECTED)

    response = applicant_client.get("/espace/")

    assert [r["Status"] for r in table_rows(response)] == ["Under review"]


# --- Starting an application --------------------------------------------------------------


def test_start_get_offers_the_municipality_i_act_for(applicant_client, member, open_call):
    response = applicant_client.get(f"/appels/{open_call.slug}/candidater/")

    assert response.status_code == 200
    choice = element(response, f"applicant-{member.applicant_id}")
    assert choice.attrs["value"] == str(member.applicant_id)
    assert choice.attrs["name"] == "applicant"


def test_start_post_creates_a_draft_and_redirects_to_it(applicant_client, member, open_call):
    response = applicant_client.post(
        f"/appels/{open_call.slug}/candidater/", {"applicant": member.applicant_id}
    )

    application = Application.objects.get(call=open_call, applicant=member.applicant)
    assert application.status == Status.DRAFT
    assert application.created_by == member.user
    assert response.status_code == 302
    assert response.url == application.urls.edit


def test_start_post_twice_redirects_to_the_existing_draft(applicant_client, member, open_call):
    url = f"/appels/{open_call.slug}/candidater/"
    first = applicant_client.post(url, {"applicant": member.applicant_id}, follow=True)
    assert first.status_code == 200

    response = applicant_client.post(url, {"applicant": member.applicant_id})

    application = Application.objects.get(call=open_call, applicant=member.applicant)
    assert response.status_code == 302
    assert response.url == application.urls.edit
    assert message_texts(response) == [
        f"An application already exists for this call: {application.reference}."
    ]


def test_start_without_membership_redirects_to_join(client, open_call):
    client.force_login(UserFactory())

    response = client.get(f"/appels/{open_call.slug}/candidater/")

    assert response.status_code == 302
    assert response.url == f"/communes/rejoindre/?next=%2Fappels%2F{open_call.slug}%2Fcandidater%2F"
    assert Application.objects.count() == 0


# --- The edit page ------------------------------------------------------------------------


def test_edit_page_renders_every_section(applicant_client, draft):
    response = applicant_client.get(draft.urls.edit)

    assert response.status_code == 200
    assert [k for k in SECTION_KEYS if element(response, f"section-{k}")] == SECTION_KEYS
    form = element(response, "application-form")
    assert form.attrs["data-autosave-url"] == draft.urls.autosave
    assert element(response, "id_deliberation").attrs["type"] == "file"


def test_edit_save_with_partial_data_saves_and_redirects(applicant_client, draft):
    response = applicant_client.post(
        draft.urls.edit,
        {"action": "save", "district_name": "Quartier Nord", "inhabitants": "1200"},
    )

    assert response.status_code == 302
    assert response.url == draft.urls.edit
    content = saved_content(draft)
    assert (content.district_name, content.inhabitants) == ("Quartier Nord", 1200)
    assert message_levels(response) == ["success"]


def test_edit_invalid_email_shows_the_error_next_to_the_field(applicant_client, draft):
    response = applicant_client.post(
        draft.urls.edit,
        {"action": "save", "district_name": "Quartier Nord", "elected_email": "pas-une-adresse"},
    )

    assert response.status_code == 400
    assert error_next_to(response, "id_elected_email") == "Enter a valid email address."
    assert element(response, "id_elected_email").attrs["aria-invalid"] == "true"


def test_edit_invalid_email_saves_nothing(applicant_client, draft):
    content = saved_content(draft)
    content.district_name = "Ancien nom"
    content.save()
    updated_at = Application.objects.get(pk=draft.pk).updated_at

    applicant_client.post(
        draft.urls.edit,
        {
            "action": "save",
            "district_name": "Quartier Nord",
            "offer": "Un local",
            "elected_email": "pas-une-adresse",
        },
    )

    content = saved_content(draft)
    assert (content.district_name, content.offer, content.elected_email) == ("Ancien nom", "", "")
    assert Application.objects.get(pk=draft.pk).updated_at == updated_at


def test_edit_invalid_email_keeps_what_was_typed_on_the_page(applicant_client, draft):
    response = applicant_client.post(
        draft.urls.edit,
        {
            "action": "save",
            "district_name": "Quartier Nord",
            "offer": "Un local rue Carnot",
            "elected_email": "pas-une-adresse",
        },
    )

    assert element(response, "id_district_name").attrs["value"] == "Quartier Nord"
    assert element(response, "id_elected_email").attrs["value"] == "pas-une-adresse"
    assert element(response, "id_offer").text == "Un local rue Carnot"


def test_edit_upload_of_the_deliberation_stores_an_attachment(applicant_client, draft, member):
    content = pdf_bytes(pages=2)

    response = applicant_client.post(
        draft.urls.edit,
        {"action": "save", "deliberation": pdf_upload("Délibération 2023.pdf", content)},
    )

    assert response.status_code == 302
    attachment = Attachment.objects.get(application=draft)
    assert (attachment.slot, attachment.original_name, attachment.content_type) == (
        "deliberation",
        "Délibération 2023.pdf",
        "application/pdf",
    )
    assert attachment.uploaded_by == member.user
    with attachment.file.open("rb") as stored:
        assert stored.read() == content


def test_edit_text_file_named_pdf_is_refused_next_to_the_file_field(applicant_client, draft):
    fake = SimpleUploadedFile("x.pdf", b"Just some text, not a PDF.", "application/pdf")

    response = applicant_client.post(
        draft.urls.edit, {"action": "save", "district_name": "Nouveau", "deliberation": fake}
    )

    assert response.status_code == 400
    assert error_next_to(response, "id_deliberation") == (
        "This file is not a PDF document. Export it as PDF and try again."
    )


def test_edit_text_file_named_pdf_saves_nothing_of_the_post(applicant_client, draft):
    fake = SimpleUploadedFile("x.pdf", b"Just some text, not a PDF.", "application/pdf")

    applicant_client.post(
        draft.urls.edit, {"action": "save", "district_name": "Nouveau", "deliberation": fake}
    )

    assert Attachment.objects.filter(application=draft).count() == 0
    assert saved_content(draft).district_name == ""


def test_edit_review_on_incomplete_draft_does_not_submit(applicant_client, draft):
    response = applicant_client.post(
        draft.urls.edit, {"action": "review", "district_name": "Quartier Nord"}
    )

    assert response.status_code == 200
    assert Application.objects.get(pk=draft.pk).status == Status.DRAFT
    assert StatusChange.objects.filter(application=draft).count() == 0
    assert saved_content(draft).district_name == "Quartier Nord"
    assert message_levels(response) == ["warning"]


def test_edit_review_on_incomplete_draft_shows_each_missing_item_next_to_its_field(
    applicant_client, draft
):
    response = applicant_client.post(
        draft.urls.edit, {"action": "review", "district_name": "Quartier Nord"}
    )

    field_ids = {
        "location": "id_location",
        "elected_email": "id_elected_email",
        "commits_to_training": "id_commits_to_training",
        "deliberation": "id_deliberation",
    }
    shown = {name: error_next_to(response, field_id) for name, field_id in field_ids.items()}
    assert shown == {
        "location": "This field is required to submit.",
        "elected_email": "This field is required to submit.",
        "commits_to_training": "This commitment is required to submit.",
        "deliberation": "Attach the council deliberation or the letter of commitment (PDF).",
    }
    assert error_next_to(response, "id_district_name") is None


def test_edit_review_on_complete_draft_redirects_to_review(applicant_client, draft):
    fill_complete(draft)

    response = applicant_client.post(draft.urls.edit, complete_form_data(action="review"))

    assert response.status_code == 302
    assert response.url == draft.urls.review
    assert Application.objects.get(pk=draft.pk).status == Status.DRAFT


def test_review_page_shows_the_answers_and_a_submit_button(applicant_client, draft):
    fill_complete(draft)

    response = applicant_client.get(draft.urls.review)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Quartier de la gare" in html
    assert "elue@ville.example" in html
    assert f'<form method="post" action="{draft.urls.submit}">' in html
    assert ">Submit the application</button>" in html


def test_review_page_of_incomplete_draft_has_no_submit_button(applicant_client, draft):
    response = applicant_client.get(draft.urls.review)

    assert response.status_code == 200
    assert f'action="{draft.urls.submit}"' not in response.content.decode()


# --- Submit, reopen, withdraw -------------------------------------------------------------


def test_submit_shows_the_confirmation_with_the_reference(
    applicant_client, draft, member, django_capture_on_commit_callbacks
):
    fill_complete(draft)

    with django_capture_on_commit_callbacks(execute=True):
        response = applicant_client.post(draft.urls.submit)

    assert response.status_code == 302
    assert response.url == draft.urls.done
    page = applicant_client.get(response.url)
    assert element(page, "main") is not None
    assert f'<strong class="font-monospace">{draft.reference}</strong>' in page.content.decode()
    application = Application.objects.get(pk=draft.pk)
    assert (application.status, application.submitted_by) == (Status.SUBMITTED, member.user)


def test_submit_sends_one_acknowledgement(
    applicant_client, draft, member, django_capture_on_commit_callbacks
):
    fill_complete(draft)

    with django_capture_on_commit_callbacks(execute=True):
        applicant_client.post(draft.urls.submit)

    assert [m.to for m in mail.outbox] == [[member.user.email]]
    assert draft.reference in mail.outbox[0].subject


def test_submit_incomplete_draft_is_refused(applicant_client, draft):
    response = applicant_client.post(draft.urls.submit)

    assert response.status_code == 302
    assert response.url == draft.urls.edit
    assert Application.objects.get(pk=draft.pk).status == Status.DRAFT
    assert message_levels(response) == ["error"]


def test_reopen_makes_a_submitted_application_a_draft_again(applicant_client, member):
    application = SubmittedApplicationFactory(member=member)

    response = applicant_client.post(application.urls.reopen)

    assert response.status_code == 302
    assert response.url == application.urls.edit
    assert Application.objects.get(pk=application.pk).status == Status.DRAFT
    assert list(
        StatusChange.objects.filter(application=application).values_list("transition", flat=True)
    ) == ["submit", "reopen"]


def test_reopen_get_asks_for_confirmation_and_changes_nothing(applicant_client, member):
    application = SubmittedApplicationFactory(member=member)

    response = applicant_client.get(application.urls.reopen)

    assert response.status_code == 200
    assert f'action="{application.urls.reopen}"' in response.content.decode()
    assert Application.objects.get(pk=application.pk).status == Status.SUBMITTED


def test_withdraw_get_asks_for_confirmation(applicant_client, draft):
    response = applicant_client.get(draft.urls.withdraw)

    assert response.status_code == 200
    assert f'<form method="post" action="{draft.urls.withdraw}">' in response.content.decode()
    assert Application.objects.get(pk=draft.pk).status == Status.DRAFT


def test_withdraw_post_withdraws_with_the_reason(applicant_client, draft, member):
    response = applicant_client.post(draft.urls.withdraw, {"note": "Projet reporté."})

    assert response.status_code == 302
    assert response.url == draft.urls.review
    assert Application.objects.get(pk=draft.pk).status == Status.WITHDRAWN
    change = StatusChange.objects.get(application=draft)
    assert (change.transition, change.from_status, change.to_status, change.by, change.note) == (
        "withdraw",
        Status.DRAFT,
        Status.WITHDRAWN,
        member.user,
        "Projet reporté.",
    )


# --- Autosave -----------------------------------------------------------------------------


def test_autosave_saves_and_answers_json(applicant_client, draft):
    response = applicant_client.post(
        draft.urls.autosave, {"district_name": "Quartier Sud", "inhabitants": "300"}, **AJAX
    )

    assert response.status_code == 200
    assert response.json()["ok"] is True
    content = saved_content(draft)
    assert (content.district_name, content.inhabitants) == ("Quartier Sud", 300)


def test_autosave_invalid_email_answers_400_with_errors_by_field(applicant_client, draft):
    response = applicant_client.post(
        draft.urls.autosave,
        {"district_name": "Quartier Sud", "elected_email": "pas-une-adresse"},
        **AJAX,
    )

    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False
    assert body["errors"] == {"elected_email": ["Enter a valid email address."]}


def test_autosave_invalid_email_keeps_the_rest_and_not_the_malformed_value(applicant_client, draft):
    content = saved_content(draft)
    content.elected_email = "ancienne@ville.example"
    content.save()

    response = applicant_client.post(
        draft.urls.autosave,
        {"district_name": "Quartier Sud", "elected_email": "pas-une-adresse"},
        **AJAX,
    )

    content = saved_content(draft)
    assert (content.district_name, content.elected_email) == (
        "Quartier Sud",
        "ancienne@ville.example",
    )
    assert response.json()["partial"] is True


def test_autosave_never_saves_a_malformed_value(applicant_client, draft):
    response = applicant_client.post(
        draft.urls.autosave, {"inhabitants": "beaucoup", "elected_email": "x"}, **AJAX
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"inhabitants", "elected_email"}
    content = saved_content(draft)
    assert (content.inhabitants, content.elected_email) == (None, "")


def test_autosave_after_the_deadline_answers_409_and_saves_nothing(applicant_client, member):
    call = CallFactory(closes_at=timezone.now() + timedelta(hours=1))
    application = ApplicationFactory(call=call, member=member)

    with time_machine.travel(call.closes_at + timedelta(seconds=1), tick=False):
        response = applicant_client.post(
            application.urls.autosave, {"district_name": "Trop tard"}, **AJAX
        )

    assert response.status_code == 409
    body = response.json()
    assert body["ok"] is False
    assert body["message"] == ("The deadline has passed: the application can no longer be changed.")
    assert saved_content(application).district_name == ""


def test_autosave_on_a_submitted_application_answers_409(applicant_client, member):
    application = SubmittedApplicationFactory(member=member)

    response = applicant_client.post(application.urls.autosave, {"district_name": "Changé"}, **AJAX)

    assert response.status_code == 409
    assert response.json()["ok"] is False
    assert saved_content(application).district_name == "Quartier de la gare"


# --- The deadline, on the server ----------------------------------------------------------


@pytest.fixture
def closing_draft(member):
    """A complete draft of a call that closes in one hour."""
    call = CallFactory(closes_at=timezone.now() + timedelta(hours=1))
    return fill_complete(ApplicationFactory(call=call, member=member))


def test_submit_one_second_after_the_deadline_is_refused(
    applicant_client, closing_draft, django_capture_on_commit_callbacks
):
    page = applicant_client.get(closing_draft.urls.review)
    assert f'action="{closing_draft.urls.submit}"' in page.content.decode()

    with (
        time_machine.travel(closing_draft.call.closes_at + timedelta(seconds=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = applicant_client.post(closing_draft.urls.submit)

    assert response.status_code == 302
    assert response.url == closing_draft.urls.review
    assert message_texts(response) == ["The deadline has passed: this is no longer possible."]
    application = Application.objects.get(pk=closing_draft.pk)
    assert (application.status, application.submitted_at) == (Status.DRAFT, None)
    assert StatusChange.objects.filter(application=closing_draft).count() == 0
    assert mail.outbox == []


def test_submit_at_the_deadline_itself_is_accepted(applicant_client, closing_draft):
    with time_machine.travel(closing_draft.call.closes_at, tick=False):
        response = applicant_client.post(closing_draft.urls.submit)

    assert response.status_code == 302
    assert response.url == closing_draft.urls.done
    assert Application.objects.get(pk=closing_draft.pk).status == Status.SUBMITTED


def test_edit_post_after_the_deadline_saves_nothing(applicant_client, closing_draft):
    with time_machine.travel(closing_draft.call.closes_at + timedelta(seconds=1), tick=False):
        response = applicant_client.post(
            closing_draft.urls.edit, complete_form_data(action="save", district_name="Tard")
        )

    assert response.status_code == 302
    assert response.url == closing_draft.urls.review
    assert saved_content(closing_draft).district_name == "Quartier de la gare"

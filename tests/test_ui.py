"""What the pages say and mark, read from their HTML: the error summary and the page title
after a failed submission, the marks of what is required to submit, the autosave status, the
progress heading, the review page of a final application, the jury card of "My space", the
order of the communes and the references that never break."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from calls.domain import lifecycle
from calls.models import Application
from evaluation.apps import JURY_SESSION_KEY
from experimenters.forms import ProjectApplicationForm
from municipalities.forms import JoinMunicipalityForm, MunicipalityApplicationForm, french_sort_key
from qmi.models import Membership
from qmi.templatetags.qmi_tags import error_summary_entries
from tests.factories import (
    ExperimenterCallFactory,
    JuryMemberFactory,
    OrganisationFactory,
    ProjectApplicationFactory,
    SubmittedApplicationFactory,
    UserFactory,
    close,
    take,
)
from tests.html import element

pytestmark = pytest.mark.django_db


def title_of(response):
    match = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
    return " ".join(match.group(1).split())


def summary_lines(response):
    """The lines of the error summary as seen (text for screen readers only and tags dropped,
    spaces collapsed)."""
    summary = element(response, "form-errors")
    assert summary is not None, "no error summary"
    html = response.content.decode()
    start = html.index('id="form-errors"')
    block = html[start : html.index("</ul>", start)]
    items = re.findall(r"<li>(.*?)</li>", block, re.S)
    seen = [re.sub(r'<span class="visually-hidden">.*?</span>', "", item) for item in items]
    return [" ".join(re.sub(r"<[^>]+>", "", item).split()) for item in seen]


def summary_links(response):
    html = response.content.decode()
    start = html.index('id="form-errors"')
    block = html[start : html.index("</ul>", start)]
    return re.findall(r'<a href="#([^"]+)">', block)


# --- Error summary and title --------------------------------------------------------------


def test_application_form_error_summary_names_the_section_of_each_field(applicant_client, draft):
    response = applicant_client.post(
        draft.urls.edit,
        {"action": "save", "elected_email": "pas-une-adresse", "referent_email": "non"},
    )

    assert response.status_code == 400
    assert summary_lines(response) == [
        "Elected official in charge › E-mail address — Enter a valid email address.",
        "Technical referent › E-mail address — Enter a valid email address.",
    ]
    assert summary_links(response) == ["id_elected_email", "id_referent_email"]
    # A screen reader hears a comma, not "greater than".
    assert (
        'Elected official in charge<span aria-hidden="true"> › </span>'
        '<span class="visually-hidden">, </span>E-mail address</a>'
    ) in response.content.decode()


def test_application_form_error_summary_is_focused_and_the_title_says_error(
    applicant_client, draft
):
    response = applicant_client.post(
        draft.urls.edit, {"action": "save", "elected_email": "pas-une-adresse"}
    )

    summary = element(response, "form-errors")
    assert "data-focus-on-load" in summary.attrs
    assert summary.attrs["tabindex"] == "-1"
    assert title_of(response).startswith("Error: Application ")
    assert '<script src="/static/js/forms.js" defer></script>' in response.content.decode()


def test_application_form_without_errors_has_no_summary_and_a_plain_title(applicant_client, draft):
    response = applicant_client.get(draft.urls.edit)

    assert element(response, "form-errors") is None
    assert title_of(response).startswith("Application ")


def test_missing_items_summary_tells_the_two_name_fields_apart(applicant_client, draft):
    response = applicant_client.post(draft.urls.edit, {"action": "review"})

    lines = summary_lines(response)
    assert "Elected official in charge › Name — This field is required to submit." in lines
    assert "Technical referent › Name — This field is required to submit." in lines
    assert len(lines) == len(lifecycle.missing_items(draft))
    assert title_of(response).startswith("Error: ")


def test_error_summary_links_a_radio_group_to_its_first_choice(applicant_client, draft):
    response = applicant_client.post(draft.urls.edit, {"action": "review"})

    links = summary_links(response)
    assert "id_key_area_0" in links
    assert "id_challenges_0" in links
    for anchor in links:
        assert element(response, anchor) is not None, anchor


def test_error_summary_keeps_the_errors_that_are_not_a_field():
    form = JoinMunicipalityForm(data={"commune": "", "job_title": "Agent"})
    form.is_valid()
    form.add_error(None, "Something else went wrong.")

    entries = error_summary_entries(form)
    assert [e.get("label") for e in entries] == ["Municipality", None]
    assert entries[-1] == {"message": "Something else went wrong."}


def test_join_page_error_summary_and_title(english):
    english.force_login(UserFactory())

    response = english.post(reverse("municipalities:join"), {"commune": "", "job_title": ""})

    assert title_of(response).startswith("Error: I act for a municipality")
    assert summary_lines(response) == [
        "Municipality — This field is required.",
        "Your position — This field is required.",
    ]
    assert "data-focus-on-load" in element(response, "form-errors").attrs


def test_join_page_without_errors_has_a_plain_title(english):
    english.force_login(UserFactory())

    response = english.get(reverse("municipalities:join"))

    assert title_of(response).startswith("I act for a municipality")
    assert element(response, "form-errors") is None


def test_allauth_login_error_says_error_once(english):
    response = english.post(reverse("account_login"), {"login": "x@example.org", "password": "x"})

    assert title_of(response).startswith("Error: ")
    assert not title_of(response).startswith("Error: Error:")


# --- Marks of what is required ------------------------------------------------------------


def test_required_to_submit_is_what_missing_items_reports_on_an_empty_draft(draft):
    missing = {name for name, _message in lifecycle.missing_items(draft)}

    assert missing == MunicipalityApplicationForm.REQUIRED_TO_SUBMIT


def test_application_form_marks_the_fields_required_to_submit(applicant_client, draft):
    response = applicant_client.get(draft.urls.edit)
    html = response.content.decode()

    assert element(response, "required-legend").text == (
        "Fields marked with an asterisk (*) are required to submit. "
        "You can save a draft at any time, even incomplete."
    )
    marks = html.count('<span class="visually-hidden"> (required to submit)</span>')
    assert marks == len(MunicipalityApplicationForm.REQUIRED_TO_SUBMIT)
    assert re.search(
        r'for="id_elected_name"[^>]*>\s*Name<span class="qmi-required-mark" '
        r'aria-hidden="true">\*</span><span class="visually-hidden"> \(required to submit\)',
        html,
    )
    # Not HTML-required: a draft is saved with them empty.
    assert "required" not in element(response, "id_elected_name").attrs


def test_join_form_marks_its_required_fields_with_the_same_convention(english):
    english.force_login(UserFactory())

    html = english.get(reverse("municipalities:join")).content.decode()

    assert "Fields marked with an asterisk (*) are required." in html
    assert html.count('<span class="visually-hidden"> (required)</span>') == 2  # not the note
    assert "asteriskField" not in html


# --- Autosave status ----------------------------------------------------------------------


def test_one_autosave_status_before_the_buttons_and_the_restore_banner_on_top(
    applicant_client, draft
):
    html = applicant_client.get(draft.urls.edit).content.decode()

    assert html.count("aria-live=") == 1
    assert html.count("data-autosave-status") == 1
    form = html[html.index('id="application-form"') :]
    restore = form.index("data-autosave-restore")
    first_section = form.index('id="section-')
    status = form.index("data-autosave-status")
    buttons = form.index('class="form-actions')
    assert restore < first_section < status < buttons
    assert 'class="qmi-autosave qmi-autosave-bar"' in form


# --- Progress heading ---------------------------------------------------------------------


def test_progress_heading_counts_sections_with_a_plural(applicant_client, draft):
    assert element(applicant_client.get(draft.urls.edit), "h-progress").text == (
        "0 sections complete out of 7"
    )
    content = draft.content
    content.elected_name, content.elected_role = "Camille Martin", "Maire adjointe"
    content.elected_email, content.elected_phone = "elue@ville.example", "01 23 45 67 89"
    content.save()

    assert element(applicant_client.get(draft.urls.edit), "h-progress").text == (
        "1 section complete out of 7"
    )


# --- Review page of an application that is no longer a draft ------------------------------


def _review(client, application):
    response = client.get(application.urls.review)
    assert response.status_code == 200
    return response.content.decode()


def test_review_of_a_draft_shows_the_deadline_and_no_submission_date(applicant_client, draft):
    html = _review(applicant_client, draft)

    assert "Time left:" in html
    assert "submitted on" not in html


def test_review_of_a_submitted_application_shows_the_date_and_the_deadline(
    applicant_client, member
):
    application = SubmittedApplicationFactory(member=member)

    html = _review(applicant_client, application)

    assert "submitted on" in html
    assert "Time left:" in html


def test_review_of_a_draft_withdrawn_shows_neither_deadline_nor_submission(applicant_client, draft):
    lifecycle.transition(draft, "withdraw", by=draft.created_by)

    html = _review(applicant_client, draft)

    assert "Withdrawn" in html
    assert "Time left:" not in html
    assert "Deadline:" not in html
    assert "submitted on" not in html


def test_review_of_an_application_reopened_then_withdrawn_shows_no_submission_date(
    applicant_client, member
):
    application = SubmittedApplicationFactory(member=member)
    lifecycle.transition(application, "reopen", by=application.created_by)
    lifecycle.transition(application, "withdraw", by=application.created_by)
    assert Application.objects.get(pk=application.pk).submitted_at is not None

    html = _review(applicant_client, application)

    assert "submitted on" not in html
    assert "Time left:" not in html


def test_review_of_a_submitted_application_withdrawn_keeps_its_submission_date(
    applicant_client, member
):
    application = SubmittedApplicationFactory(member=member)
    lifecycle.transition(application, "withdraw", by=application.created_by)

    html = _review(applicant_client, application)

    assert "submitted on" in html
    assert "Time left:" not in html


def test_review_under_review_shows_no_deadline(applicant_client, member):
    application = take(SubmittedApplicationFactory(member=member), "mark_eligible")

    html = _review(applicant_client, application)

    assert "Under review" in html
    assert "Time left:" not in html
    assert "submitted on" in html


def test_review_of_a_correction_after_the_deadline_shows_the_due_date_not_the_call_closed(
    applicant_client, member
):
    application = SubmittedApplicationFactory(member=member)
    close(application.call)
    due = timezone.now() + timedelta(days=7)
    take(application, "request_correction", note="La délibération manque.", due_at=due)

    html = _review(applicant_client, application)

    assert "Correction requested" in html
    assert "La délibération manque." in html
    assert "This call is closed." not in html


def test_review_heading_and_breadcrumb_keep_the_reference_on_one_line(applicant_client, draft):
    html = _review(applicant_client, draft)

    assert f'Application <span class="qmi-ref">{draft.reference}</span></h1>' in html
    assert f"<title>Application {draft.reference} — QMI</title>" in html


def test_dashboard_reference_never_breaks(applicant_client, draft):
    html = applicant_client.get(reverse("dashboard")).content.decode()

    assert f'class="qmi-ref" href="{draft.urls.edit}">{draft.reference}</a>' in html


# --- Jury card of "My space" --------------------------------------------------------------


def test_dashboard_of_a_jury_member_leads_to_the_jury_space(english):
    seat = JuryMemberFactory()
    english.force_login(seat.user)

    response = english.get(reverse("dashboard"))

    card = element(response, "h-jury")
    assert card.text == "Jury space"
    assert f'href="{reverse("evaluation:home")}">Go to the jury space</a>' in (
        response.content.decode()
    )


def test_dashboard_of_an_applicant_has_no_jury_card(applicant_client):
    assert element(applicant_client.get(reverse("dashboard")), "h-jury") is None


def test_dashboard_reads_the_jury_flag_of_the_session_without_a_query(english):
    seat = JuryMemberFactory()
    english.force_login(seat.user)  # the login sets the flag
    english.get(reverse("dashboard"))

    with CaptureQueriesContext(connection) as captured:
        response = english.get(reverse("dashboard"))

    assert element(response, "h-jury") is not None
    assert not [q for q in captured.captured_queries if "evaluation_jurymember" in q["sql"]]


def test_dashboard_without_the_session_flag_asks_once_and_remembers(english):
    seat = JuryMemberFactory()
    english.force_login(seat.user)
    session = english.session
    del session[JURY_SESSION_KEY]
    session.save()

    response = english.get(reverse("dashboard"))

    assert element(response, "h-jury") is not None
    assert english.session[JURY_SESSION_KEY] is True


# --- Membership help texts ----------------------------------------------------------------


def test_membership_fields_have_their_own_help_text():
    job_title = Membership._meta.get_field("job_title").help_text
    note = Membership._meta.get_field("request_note").help_text

    assert "position" in str(job_title)
    assert "position" not in str(note)


# --- French order of the communes ---------------------------------------------------------


def test_french_sort_key_ignores_accents_case_and_hyphens():
    names = ["Épinay-sur-Seine", "Choisy-le-Roi", "Châtenay-Malabry", "Drancy", "cachan"]

    assert sorted(names, key=french_sort_key) == [
        "cachan",
        "Châtenay-Malabry",
        "Choisy-le-Roi",
        "Drancy",
        "Épinay-sur-Seine",
    ]


def test_join_form_lists_the_communes_in_french_order():
    labels = [str(label) for _value, label in JoinMunicipalityForm().fields["commune"].choices]
    names = labels[1:]  # after "Choose your municipality"

    assert len(names) == 130
    assert names == sorted(names, key=french_sort_key)
    position = {name.rsplit(" (", 1)[0]: i for i, name in enumerate(names)}
    assert position["Châtenay-Malabry"] < position["Choisy-le-Roi"]
    assert position["Drancy"] < position["Épinay-sur-Seine"] < position["Fontenay-sous-Bois"]


def test_join_form_accepts_a_commune_chosen_from_the_sorted_list():
    form = JoinMunicipalityForm()
    value = next(v for v, _label in form.fields["commune"].choices if v)

    bound = JoinMunicipalityForm(data={"commune": str(value), "job_title": "Agent"})

    assert bound.is_valid(), bound.errors


def test_project_form_summary_keeps_the_formset_errors(english):
    application = ProjectApplicationFactory()
    english.force_login(application.created_by)
    forged_district = {
        "wishes-TOTAL_FORMS": "1",
        "wishes-INITIAL_FORMS": "0",
        "wishes-0-district": "99999",
        "wishes-0-reason": "Forged.",
    }

    response = english.post(
        f"{application.urls.edit}?step=districts", {"action": "save", **forged_district}
    )

    assert "Wished districts: Correct the rows marked below." in summary_lines(response)
    assert title_of(response).startswith("Error: ")


def test_organisation_and_screening_pages_say_error_in_their_title(english):
    user = UserFactory()
    english.force_login(user)

    response = english.post(reverse("experimenters:create"), {"legal_name": ""})

    assert title_of(response).startswith("Error: Create my organisation")
    organisation = OrganisationFactory()
    english.force_login(organisation.owner())
    call = ExperimenterCallFactory()

    response = english.post(
        reverse("calls:start", kwargs={"slug": call.slug}),
        {"applicant": organisation.applicant_id, "structure_type": "startup"},
    )

    assert response.status_code == 400
    assert title_of(response).startswith("Error: Apply: ")
    assert "data-focus-on-load" in element(response, "form-errors").attrs


def test_project_required_to_submit_is_what_missing_items_reports_on_a_new_draft():
    draft = ProjectApplicationFactory()  # the screening already filled its challenges

    missing = {name for name, _message in lifecycle.missing_items(draft)}

    assert missing == ProjectApplicationForm.REQUIRED_TO_SUBMIT - {"challenges"}

"""The pages where each party fills its side of an assessment, and the questionnaire on the
programme: access, isolation of the sides, completeness, scales and units, the close and its
extensions, autosave, evidence, the computed achievement, the list ``bilan/``."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluation.assessment.campaign import extend
from evaluation.assessment.grid import criteria_of
from evaluation.assessment_views import dashboard_section
from evaluation.models import (
    AssessmentSide,
    Evidence,
    GridAnswer,
    ProgrammeFeedback,
    ProtocolIndicator,
)
from tests.factories import (
    MembershipFactory,
    StaffFactory,
    an_experimentation,
    assessed,
    filled_side,
    pdf_upload,
    people_around,
    png_upload,
)

pytestmark = pytest.mark.django_db

PARTY_OF = {"owner": "experimenter", "municipality": "municipality", "staff": "manager"}


@pytest.fixture
def assessment(staff):
    return assessed(an_experimentation(staff))


@pytest.fixture
def people(assessment, staff):
    return people_around(assessment.experimentation, staff)


def side_url(assessment, party, name="assessment_side"):
    return reverse(f"evaluation:{name}", kwargs={"pk": assessment.pk, "party": party})


def grid_data(assessment, *, score=4, justification="Because it worked.", skip=()):
    """What the page posts for a complete grid (``skip``: criteria left empty)."""
    data = {"side-form": "1"}
    for criterion in criteria_of(assessment.campaign):
        if criterion.title in skip:
            continue
        data[f"answer-{criterion.pk}-score"] = str(score)
        data[f"answer-{criterion.pk}-justification"] = f"{justification} ({criterion.title})"
    return data


def protocol_data(rows, **outcome):
    data = {
        "indicators-TOTAL_FORMS": str(len(rows)),
        "indicators-INITIAL_FORMS": "0",
        "indicators-MIN_NUM_FORMS": "0",
        "indicators-MAX_NUM_FORMS": "20",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"indicators-{i}-{key}"] = value
    data.update(outcome)
    return data


def experimenter_data(assessment, *, measured="80", **grid):
    return {
        **grid_data(assessment, **grid),
        **protocol_data(
            [
                {
                    "name": "Users served",
                    "unit": "users",
                    "baseline": "0",
                    "target": "100",
                    "measured": measured,
                    "method": "Counter",
                    "frequency": "Monthly",
                }
            ]
        ),
        "outcome": "continued",
        "jobs_created": "2",
    }


def first_criterion(assessment):
    return criteria_of(assessment.campaign)[0]


# --- Access ----------------------------------------------------------------------------------


def test_each_party_reaches_its_own_side_and_nobody_else_does(client, assessment, people):
    for role, user in people.items():
        client.force_login(user)
        for party in ("experimenter", "municipality", "manager"):
            response = client.get(side_url(assessment, party))
            expected = 200 if PARTY_OF.get(role) == party else 404
            if role == "colleague" and party == "experimenter":
                expected = 200  # a confirmed member of the organisation
            assert response.status_code == expected, (role, party)


@pytest.mark.parametrize("name", ["assessment_autosave", "assessment_submit"])
def test_posting_to_another_partys_side_is_a_404(client, assessment, people, name):
    for role, user in people.items():
        client.force_login(user)
        for party in ("experimenter", "municipality", "manager"):
            if PARTY_OF.get(role) == party or (role == "colleague" and party == "experimenter"):
                continue
            response = client.post(side_url(assessment, party, name), grid_data(assessment))
            assert response.status_code == 404, (role, party)
    assert not GridAnswer.objects.exclude(justification="").exists()


def test_an_unknown_party_is_a_404_and_a_visitor_signs_in(client, assessment, people):
    client.force_login(people["owner"])
    assert client.get(side_url(assessment, "jury")).status_code == 404
    client.logout()
    response = client.get(side_url(assessment, "experimenter"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_staff_who_is_not_the_manager_does_not_fill_the_managers_side(staff_client, assessment):
    assert staff_client.get(side_url(assessment, "manager")).status_code == 404


def test_evidence_is_read_by_the_parties_and_staff_and_kept_by_the_experimenter_only(
    client, assessment, people
):
    client.force_login(people["owner"])
    upload = reverse("evaluation:assessment_evidence_upload", kwargs={"pk": assessment.pk})
    response = client.post(upload, {"evidence": pdf_upload("count.pdf")})
    assert response.status_code == 302
    evidence = Evidence.objects.get(assessment=assessment)
    url = reverse(
        "evaluation:assessment_evidence", kwargs={"pk": assessment.pk, "file_pk": evidence.pk}
    )
    delete = reverse(
        "evaluation:assessment_evidence_delete",
        kwargs={"pk": assessment.pk, "file_pk": evidence.pk},
    )
    for role, user in people.items():
        client.force_login(user)
        reads = role in ("owner", "colleague", "municipality", "staff")
        response = client.get(url)
        assert response.status_code == (200 if reads else 404), role
        if reads:
            assert response["Content-Disposition"].startswith("attachment")
            assert b"".join(response.streaming_content).startswith(b"%PDF")
        if role not in ("owner", "colleague"):
            assert client.post(upload, {"evidence": pdf_upload()}).status_code == 404, role
            assert client.post(delete).status_code == 404, role
    client.force_login(StaffFactory())  # staff read it all
    assert client.get(url).status_code == 200
    assert Evidence.objects.filter(assessment=assessment).count() == 1
    client.force_login(people["owner"])
    assert client.post(delete).status_code == 302
    assert not Evidence.objects.filter(assessment=assessment).exists()


# --- Filling, isolation, submitting ----------------------------------------------------------


def test_a_party_never_reads_another_justification_before_submitting(
    client, in_english, assessment, people
):
    filled_side(assessment, "municipality", by=people["municipality"])
    secret = "Justification of " + first_criterion(assessment).title
    client.force_login(people["staff"])
    page = client.get(side_url(assessment, "manager")).content.decode()
    assert secret not in page
    filled_side(assessment, "manager", by=people["staff"])
    page = client.get(side_url(assessment, "manager")).content.decode()
    assert "The other sides submitted" in page and secret in page
    client.force_login(people["owner"])  # the experimenter has not submitted: nothing
    assert secret not in client.get(side_url(assessment, "experimenter")).content.decode()


def test_saving_then_submitting_a_complete_side(client, in_english, assessment, people):
    client.force_login(people["municipality"])
    data = {**grid_data(assessment), "protocol_comment": "Sound indicators."}
    response = client.post(side_url(assessment, "municipality"), data)
    assert response.status_code == 302
    side = AssessmentSide.objects.get(assessment=assessment, party="municipality")
    assert side.protocol_comment == "Sound indicators."
    assert set(side.answers.values_list("score", flat=True)) == {4}
    response = client.post(side_url(assessment, "municipality", "assessment_submit"), data)
    assert response.status_code == 302
    side.refresh_from_db()
    assert side.is_submitted and side.submitted_by == people["municipality"]
    page = client.get(side_url(assessment, "municipality")).content.decode()
    assert "Your side was submitted on" in page and 'id="side-form"' not in page
    assert "Because it worked." in page  # read-only, own answers
    assert (
        client.post(side_url(assessment, "municipality", "assessment_autosave"), data).status_code
        == 409
    )


def test_an_incomplete_side_is_refused_with_each_item_next_to_its_field(
    client, in_english, assessment, people
):
    client.force_login(people["owner"])
    client.get(side_url(assessment, "experimenter"))
    criterion = first_criterion(assessment)
    data = experimenter_data(assessment, measured="", skip=(criterion.title,))
    data["outcome"] = ""
    data["indicators-0-name"] = "Kilos of waste sorted"
    response = client.post(side_url(assessment, "experimenter", "assessment_submit"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Please correct the following:" in page
    title = criterion.localized_title
    assert f'id="id_answer-{criterion.pk}-score_error"' in page
    assert f"Give a score to “{title}”" in page
    assert f'id="id_answer-{criterion.pk}-justification_error"' in page
    assert f'aria-describedby="id_answer-{criterion.pk}-justification_error"' in page
    assert "Give the value measured for “Kilos of waste sorted”" in page
    assert "Say what became of the solution." in page
    # nothing typed is lost: on the page and in the database
    assert 'value="Kilos of waste sorted"' in page
    assert "Because it worked." in page
    assert ProtocolIndicator.objects.get(assessment=assessment).name == "Kilos of waste sorted"
    side = AssessmentSide.objects.get(assessment=assessment, party="experimenter")
    assert not side.is_submitted
    assert (
        side.answers.exclude(justification="").count() == len(criteria_of(assessment.campaign)) - 1
    )


def test_the_experimenter_submits_its_protocol_outcome_and_grid(
    client, in_english, assessment, people
):
    client.force_login(people["colleague"])
    response = client.post(
        side_url(assessment, "experimenter", "assessment_submit"), experimenter_data(assessment)
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.outcome == "continued" and assessment.jobs_created == 2
    assert AssessmentSide.objects.get(assessment=assessment, party="experimenter").is_submitted


def test_out_of_scale_score_and_a_unit_in_a_value_are_refused_clearly(
    client, in_english, assessment, people
):
    client.force_login(people["owner"])
    criterion = first_criterion(assessment)
    data = experimenter_data(assessment, measured="12 kg")
    data[f"answer-{criterion.pk}-score"] = "7"
    data["indicators-0-unit"] = "kg"
    response = client.post(side_url(assessment, "experimenter"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert f"The score of “{criterion.localized_title}” is a whole number from 1 to 5." in page
    assert "Type a number only, in the indicator&#x27;s unit (kg), without letters" in page
    assert not GridAnswer.objects.filter(score=7).exists()
    response = client.post(side_url(assessment, "experimenter", "assessment_autosave"), data)
    payload = json.loads(response.content)
    assert response.status_code == 400 and payload["partial"]
    assert "indicators-0-measured" in payload["errors"]
    assert f"answer-{criterion.pk}-score" in payload["errors"]
    # the rest is saved
    answer = GridAnswer.objects.get(side__party="experimenter", criterion=criterion)
    assert answer.score is None and answer.justification.startswith("Because it worked.")
    assert assessment.sides.get(party="experimenter").answers.filter(score=4).exists()


def test_autosave_saves_what_is_typed(client, assessment, people):
    client.force_login(people["staff"])
    data = {**grid_data(assessment, score=2), "protocol_comment": "To be checked."}
    response = client.post(
        side_url(assessment, "manager", "assessment_autosave"),
        data,
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert response.status_code == 200 and json.loads(response.content)["ok"]
    side = AssessmentSide.objects.get(assessment=assessment, party="manager")
    assert side.protocol_comment == "To be checked."
    assert set(side.answers.values_list("score", flat=True)) == {2}
    assert not side.is_submitted


def test_the_achievement_is_computed_and_shown(client, in_english, assessment, people):
    client.force_login(people["owner"])
    client.post(side_url(assessment, "experimenter"), experimenter_data(assessment, measured="80"))
    page = client.get(side_url(assessment, "experimenter")).content.decode()
    assert "Achievement (computed):" in page and "<strong>80 %</strong>" in page
    client.force_login(people["municipality"])  # the others read the protocol
    page = client.get(side_url(assessment, "municipality")).content.decode()
    assert "80 %" in page and "Users served" in page


def test_evidence_upload_checks_the_file_and_keeps_ten_at_most(
    client, in_english, assessment, people
):
    client.force_login(people["owner"])
    upload = reverse("evaluation:assessment_evidence_upload", kwargs={"pk": assessment.pk})
    data = {**grid_data(assessment), "evidence": png_upload("site.png")}
    assert client.post(upload, data).status_code == 302
    assert GridAnswer.objects.filter(side__party="experimenter", score=4).exists()  # kept

    fake = SimpleUploadedFile("notes.pdf", b"hello, not a pdf", "application/pdf")
    response = client.post(upload, {**grid_data(assessment), "evidence": fake})
    assert response.status_code == 400
    assert "Only PDF documents and PNG or JPEG images are accepted." in response.content.decode()
    for n in range(9):
        client.post(upload, {"evidence": pdf_upload(f"proof-{n}.pdf")})
    assert Evidence.objects.filter(assessment=assessment).count() == 10
    response = client.post(upload, {**grid_data(assessment), "evidence": pdf_upload()})
    assert "at most 10 files" in response.content.decode()
    assert Evidence.objects.filter(assessment=assessment).count() == 10


# --- The close and its extensions ------------------------------------------------------------


def test_a_side_submitted_at_the_close_exactly_is_accepted(client, assessment, people):
    data = {**grid_data(assessment), "protocol_comment": "Fine."}
    with time_machine.travel(assessment.campaign.closes_at, tick=False):
        client.force_login(people["municipality"])  # a session lasts two weeks
        response = client.post(side_url(assessment, "municipality", "assessment_submit"), data)
    assert response.status_code == 302
    assert AssessmentSide.objects.get(assessment=assessment, party="municipality").is_submitted


def test_one_second_after_the_close_nothing_changes(client, in_english, assessment, people):
    data = {**grid_data(assessment), "protocol_comment": "Too late."}
    with time_machine.travel(assessment.campaign.closes_at + timedelta(seconds=1), tick=False):
        client.force_login(people["municipality"])
        response = client.post(side_url(assessment, "municipality", "assessment_submit"), data)
        assert response.status_code == 302
        response = client.post(side_url(assessment, "municipality", "assessment_autosave"), data)
        assert response.status_code == 409
        assert "ask Paris&Co for an extension" in json.loads(response.content)["message"]
        page = client.get(side_url(assessment, "municipality")).content.decode()
    assert "ask Paris&amp;Co for an extension" in page and 'id="side-form"' not in page
    side = AssessmentSide.objects.get(assessment=assessment, party="municipality")
    assert not side.is_submitted and side.protocol_comment == ""
    assert not side.answers.exclude(justification="").exists()


def test_an_extension_reopens_the_side_of_that_party_only(client, assessment, people, staff):
    later = assessment.campaign.closes_at + timedelta(days=7)
    extend(assessment, "municipality", closes_at=later, reason="Council elections.", by=staff)
    after_close = assessment.campaign.closes_at + timedelta(days=1)
    with time_machine.travel(after_close, tick=False):
        client.force_login(people["municipality"])
        data = {**grid_data(assessment), "protocol_comment": "Late but fine."}
        response = client.post(side_url(assessment, "municipality", "assessment_submit"), data)
        assert response.status_code == 302
        client.force_login(people["staff"])
        response = client.post(
            side_url(assessment, "manager", "assessment_submit"), grid_data(assessment)
        )
        assert response.status_code == 302
        client.force_login(people["owner"])
        response = client.post(
            side_url(assessment, "experimenter", "assessment_autosave"), grid_data(assessment)
        )
        assert response.status_code == 409
    sides = {s.party: s for s in AssessmentSide.objects.filter(assessment=assessment)}
    assert sides["municipality"].is_submitted
    assert not sides["manager"].is_submitted and not sides["experimenter"].is_submitted


# --- The list bilan/ and "My space" --------------------------------------------------------


def test_the_list_shows_my_sides_with_their_close_and_status(
    client, in_english, assessment, people
):
    filled_side(assessment, "municipality", by=people["municipality"])
    client.force_login(people["municipality"])
    page = client.get(reverse("evaluation:assessment_home")).content.decode()
    assert side_url(assessment, "municipality") in page
    assert side_url(assessment, "experimenter") not in page
    assert "Submitted" in page
    client.force_login(people["owner"])
    page = client.get(reverse("evaluation:assessment_home")).content.decode()
    assert side_url(assessment, "experimenter") in page and "To submit" in page
    client.force_login(people["signed in, nobody"])
    page = client.get(reverse("evaluation:assessment_home")).content.decode()
    assert "You fill no assessment at the moment." in page


def _more_assessments(staff, organisation, campaign, count):
    for _n in range(count):
        assessed(an_experimentation(staff, organisation=organisation), campaign)


@pytest.mark.usefixtures("in_english")
def test_the_list_reads_a_fixed_number_of_queries(
    client, assessment, people, staff, django_assert_num_queries
):

    organisation = assessment.experimentation.application.applicant.organisation
    client.force_login(people["owner"])
    url = reverse("evaluation:assessment_home")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _more_assessments(staff, organisation, assessment.campaign, 3)
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count("Fill my side") == 4


def test_dashboard_section_lists_the_open_sides_to_submit(rf, in_english, assessment, people):

    request = rf.get("/")
    request.user = people["owner"]
    html = dashboard_section([], request)
    assert side_url(assessment, "experimenter") in html
    filled_side(assessment, "experimenter", by=people["owner"])
    assert dashboard_section([], request) == ""
    request.user = people["signed in, nobody"]
    assert dashboard_section([], request) == ""


# --- The questionnaire on the programme ------------------------------------------------------


def feedback_url(assessment, applicant=None):
    url = reverse("evaluation:programme_feedback", kwargs={"campaign_pk": assessment.campaign.pk})
    return f"{url}?pour={applicant.pk}" if applicant else url


def test_the_questionnaire_is_answered_once_by_each_applicant_concerned(
    client, in_english, assessment, people
):
    organisation = assessment.experimentation.application.applicant
    client.force_login(people["owner"])
    page = client.get(reverse("evaluation:assessment_home")).content.decode()
    assert feedback_url(assessment, organisation) in page
    response = client.get(feedback_url(assessment))
    assert response.status_code == 200
    feedback = ProgrammeFeedback.objects.get(campaign=assessment.campaign, applicant=organisation)
    # nothing answered: refused
    response = client.post(feedback_url(assessment), {"action": "submit"})
    assert response.status_code == 400
    assert "Answer at least one question" in response.content.decode()
    # autosave, then submit with "not concerned" for the training days
    response = client.post(
        reverse(
            "evaluation:programme_feedback_autosave", kwargs={"campaign_pk": assessment.campaign.pk}
        ),
        {"support": "5", "training": "", "network": "4", "to_change": "More meetups."},
    )
    assert response.status_code == 200
    feedback.refresh_from_db()
    assert (feedback.support, feedback.training, feedback.network) == (5, None, 4)
    response = client.post(
        feedback_url(assessment),
        {"support": "5", "training": "", "network": "9", "action": "submit"},
    )
    assert response.status_code == 400
    assert "Choose a rating from 1 to 5" in response.content.decode()
    response = client.post(
        feedback_url(assessment),
        {
            "support": "5",
            "training": "",
            "network": "4",
            "to_change": "More meetups.",
            "action": "submit",
        },
    )
    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.submitted_at and feedback.submitted_by == people["owner"]
    assert client.post(feedback_url(assessment), {"support": "1"}).status_code == 302
    feedback.refresh_from_db()
    assert feedback.support == 5  # submitted: no longer changes
    # the municipality hosting the district answers its own
    client.force_login(people["municipality"])
    assert client.get(feedback_url(assessment)).status_code == 200
    assert ProgrammeFeedback.objects.filter(campaign=assessment.campaign).count() == 2


def test_the_questionnaire_is_a_404_for_those_not_concerned(client, assessment, people):
    for role in ("other organisation", "other municipality", "jury member", "signed in, nobody"):
        client.force_login(people[role])
        assert client.get(feedback_url(assessment)).status_code == 404, role
    client.force_login(people["owner"])
    other = MembershipFactory(user=people["owner"]).applicant  # not concerned
    assert client.get(feedback_url(assessment, other)).status_code == 404
    assert not ProgrammeFeedback.objects.exists()


def test_a_member_of_two_applicants_concerned_chooses(client, in_english, assessment, people):
    user = people["municipality"]
    organisation = assessment.experimentation.application.applicant
    MembershipFactory(user=user, applicant=organisation)
    client.force_login(user)
    page = client.get(feedback_url(assessment)).content.decode()
    assert "Which one do you answer for?" in page
    assert not ProgrammeFeedback.objects.exists()
    assert client.get(feedback_url(assessment, organisation)).status_code == 200
    assert ProgrammeFeedback.objects.get().applicant == organisation


def test_the_questionnaire_closes_with_the_campaign(client, in_english, assessment, people):
    with time_machine.travel(assessment.campaign.closes_at + timedelta(seconds=1), tick=False):
        client.force_login(people["owner"])
        page = client.get(feedback_url(assessment)).content.decode()
        response = client.post(feedback_url(assessment), {"support": "3", "action": "submit"})
    assert "questionnaire no longer changes" in page
    assert response.status_code == 302
    assert not ProgrammeFeedback.objects.filter(submitted_at__isnull=False).exists()

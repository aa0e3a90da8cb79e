"""Project applications: steps and formsets, districts of the call, bad input, owner-only
submit, permission boundaries, uploads, deadline, acknowledgement, dashboard and admin."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from calls.domain import lifecycle
from calls.domain.kinds import progress
from calls.domain.workflow import Status
from calls.models import Application, Attachment, UrbanChallenge
from experimenters import verification
from experimenters.forms import ProjectApplicationForm
from experimenters.models import DistrictWish, TeamMember
from tests.factories import (
    DistrictFactory,
    ExperimenterCallFactory,
    OrganisationFactory,
    ProjectApplicationFactory,
    StaffFactory,
    UserFactory,
    fill_project,
    member_of,
    pdf_upload,
    png_upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def _step_url(application, step):
    return f"{application.urls.edit}?step={step}"


def _wishes(*rows, total=None):
    data = {
        "wishes-TOTAL_FORMS": str(total or max(len(rows), 1)),
        "wishes-INITIAL_FORMS": "0",
        "wishes-MIN_NUM_FORMS": "0",
        "wishes-MAX_NUM_FORMS": "1000",
    }
    for i, (district, reason) in enumerate(rows):
        data[f"wishes-{i}-district"] = str(district)
        data[f"wishes-{i}-reason"] = reason
    return data


def _team(*rows):
    data = {
        "team-TOTAL_FORMS": str(max(len(rows), 1)),
        "team-INITIAL_FORMS": "0",
        "team-MIN_NUM_FORMS": "0",
        "team-MAX_NUM_FORMS": "1000",
    }
    for i, (name, role) in enumerate(rows):
        data[f"team-{i}-name"] = name
        data[f"team-{i}-role"] = role
    return data


def _districts_step(application, *rows):
    climate = UrbanChallenge.objects.get(code="climate").pk
    return {"challenges": [climate], **_wishes(*rows), "action": "save"}


# The form, its steps and its formsets


def test_form_has_six_sections_and_progress_counts_them():
    application = ProjectApplicationFactory()

    result = progress(application, lifecycle.missing_items(application))

    assert (result["done"], result["total"]) == (0, 6)


def test_progress_complete_project_is_six_of_six():
    application = ProjectApplicationFactory(complete=True)

    assert lifecycle.missing_items(application) == []
    assert progress(application, [])["done"] == 6


def test_limit_to_keeps_a_formset_only_in_its_step():
    application = ProjectApplicationFactory()
    form = ProjectApplicationForm(instance=application.content)

    form.limit_to(ProjectApplicationForm.fields_of("project"))

    assert form.formsets == {}
    form = ProjectApplicationForm(instance=application.content)
    form.limit_to(ProjectApplicationForm.fields_of("districts"))
    assert list(form.formsets) == ["wishes"]


def test_step_without_formset_saves_without_management_data(client):
    application = ProjectApplicationFactory()
    client.force_login(application.created_by)

    response = client.post(
        _step_url(application, "project"), {"title": "Îlots de fraîcheur", "action": "save"}
    )

    assert response.status_code == 302
    application.project.refresh_from_db()
    assert application.project.title == "Îlots de fraîcheur"


def test_wishes_are_saved_ranked_in_the_order_given(client):
    application = ProjectApplicationFactory()
    first, second = application.call.districts.order_by("pk")
    client.force_login(application.created_by)

    client.post(
        _step_url(application, "districts"),
        _districts_step(application, (second.pk, "Une gare."), (first.pk, "Une place.")),
    )

    assert list(
        DistrictWish.objects.filter(project=application.project).values_list(
            "rank", "district_id", "reason"
        )
    ) == [(1, second.pk, "Une gare."), (2, first.pk, "Une place.")]


def test_wishes_district_not_in_the_call_is_refused_and_nothing_saved(client):
    application = ProjectApplicationFactory()
    elsewhere = DistrictFactory()  # published, but covered by no call
    client.force_login(application.created_by)

    response = client.post(
        _step_url(application, "districts"),
        _districts_step(application, (elsewhere.pk, "Forged.")),
    )

    assert response.status_code == 400
    assert response.context["form"].errors["wishes-0-district"] == [
        "This district is not covered by this call."
    ]
    assert not DistrictWish.objects.exists()
    assert list(application.project.challenges.values_list("code", flat=True)) == ["climate"]


def test_wishes_district_of_another_call_is_refused_by_autosave(client):
    application = ProjectApplicationFactory()
    other = ExperimenterCallFactory().districts.first()
    client.force_login(application.created_by)

    response = client.post(
        f"{application.urls.autosave}?step=districts",
        _districts_step(application, (other.pk, "Forged.")),
    )

    assert response.status_code == 400
    assert response.json()["errors"]["wishes-0-district"] == [
        "This district is not covered by this call."
    ]
    assert not DistrictWish.objects.exists()


def test_wishes_same_district_twice_is_refused(client):
    application = ProjectApplicationFactory()
    district = application.call.districts.first()
    client.force_login(application.created_by)

    response = client.post(
        _step_url(application, "districts"),
        _districts_step(application, (district.pk, "a"), (district.pk, "b")),
    )

    assert response.status_code == 400
    assert response.context["form"].errors["wishes-1-district"] == [
        "This district is already chosen above."
    ]


def test_wishes_reason_without_district_is_refused_with_every_row_marked(client):
    application = ProjectApplicationFactory()
    client.force_login(application.created_by)

    response = client.post(
        _step_url(application, "districts"),
        _districts_step(application, (99999, "Forged."), ("", "A reason alone.")),
    )

    errors = response.context["form"].errors
    assert (errors["wishes-0-district"], errors["wishes-1-district"]) == (
        ["This district is not covered by this call."],
        ["Choose the district this reason is about."],
    )
    assert response.context["form"].formset_messages == {
        "wishes": ["Correct the rows marked below."]
    }


def test_wishes_more_rows_than_districts_of_the_call_are_refused(client):
    application = ProjectApplicationFactory()
    first, second = application.call.districts.all()
    client.force_login(application.created_by)

    response = client.post(
        _step_url(application, "districts"),
        _districts_step(application, (first.pk, "a"), (second.pk, "b"), (first.pk, "c")),
    )

    assert response.status_code == 400
    assert not DistrictWish.objects.exists()


def test_autosave_saves_the_formsets_of_the_step(client):
    application = ProjectApplicationFactory()
    client.force_login(application.created_by)

    response = client.post(
        f"{application.urls.autosave}?step=budget_team",
        {"budget": "12000", **_team(("Léa Martin", "Cheffe de projet"), ("", ""))},
    )

    assert response.status_code == 200
    assert list(TeamMember.objects.values_list("name", "role", "position")) == [
        ("Léa Martin", "Cheffe de projet", 0)
    ]


def test_team_role_without_name_is_refused(client):
    application = ProjectApplicationFactory()
    client.force_login(application.created_by)

    response = client.post(f"{application.urls.autosave}?step=budget_team", _team(("", "Designer")))

    assert response.json()["errors"]["team-0-name"] == ["Give the name of this team member."]


def test_duration_over_eighteen_months_is_refused(client):
    application = ProjectApplicationFactory()
    client.force_login(application.created_by)

    response = client.post(
        _step_url(application, "deployment"),
        {"duration_months": "19", "deployment_details": "Deux mâts.", "action": "save"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["duration_months"] == [
        "The experimentation lasts 18 months at most."
    ]
    application.project.refresh_from_db()
    assert (application.project.duration_months, application.project.deployment_details) == (
        None,
        "",
    )


def test_duration_eighteen_months_is_accepted(client):
    application = ProjectApplicationFactory()
    client.force_login(application.created_by)

    client.post(_step_url(application, "deployment"), {"duration_months": "18", "action": "save"})

    application.project.refresh_from_db()
    assert application.project.duration_months == 18


def test_missing_no_challenge():
    application = ProjectApplicationFactory(complete=True)
    application.project.challenges.clear()

    assert lifecycle.missing_items(application) == [
        ("challenges", "Choose at least one urban challenge.")
    ]


def test_missing_wish_without_reason_and_no_team():
    application = ProjectApplicationFactory(complete=True)
    application.project.wishes.update(reason="")
    application.project.team.all().delete()

    names = [name for name, _message in lifecycle.missing_items(application)]

    assert names == ["wishes", "team"]


def test_missing_wish_for_a_district_staff_removed_from_the_call():
    application = ProjectApplicationFactory(complete=True)
    wish = application.project.wishes.select_related("district").first()
    wish.district.calls.remove(application.call)

    assert lifecycle.missing_items(application) == [
        (
            "wishes",
            f"{wish.district.name} is no longer covered by this call: choose another one.",
        )
    ]


def test_review_action_shows_formset_problems_next_to_the_formset(client):
    application = ProjectApplicationFactory(complete=True)
    application.project.wishes.all().delete()
    client.force_login(application.created_by)

    response = client.post(
        _step_url(application, "attachments"), {"action": "review", "video_url": ""}
    )

    assert response.status_code == 200
    assert response.context["step"] == "districts"
    assert response.context["form"].formset_messages == {
        "wishes": ["Choose at least one district you wish to experiment in."]
    }
    assert "Choose at least one district you wish to experiment in." in response.content.decode()


def test_edit_pages_render_every_step(client):
    application = ProjectApplicationFactory(complete=True)
    client.force_login(application.created_by)

    for step in ProjectApplicationForm.section_keys():
        response = client.get(_step_url(application, step))
        assert response.status_code == 200, step
    response = client.get(_step_url(application, "districts"))
    assert 'name="wishes-TOTAL_FORMS"' in response.content.decode()
    assert (response.context["progress"]["done"], response.context["progress"]["total"]) == (6, 6)


# Owner-only submit, permission boundaries


def test_submit_by_a_member_is_refused_on_the_server(client):
    application = ProjectApplicationFactory(complete=True)
    colleague = member_of(application.applicant.organisation)
    client.force_login(colleague)

    response = client.post(application.urls.submit, follow=True)

    application.refresh_from_db()
    assert application.status == Status.DRAFT
    assert "Only the owner of the organisation can submit." in [
        str(m) for m in response.context["messages"]
    ]


def test_review_tells_a_member_who_submits(client):
    application = ProjectApplicationFactory(complete=True)
    client.force_login(member_of(application.applicant.organisation))

    response = client.get(application.urls.review)

    assert response.context["can_submit"] is False
    assert "only the owner of the organisation" in response.content.decode()


def test_member_edits_a_draft(client):
    application = ProjectApplicationFactory()
    client.force_login(member_of(application.applicant.organisation))

    client.post(_step_url(application, "project"), {"title": "Par un membre", "action": "save"})

    application.project.refresh_from_db()
    assert application.project.title == "Par un membre"


def test_submit_by_the_owner_after_a_transfer(client):
    from experimenters.services import transfer_ownership

    application = ProjectApplicationFactory(complete=True)
    organisation = application.applicant.organisation
    colleague = member_of(organisation)
    transfer_ownership(organisation, to=colleague, by=organisation.owner())
    client.force_login(colleague)

    client.post(application.urls.submit)

    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


@pytest.mark.parametrize("name", ["edit", "review", "done", "withdraw"])
def test_member_of_another_organisation_gets_404(client, name):
    application = ProjectApplicationFactory(complete=True)
    client.force_login(OrganisationFactory().owner())

    assert client.get(getattr(application.urls, name)).status_code == 404


@pytest.mark.parametrize("name", ["autosave", "submit", "reopen", "withdraw"])
def test_member_of_another_organisation_cannot_post(client, name):
    application = ProjectApplicationFactory(complete=True)
    client.force_login(OrganisationFactory().owner())

    response = client.post(getattr(application.urls, name), {"title": "Hijack"})

    assert response.status_code == 404
    application.refresh_from_db()
    assert (application.status, application.project.title) == (
        Status.DRAFT,
        "Îlots de fraîcheur connectés",
    )


def test_member_of_another_organisation_cannot_download_the_pitch_deck(client):
    application = ProjectApplicationFactory(complete=True)
    attachment = application.attachments.get()
    client.force_login(OrganisationFactory().owner())

    assert client.get(attachment.get_absolute_url()).status_code == 404


# Uploads


def test_pitch_deck_text_named_pdf_is_refused_and_nothing_saved(client):
    application = ProjectApplicationFactory()
    client.force_login(application.created_by)
    fake = SimpleUploadedFile("pitch.pdf", b"not a pdf at all", "application/pdf")

    response = client.post(
        _step_url(application, "attachments"),
        {"pitch_deck": fake, "video_url": "https://video.example/v", "action": "save"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["pitch_deck"] == [
        "This file is not a PDF document. Export it as PDF and try again."
    ]
    application.project.refresh_from_db()
    assert application.project.video_url == ""
    assert not Attachment.objects.exists()


def test_image_slot_refuses_a_pdf(client):
    application = ProjectApplicationFactory()
    client.force_login(application.created_by)

    response = client.post(
        _step_url(application, "attachments"),
        {"images": pdf_upload("photo.png"), "action": "save"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["images"] == ["Only PNG and JPEG images are accepted."]
    assert not Attachment.objects.exists()


def test_images_are_added_up_to_five(client):
    application = ProjectApplicationFactory()
    client.force_login(application.created_by)

    for n in range(5):
        response = client.post(
            _step_url(application, "attachments"),
            {"images": png_upload(f"photo{n}.png"), "action": "save"},
        )
        assert response.status_code == 302
    response = client.post(
        _step_url(application, "attachments"),
        {"images": png_upload("photo6.png"), "action": "save"},
    )

    assert response.status_code == 400
    assert application.attachments.filter(slot="images").count() == 5


def test_pitch_deck_upload_replaces_the_previous_one(client):
    application = ProjectApplicationFactory(complete=True)
    client.force_login(application.created_by)

    client.post(
        _step_url(application, "attachments"),
        {"pitch_deck": pdf_upload("v2.pdf"), "action": "save"},
    )

    assert list(application.attachments.values_list("original_name", flat=True)) == ["v2.pdf"]


# Deadline, workflow, acknowledgement


def test_submit_one_second_after_the_deadline_is_refused():
    application = ProjectApplicationFactory(complete=True)
    owner = application.created_by
    late = application.call.closes_at + timedelta(seconds=1)

    with pytest.raises(lifecycle.WorkflowError):
        lifecycle.transition(application, "submit", by=owner, now=late)

    application.refresh_from_db()
    assert application.status == Status.DRAFT


def test_submit_at_the_deadline_is_accepted():
    application = ProjectApplicationFactory(complete=True)

    lifecycle.transition(
        application, "submit", by=application.created_by, now=application.call.closes_at
    )

    assert application.status == Status.SUBMITTED


def test_incomplete_project_cannot_be_submitted():
    application = ProjectApplicationFactory()

    with pytest.raises(lifecycle.WorkflowError):
        lifecycle.transition(application, "submit", by=application.created_by)


def test_reopen_and_withdraw_a_project():
    application = ProjectApplicationFactory(complete=True)
    owner = application.created_by
    lifecycle.transition(application, "submit", by=owner)

    lifecycle.transition(application, "reopen", by=owner)
    lifecycle.transition(application, "withdraw", by=owner)

    assert application.status == Status.WITHDRAWN


def test_acknowledgement_goes_to_every_member(django_capture_on_commit_callbacks):
    application = ProjectApplicationFactory(complete=True)
    organisation = application.applicant.organisation
    colleague = member_of(organisation)
    stranger = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.transition(application, "submit", by=application.created_by)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == sorted([organisation.owner().email, colleague.email])
    assert stranger.email not in mail.outbox[0].to


# The whole journey through the views


def _journey(client, *, foreign):
    call = ExperimenterCallFactory()
    user = UserFactory()
    client.force_login(user)
    start = reverse("calls:start", kwargs={"slug": call.slug})
    response = client.get(start)
    assert response.status_code == 302
    create_url = response.url
    identity = (
        {"is_foreign": "yes", "country": "BE", "registration_number": "0123.456.749"}
        if foreign
        else {"is_foreign": "no", "siret": "732 829 320 00074", "country": "FR"}
    )
    response = client.post(
        create_url,
        {
            "legal_name": "Urbanlab",
            "structure_type": "startup",
            "created_on": "2021-03-01",
            "headcount": "6",
            "address": "10 rue de l'Innovation",
            "postal_code": "75011",
            "city": "Paris",
            "description": "Des capteurs.",
            "next": start,
            **identity,
        },
    )
    assert response.url == start, response.context and response.context["form"].errors
    organisation = user.applicants.get().organisation
    response = client.post(
        start,
        {
            "applicant": organisation.applicant_id,
            "structure_type": "startup",
            "stage": "prototype",
            "commercialised": "no",
            "challenges": [UrbanChallenge.objects.get(code="climate").pk],
            "can_deploy": "yes",
        },
    )
    application = Application.objects.get()
    assert response.url == application.urls.edit
    district = call.districts.order_by("pk").first()
    steps = {
        "project": {
            "title": "Îlots de fraîcheur",
            "pitch": "Des voiles d'ombrage pilotées.",
            "problem": "Chaleur.",
            "solution": "Ombre.",
            "innovation": "Pilotage.",
            "maturity": "real-conditions",
        },
        "districts": _districts_step(application, (district.pk, "Une place minérale.")),
        "deployment": {
            "needs_space": "on",
            "deployment_details": "Deux mâts.",
            "duration_months": "12",
        },
        "impact": {"expected_impacts": "−3 °C.", "impact_measurement": "Capteurs."},
        "budget_team": {
            "budget": "45000",
            "funding": "Fonds propres.",
            "references": "",
            **_team(("Léa Martin", "Cheffe de projet")),
        },
        "attachments": {"pitch_deck": pdf_upload("pitch.pdf"), "video_url": ""},
    }
    keys = list(steps)
    for index, (step, data) in enumerate(steps.items()):
        action = f"goto:{keys[index + 1]}" if index + 1 < len(keys) else "review"
        response = client.post(_step_url(application, step), {**data, "action": action})
        assert response.status_code == 302, (step, response.context["form"].errors)
    assert response.url == application.urls.review
    review = client.get(application.urls.review)
    assert review.context["missing"] == []
    assert "Îlots de fraîcheur" in review.content.decode()
    # The organisation awaits verification: the owner prepared everything, submits after it
    with translation.override("en"):
        refused = client.post(application.urls.submit, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "Your organisation is waiting to be verified" in refused.content.decode()
    application.refresh_from_db()
    assert application.status == Status.DRAFT
    verification.verify(organisation, by=StaffFactory())
    response = client.post(application.urls.submit)
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert response.url == application.urls.done
    return application


def test_journey_french_organisation_to_a_submitted_project(client):
    application = _journey(client, foreign=False)

    assert application.applicant.organisation.siret == "73282932000074"


def test_journey_foreign_organisation_to_a_submitted_project(client):
    application = _journey(client, foreign=True)

    assert application.applicant.organisation.is_foreign is True


# Dashboard and admin: every project listed, constant query counts


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_dashboard_lists_every_project_with_its_public_status(client):
    organisation = OrganisationFactory()
    call = ExperimenterCallFactory()
    draft = ProjectApplicationFactory(call=call, organisation=organisation)
    submitted = ProjectApplicationFactory(call=call, organisation=organisation, complete=True)
    lifecycle.transition(submitted, "submit", by=organisation.owner())
    client.force_login(organisation.owner())

    response = client.get(reverse("dashboard"))

    rows = [
        (r["application"].reference, r["application"].public_status_label)
        for r in response.context["rows"]
    ]
    assert sorted(rows) == sorted([(draft.reference, "Draft"), (submitted.reference, "Submitted")])


def test_dashboard_query_count_does_not_grow_with_projects(client):
    organisation = OrganisationFactory()
    call = ExperimenterCallFactory()
    client.force_login(organisation.owner())
    ProjectApplicationFactory(call=call, organisation=organisation, complete=True)
    one = _count_queries(client, reverse("dashboard"))
    for _ in range(2):
        ProjectApplicationFactory(call=call, organisation=organisation, complete=True)

    three = _count_queries(client, reverse("dashboard"))

    assert three == one


def test_districts_step_query_count_does_not_grow_with_the_districts_of_the_call(client):
    application = ProjectApplicationFactory(complete=True)
    client.force_login(application.created_by)
    url = _step_url(application, "districts")
    one = _count_queries(client, url)
    application.call.districts.add(DistrictFactory(), DistrictFactory())

    three = _count_queries(client, url)

    assert three == one


def test_admin_projects_changelist_query_count_does_not_grow(client):
    call = ExperimenterCallFactory()
    client.force_login(StaffFactory())
    url = reverse("admin:experimenters_projectenvelope_changelist")
    ProjectApplicationFactory(call=call, complete=True)
    one = _count_queries(client, url)
    for _ in range(2):
        ProjectApplicationFactory(call=call, complete=True)

    three = _count_queries(client, url)

    assert three == one


@pytest.mark.parametrize(
    "query",
    [
        "q=Urbanlab",
        "project__maturity__exact=real-conditions",
        "status__exact=draft",
        "applicant__organisation__structure_type__exact=startup",
    ],
)
def test_admin_projects_changelist_filters_and_search(client, query):
    application = ProjectApplicationFactory(complete=True)
    client.force_login(StaffFactory())

    response = client.get(f"{reverse('admin:experimenters_projectenvelope_changelist')}?{query}")

    assert [a.pk for a in response.context["cl"].result_list] == [application.pk]


def test_admin_projects_filter_by_wave_district_and_challenge(client):
    application = ProjectApplicationFactory(complete=True)
    other = ProjectApplicationFactory(call=application.call)
    district = application.project.wishes.get().district
    DistrictWish.objects.create(
        project=other.project,
        district=application.call.districts.exclude(pk=district.pk)[0],
        rank=1,
    )
    climate = UrbanChallenge.objects.get(code="climate")
    client.force_login(StaffFactory())
    url = reverse("admin:experimenters_projectenvelope_changelist")

    by_district = client.get(f"{url}?project__wishes__district__id__exact={district.pk}")
    by_challenge = client.get(f"{url}?project__challenges__id__exact={climate.pk}")

    assert [a.pk for a in by_district.context["cl"].result_list] == [application.pk]
    assert len(by_challenge.context["cl"].result_list) == 2


def test_admin_project_change_page_shows_answers_read_only(client):
    application = ProjectApplicationFactory(complete=True)
    client.force_login(StaffFactory())

    response = client.get(
        reverse("admin:experimenters_projectenvelope_change", args=[application.pk])
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Îlots de fraîcheur connectés" in page
    assert "Léa Martin" in page
    assert "pitch_deck.pdf" in page
    assert 'name="project-0-title"' not in page


def test_admin_organisation_page_lists_members(client):
    organisation = OrganisationFactory()
    colleague = member_of(organisation)
    client.force_login(StaffFactory())

    response = client.get(
        reverse("admin:experimenters_organisation_change", args=[organisation.pk])
    )

    assert colleague.email in response.content.decode()


def test_fill_project_factory_is_complete():
    application = ProjectApplicationFactory()

    fill_project(application)

    assert lifecycle.missing_items(application) == []


def test_admin_organisation_changelist_query_count_does_not_grow(client):
    client.force_login(StaffFactory())
    url = reverse("admin:experimenters_organisation_changelist")
    OrganisationFactory()
    one = _count_queries(client, url)
    OrganisationFactory(foreign=True)
    member_of(OrganisationFactory())

    assert _count_queries(client, url) == one


def test_dossier_of_a_project_shows_its_answers():
    from calls.interfaces import documents

    application = ProjectApplicationFactory(complete=True)

    html = documents.dossier_html(application, [])

    assert "Îlots de fraîcheur connectés" in html
    assert "Léa Martin" in html


# Rows added in a formset survive the next autosaves, whatever the page's management form says


def _rows(prefix, fields, rows, *, total, initial):
    """The POST of a formset as the page sends it: ``total`` rows, ``initial`` of which were
    in the database when the page was loaded (the page does not reload on autosave)."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i in range(total):
        values = rows[i] if i < len(rows) else ("",) * len(fields)
        for name, value in zip(fields, values, strict=True):
            data[f"{prefix}-{i}-{name}"] = str(value)
    return data


def _stored_wishes(application):
    return list(
        DistrictWish.objects.filter(project=application.project).values_list(
            "rank", "district_id", "reason"
        )
    )


def _stored_team(application):
    return list(TeamMember.objects.filter(project=application.project).values_list("name", "role"))


def _page_management(client, application, step, prefix):
    page = client.get(_step_url(application, step))
    formset = page.context["form"].formsets[prefix]
    return formset.total_form_count(), formset.initial_form_count()


def test_wish_added_then_first_reason_edited_keeps_both_rows(client):
    application = ProjectApplicationFactory(complete=True)
    first, second = application.call.districts.order_by("pk")
    client.force_login(application.created_by)
    total, initial = _page_management(client, application, "districts", "wishes")
    assert (total, initial) == (2, 1)  # the saved wish and one empty row
    url = f"{application.urls.autosave}?step=districts"
    climate = UrbanChallenge.objects.get(code="climate").pk

    def autosave(*rows):
        data = {"challenges": [climate]}
        data.update(_rows("wishes", ("district", "reason"), rows, total=2, initial=1))
        return client.post(url, data)

    assert autosave((first.pk, "Une place."), (second.pk, "Une gare.")).status_code == 200
    assert _stored_wishes(application) == [(1, first.pk, "Une place."), (2, second.pk, "Une gare.")]
    # The same stale management form again (the second keepalive save of an unload)
    assert autosave((first.pk, "Une place."), (second.pk, "Une gare.")).status_code == 200
    assert _stored_wishes(application) == [(1, first.pk, "Une place."), (2, second.pk, "Une gare.")]
    # Only the reason of the first wish edited
    assert autosave((first.pk, "Une place minérale."), (second.pk, "Une gare.")).status_code == 200
    assert _stored_wishes(application) == [
        (1, first.pk, "Une place minérale."),
        (2, second.pk, "Une gare."),
    ]


def test_wish_added_is_kept_by_an_explicit_save_with_a_stale_management_form(client):
    application = ProjectApplicationFactory(complete=True)
    first, second = application.call.districts.order_by("pk")
    DistrictWish.objects.create(project=application.project, district=second, rank=2, reason="B")
    client.force_login(application.created_by)
    climate = UrbanChallenge.objects.get(code="climate").pk

    response = client.post(
        _step_url(application, "districts"),
        {
            "challenges": [climate],
            "action": "save",
            **_rows(
                "wishes",
                ("district", "reason"),
                [(first.pk, "A"), (second.pk, "B")],
                total=2,
                initial=1,
            ),
        },
    )

    assert response.status_code == 302
    assert _stored_wishes(application) == [(1, first.pk, "A"), (2, second.pk, "B")]


def test_wish_row_emptied_by_the_user_is_removed(client):
    application = ProjectApplicationFactory(complete=True)
    first, second = application.call.districts.order_by("pk")
    DistrictWish.objects.create(project=application.project, district=second, rank=2, reason="B")
    client.force_login(application.created_by)

    response = client.post(
        f"{application.urls.autosave}?step=districts",
        _rows("wishes", ("district", "reason"), [(first.pk, "A"), ("", "")], total=2, initial=2),
    )

    assert response.status_code == 200
    assert _stored_wishes(application) == [(1, first.pk, "A")]


def test_team_member_added_then_first_role_edited_keeps_both_rows(client):
    application = ProjectApplicationFactory(complete=True)
    client.force_login(application.created_by)
    total, initial = _page_management(client, application, "budget_team", "team")
    assert (total, initial) == (3, 1)
    url = f"{application.urls.autosave}?step=budget_team"

    def autosave(*rows):
        return client.post(url, _rows("team", ("name", "role"), rows, total=3, initial=1))

    lea, sam = ("Léa Martin", "Cheffe de projet"), ("Sam Roy", "Designer")
    assert autosave(lea, sam).status_code == 200
    assert _stored_team(application) == [lea, sam]
    assert autosave(lea, sam).status_code == 200
    assert _stored_team(application) == [lea, sam]
    assert autosave(("Léa Martin", "Directrice"), sam).status_code == 200
    assert _stored_team(application) == [("Léa Martin", "Directrice"), sam]


def test_team_member_added_is_kept_by_an_explicit_save_with_a_stale_management_form(client):
    application = ProjectApplicationFactory(complete=True)
    TeamMember.objects.create(
        project=application.project, name="Sam Roy", role="Designer", position=1
    )
    client.force_login(application.created_by)

    response = client.post(
        _step_url(application, "budget_team"),
        {
            "budget": "45000",
            "funding": "Fonds propres.",
            "action": "save",
            **_rows(
                "team",
                ("name", "role"),
                [("Léa Martin", "Cheffe de projet"), ("Sam Roy", "Designer")],
                total=3,
                initial=1,
            ),
        },
    )

    assert response.status_code == 302
    assert _stored_team(application) == [
        ("Léa Martin", "Cheffe de projet"),
        ("Sam Roy", "Designer"),
    ]


# Withdraw is irreversible: for an organisation, only its owner withdraws


def test_withdraw_by_a_member_is_refused_on_the_server(client):
    application = ProjectApplicationFactory(complete=True)
    client.force_login(member_of(application.applicant.organisation))

    response = client.post(application.urls.withdraw, {"note": "Plus d'actualité."}, follow=True)

    application.refresh_from_db()
    assert application.status == Status.DRAFT
    assert "Only the owner of the organisation can withdraw the application." in [
        str(m) for m in response.context["messages"]
    ]
    assert not application.history.filter(transition="withdraw").exists()


def test_withdraw_page_sends_a_member_back_to_the_review(client):
    application = ProjectApplicationFactory(complete=True)
    client.force_login(member_of(application.applicant.organisation))

    response = client.get(application.urls.withdraw)

    assert (response.status_code, response.url) == (302, application.urls.review)


def test_withdraw_by_a_member_is_refused_by_the_service_even_once_submitted():
    application = ProjectApplicationFactory(complete=True)
    lifecycle.transition(application, "submit", by=application.created_by)
    colleague = member_of(application.applicant.organisation)

    with pytest.raises(lifecycle.WorkflowError):
        lifecycle.transition(application, "withdraw", by=colleague)

    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_review_hides_the_withdraw_button_from_a_member(client):
    application = ProjectApplicationFactory(complete=True)
    client.force_login(member_of(application.applicant.organisation))

    response = client.get(application.urls.review)

    assert response.context["can_withdraw"] is False
    assert f'href="{application.urls.withdraw}"' not in response.content.decode()


def test_withdraw_by_the_owner(client):
    application = ProjectApplicationFactory(complete=True)
    client.force_login(application.applicant.organisation.owner())

    assert client.get(application.urls.review).context["can_withdraw"] is True
    client.post(application.urls.withdraw, {"note": "Projet reporté."})

    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN


def test_withdraw_by_any_confirmed_member_of_a_municipality():
    from tests.factories import ApplicationFactory, MembershipFactory

    application = ApplicationFactory(complete=True)
    colleague = MembershipFactory(applicant=application.applicant).user

    assert lifecycle.may_take(application, "withdraw", by=colleague)
    lifecycle.transition(application, "withdraw", by=colleague)

    assert application.status == Status.WITHDRAWN


# The budget is shown as typed: cents when there are cents, never rounded


def _with_budget(amount):
    from decimal import Decimal

    application = ProjectApplicationFactory(complete=True)
    application.project.budget = Decimal(amount)
    application.project.save(update_fields=["budget"])
    return application


def test_review_shows_the_budget_with_its_cents(client):
    application = _with_budget("45000.50")
    client.force_login(application.created_by)

    page = client.get(application.urls.review).content.decode()

    assert "45,000.50&nbsp;€" in page
    assert "45,001" not in page


def test_review_shows_a_whole_budget_without_cents(client):
    application = _with_budget("45000")
    client.force_login(application.created_by)

    page = client.get(application.urls.review).content.decode()

    assert "45,000&nbsp;€" in page
    assert "45,000.00" not in page


def test_dossier_shows_the_budget_with_its_cents_in_french():
    from calls.interfaces import documents

    application = _with_budget("45000.50")

    with translation.override("fr"):
        html = documents.dossier_html(application, [])

    assert "45\xa0000,50&nbsp;€" in html
    assert "45\xa0001" not in html

"""Eligibility first: the screening rules, and the start of a project application."""

import pytest
from django.urls import reverse
from django.utils import translation

from calls.models import Application, UrbanChallenge
from experimenters.models import ProjectApplication
from experimenters.services import screen
from tests.factories import (
    CallFactory,
    ExperimenterCallFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    member_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def _answers(**overrides):
    answers = {
        "structure_type": "startup",
        "stage": "prototype",
        "commercialised": False,
        "challenges": ["climate"],
        "can_deploy": True,
    }
    answers.update(overrides)
    return answers


def _post(organisation, **overrides):
    data = {
        "applicant": organisation.applicant_id,
        "structure_type": "startup",
        "stage": "prototype",
        "commercialised": "no",
        "challenges": [UrbanChallenge.objects.get(code="climate").pk],
        "can_deploy": "yes",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# The rules


def test_screen_passing_answers_give_no_reason():
    assert screen(_answers()) == []


@pytest.mark.parametrize("structure", ["startup", "association", "sme", "other"])
def test_screen_each_eligible_structure_passes(structure):
    assert screen(_answers(structure_type=structure)) == []


@pytest.mark.parametrize(
    ("overrides", "start"),
    [
        ({"structure_type": "large-company"}, "The call is open to startups"),
        ({"stage": "idea"}, "The solution must already be a prototype"),
        ({"stage": "product"}, "The call is for solutions still at prototype stage"),
        ({"commercialised": True}, "The solution must not be commercialised yet"),
        ({"challenges": []}, "The project must address at least one"),
        ({"can_deploy": False}, "The organisation must be able to deploy"),
    ],
)
def test_screen_each_failing_rule_gives_its_reason(overrides, start):
    reasons = screen(_answers(**overrides))

    assert len(reasons) == 1
    assert reasons[0].startswith(start)


def test_screen_several_failures_give_every_reason():
    assert len(screen(_answers(stage="idea", commercialised=True, can_deploy=False))) == 3


# The start of a project application


def test_start_without_organisation_sends_to_create_one(client):
    call = ExperimenterCallFactory()
    client.force_login(UserFactory())
    start = reverse("calls:start", kwargs={"slug": call.slug})

    response = client.get(start)

    assert response.status_code == 302
    assert response.url == f"{reverse('experimenters:create')}?next={start.replace('/', '%2F')}"


def test_start_municipality_officer_is_still_sent_to_join(client):
    call = CallFactory()
    client.force_login(UserFactory())

    response = client.get(reverse("calls:start", kwargs={"slug": call.slug}))

    assert response.url.startswith(reverse("municipalities:join"))


def test_start_shows_the_screening(client):
    call = ExperimenterCallFactory()
    organisation = OrganisationFactory()
    client.force_login(organisation.owner())

    response = client.get(reverse("calls:start", kwargs={"slug": call.slug}))

    assert response.status_code == 200
    assert response.templates[0].name == "calls/screening.html"
    assert response.context["form"].initial["structure_type"] == "startup"


def test_start_screening_passed_creates_a_draft_with_the_answers(client):
    call = ExperimenterCallFactory()
    organisation = OrganisationFactory()
    client.force_login(organisation.owner())

    response = client.post(reverse("calls:start", kwargs={"slug": call.slug}), _post(organisation))

    application = Application.objects.get()
    assert response.url == application.urls.edit
    project = application.project
    assert (
        project.screening_stage,
        project.screening_can_deploy,
        project.screened_at is not None,
    ) == (
        "prototype",
        True,
        True,
    )
    assert [c.code for c in project.challenges.all()] == ["climate"]


@pytest.mark.parametrize(
    "overrides",
    [
        {"structure_type": "public-body"},
        {"stage": "idea"},
        {"commercialised": "yes"},
        {"challenges": None},
        {"can_deploy": "no"},
    ],
)
def test_start_screening_failed_says_why_and_creates_nothing(client, overrides):
    call = ExperimenterCallFactory()
    organisation = OrganisationFactory()
    client.force_login(organisation.owner())

    response = client.post(
        reverse("calls:start", kwargs={"slug": call.slug}), _post(organisation, **overrides)
    )

    assert response.status_code == 200
    assert response.templates[0].name == "calls/not_eligible.html"
    assert len(response.context["reasons"]) == 1
    assert "No application was created." in response.content.decode()
    assert Application.objects.count() == 0
    assert ProjectApplication.objects.count() == 0


def test_start_screening_unanswered_question_is_marked(client):
    call = ExperimenterCallFactory()
    organisation = OrganisationFactory()
    client.force_login(organisation.owner())

    response = client.post(
        reverse("calls:start", kwargs={"slug": call.slug}), _post(organisation, stage=None)
    )

    assert response.status_code == 400
    assert response.context["form"].errors["stage"] == ["Answer this question."]
    assert Application.objects.count() == 0


def test_start_each_time_creates_a_new_project(client):
    call = ExperimenterCallFactory()
    organisation = OrganisationFactory()
    client.force_login(organisation.owner())
    url = reverse("calls:start", kwargs={"slug": call.slug})

    client.post(url, _post(organisation))
    client.post(url, _post(organisation))

    assert Application.objects.filter(applicant=organisation.applicant, call=call).count() == 2


def test_start_a_member_may_start_a_project(client):
    call = ExperimenterCallFactory()
    organisation = OrganisationFactory()
    client.force_login(member_of(organisation))

    client.post(reverse("calls:start", kwargs={"slug": call.slug}), _post(organisation))

    assert Application.objects.count() == 1


def test_start_with_several_organisations_chooses_one(client):
    call = ExperimenterCallFactory()
    user = UserFactory()
    first = OrganisationFactory(owner=user)
    second = OrganisationFactory()
    member_of(second, user)
    client.force_login(user)
    url = reverse("calls:start", kwargs={"slug": call.slug})

    page = client.get(url)
    client.post(url, _post(second))

    assert set(page.context["form"].fields["applicant"].queryset) == {
        first.applicant,
        second.applicant,
    }
    assert Application.objects.get().applicant == second.applicant


def test_start_for_an_organisation_i_am_not_member_of_is_refused(client):
    call = ExperimenterCallFactory()
    mine = OrganisationFactory()
    other = OrganisationFactory()
    client.force_login(mine.owner())

    response = client.post(reverse("calls:start", kwargs={"slug": call.slug}), _post(other))

    assert response.status_code == 400
    assert Application.objects.count() == 0


def test_start_municipality_member_cannot_start_an_experimenter_project(client):
    call = ExperimenterCallFactory()
    client.force_login(MembershipFactory().user)

    response = client.get(reverse("calls:start", kwargs={"slug": call.slug}))

    assert response.url.startswith(reverse("experimenters:create"))


# Drafts already started in the call are offered before the screening, to be continued


def _drafts_block(call, user, applicants):
    from django.template.loader import render_to_string

    from calls.domain.lifecycle import drafts_to_continue
    from experimenters.forms import ScreeningForm

    form = ScreeningForm(applicants=applicants)
    drafts = drafts_to_continue(call, applicants, user=user)
    return render_to_string(
        "calls/includes/drafts_to_continue.html", {"call": call, "form": form, "drafts": drafts}
    )


def test_drafts_to_continue_are_the_organisation_drafts_in_this_call_only():
    from calls.domain import lifecycle as call_services
    from calls.domain.lifecycle import drafts_to_continue
    from tests.factories import ProjectApplicationFactory

    call = ExperimenterCallFactory()
    organisation = OrganisationFactory()
    owner = organisation.owner()
    older = ProjectApplicationFactory(call=call, organisation=organisation)
    newer = ProjectApplicationFactory(call=call, organisation=organisation)
    submitted = ProjectApplicationFactory(call=call, organisation=organisation, complete=True)
    call_services.transition(submitted, "submit", by=owner)
    withdrawn = ProjectApplicationFactory(call=call, organisation=organisation)
    call_services.transition(withdrawn, "withdraw", by=owner)
    ProjectApplicationFactory(organisation=organisation)  # another call
    ProjectApplicationFactory(call=call)  # another organisation
    Application.objects.filter(pk=older.pk).update(updated_at=newer.updated_at.replace(year=2020))

    drafts = drafts_to_continue(call, [organisation.applicant], user=owner)

    assert [d.pk for d in drafts] == [newer.pk, older.pk]


def test_drafts_to_continue_not_for_an_organisation_the_user_is_not_member_of():
    from calls.domain.lifecycle import drafts_to_continue
    from tests.factories import ProjectApplicationFactory

    call = ExperimenterCallFactory()
    other = OrganisationFactory()
    ProjectApplicationFactory(call=call, organisation=other)

    assert drafts_to_continue(call, [other.applicant], user=UserFactory()) == []


def test_screening_drafts_block_links_each_draft_to_continue():
    from tests.factories import ProjectApplicationFactory

    call = ExperimenterCallFactory()
    organisation = OrganisationFactory()
    draft = ProjectApplicationFactory(call=call, organisation=organisation)
    draft.project.title = "Îlots de fraîcheur"
    draft.project.save(update_fields=["title"])
    colleague = member_of(organisation)

    html = _drafts_block(call, colleague, [organisation.applicant])

    assert f'href="{draft.urls.edit}"' in html
    assert "Continue this draft" in html
    assert "Îlots de fraîcheur" in html
    assert draft.reference in html


def test_screening_drafts_block_is_empty_without_drafts():
    call = ExperimenterCallFactory()
    organisation = OrganisationFactory()

    html = _drafts_block(call, organisation.owner(), [organisation.applicant])

    assert html.strip() == ""


def test_start_page_offers_to_continue_a_draft_before_the_screening(client):
    call = ExperimenterCallFactory()
    organisation = OrganisationFactory()
    client.force_login(organisation.owner())
    url = reverse("calls:start", kwargs={"slug": call.slug})
    client.post(url, _post(organisation))
    draft = Application.objects.get(applicant=organisation.applicant, call=call)

    html = client.get(url).content.decode()

    assert html.index(f'href="{draft.urls.edit}"') < html.index('<form method="post" novalidate')

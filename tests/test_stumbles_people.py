"""Stumbles of people: sign-up asks the name, the account page edits it (and the phone), the
header links it; the home page links the published results; a selected applicant reads the
decision's shared reason and the next steps."""

import pytest
from django.urls import reverse
from django.utils import translation

from calls.domain import lifecycle
from calls.models import Application
from evaluation import publication, services
from experimenters.models import Experimentation
from municipalities.models import InnovationDistrict
from qmi.models import User
from tests.factories import (
    CallFactory,
    DistrictFactory,
    ExperimenterCallFactory,
    ProjectApplicationFactory,
    StaffFactory,
    SubmittedApplicationFactory,
    UserFactory,
    close,
    take,
)

pytestmark = pytest.mark.django_db

PASSWORD = "Un-mot-de-passe-s0lide"


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def _signup(client, **names):
    data = {"email": "camille@ville.example", "password1": PASSWORD, "password2": PASSWORD}
    return client.post("/accounts/signup/", {**data, **names})


# --- 1. People have names -------------------------------------------------------------------


def test_signup_page_asks_for_the_first_and_last_name(client):
    html = client.get("/accounts/signup/").content.decode()

    assert 'name="first_name"' in html and 'name="last_name"' in html
    assert "First name" in html and "Last name" in html


def test_signup_saves_the_name_on_the_user(client):
    _signup(client, first_name=" Camille ", last_name="Martin")

    user = User.objects.get(email="camille@ville.example")
    assert (user.first_name, user.last_name) == ("Camille", "Martin")
    assert str(user) == "Camille Martin"


def test_signup_without_a_name_is_refused(client):
    response = _signup(client, first_name="", last_name="")

    assert response.status_code == 200
    assert not User.objects.filter(email="camille@ville.example").exists()
    assert "This field is required." in response.content.decode()


def test_header_links_my_account_for_a_signed_in_user_only(client):
    assert reverse("qmi:profile") not in client.get("/").content.decode()

    client.force_login(UserFactory())
    html = client.get("/").content.decode()

    assert reverse("qmi:profile") in html and "My account" in html


def test_profile_page_edits_name_and_phone_and_links_email_and_password(client):
    user = UserFactory()
    client.force_login(user)

    page = client.get("/compte/profil/").content.decode()
    response = client.post(
        "/compte/profil/",
        {"first_name": "Camille", "last_name": "Martin", "phone": "01 23 45 67 89"},
    )

    assert reverse("account_email") in page and reverse("account_change_password") in page
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.phone) == ("Camille", "Martin", "01 23 45 67 89")


def test_profile_page_requires_the_name_and_a_signed_in_user(client):
    assert client.get("/compte/profil/").status_code == 302  # to the sign-in page
    user = UserFactory(first_name="Camille", last_name="Martin")
    client.force_login(user)

    response = client.post("/compte/profil/", {"first_name": "", "last_name": "", "phone": ""})

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.first_name == "Camille"


# --- 2. Results ------------------------------------------------------------------------------


@pytest.fixture
def staff():
    return StaffFactory()


@pytest.fixture
def selected_municipality(staff):
    """A call for municipalities whose one shortlisted application is selected, with a reason
    shared, results not yet published."""
    call = CallFactory(max_selected=1)
    application = take(
        SubmittedApplicationFactory(call=call), "mark_eligible", "shortlist", by=staff
    )
    close(call)
    services.record_decision(
        Application.objects.select_related("call").get(pk=application.pk),
        outcome="selected",
        by=staff,
        reason_shared="Un quartier exemplaire, bien desservi.",
    )
    return call, application


def test_home_links_the_published_results_only_once_published(client, selected_municipality, staff):
    call, _application = selected_municipality
    results_url = reverse("evaluation:results", args=[call.slug])
    assert results_url not in client.get("/").content.decode()

    publication.publish_results(call, by=staff)

    assert results_url in client.get("/").content.decode()


def test_selected_municipality_reads_the_reason_and_its_district(
    client, selected_municipality, staff
):
    call, application = selected_municipality
    client.force_login(application.created_by)
    before = client.get(application.urls.review).content.decode()

    publication.publish_results(call, by=staff)
    dashboard = client.get(reverse("dashboard")).content.decode()
    page = client.get(application.urls.review).content.decode()

    assert "Un quartier exemplaire" not in before
    assert "Un quartier exemplaire, bien desservi." in page
    district = InnovationDistrict.objects.get(source_application=application)
    assert district.get_absolute_url() in page
    assert "Next steps" in page
    # the place is offered: My space asks to answer it, by its due date
    assert "Accept or decline your place by" in dashboard
    assert application.urls.place in dashboard


def test_selected_experimenter_reads_the_reason_and_its_experimentation(client, staff):
    district = DistrictFactory(capacity_min=0)
    call = ExperimenterCallFactory(districts=[district])
    project = ProjectApplicationFactory(call=call, complete=True)
    lifecycle.transition(project, "submit", by=project.created_by)
    take(project, "mark_eligible", "shortlist", by=staff)
    services.record_decision(
        Application.objects.select_related("call").get(pk=project.pk),
        outcome="selected",
        by=staff,
        district=district,
        reason_shared="Projet solide, à déployer au printemps.",
    )
    publication.publish_results(call, by=staff)
    client.force_login(project.created_by)

    page = client.get(project.urls.review).content.decode()

    experimentation = Experimentation.objects.get(application=project)
    assert "Projet solide, à déployer au printemps." in page
    assert reverse("experimenters:experimentation", args=[experimentation.pk]) in page
    # the link leads somewhere the applicant may go
    experimentation_url = reverse("experimenters:experimentation", args=[experimentation.pk])
    assert client.get(experimentation_url).status_code == 200

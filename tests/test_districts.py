"""Innovation districts: created from a municipality proposal, edited by staff, shown on the
public pages and on the page of the experimenter calls that cover them."""

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from calls.domain.workflow import Status
from calls.models import Application
from municipalities.models import InnovationDistrict
from municipalities.services import DistrictError, create_district_from_application
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    DistrictFactory,
    EditionFactory,
    ExperimenterCallFactory,
    StaffFactory,
    SubmittedApplicationFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


# The model


def test_district_capacity_defaults_to_six_to_eight():
    district = DistrictFactory()

    assert (district.capacity_min, district.capacity_max) == (6, 8)


def test_district_capacity_min_above_max_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        DistrictFactory(capacity_min=9, capacity_max=8)


def test_district_one_per_commune_and_edition():
    district = DistrictFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        DistrictFactory(commune=district.commune, edition=district.edition)


def test_district_localized_offer_falls_back_to_french():
    district = DistrictFactory(offer="Deux sites.", offer_en="")

    with translation.override("en"):
        assert district.localized_offer == "Deux sites."
    district.offer_en = "Two sites."
    with translation.override("en"):
        assert district.localized_offer == "Two sites."


# Created from a municipality application


def selected_application():
    """A submitted municipality application whose selection is published (the status set
    directly: the publication itself is tested in test_publication)."""
    application = SubmittedApplicationFactory(call=CallFactory())
    Application.objects.filter(pk=application.pk).update(status=Status.SELECTED)
    application.refresh_from_db()
    return application


def test_create_district_copies_the_proposal():
    application = selected_application()
    proposal = application.municipality

    district, created = create_district_from_application(application, by=StaffFactory())

    assert created is True
    assert (
        district.name,
        district.key_area,
        district.perimeter,
        district.offer,
        district.edition_id,
        district.commune.applicant_id,
        district.source_application,
        district.is_published,
    ) == (
        proposal.district_name,
        proposal.key_area,
        proposal.location,
        proposal.offer,
        application.call.edition_id,
        application.applicant_id,
        application,
        False,
    )
    assert list(district.challenges.all()) == list(proposal.challenges.all())


def test_create_district_is_idempotent():
    application = selected_application()
    staff = StaffFactory()
    first, _ = create_district_from_application(application, by=staff)
    first.name = "Edited by staff"
    first.save()

    again, created = create_district_from_application(application, by=staff)

    assert (again.pk, again.name, created) == (first.pk, "Edited by staff", False)
    assert InnovationDistrict.objects.count() == 1


def test_create_district_refuses_a_municipality_not_selected():
    application = SubmittedApplicationFactory(call=CallFactory())

    with pytest.raises(DistrictError, match="only a selected municipality"):
        create_district_from_application(application, by=StaffFactory())
    assert not InnovationDistrict.objects.exists()


def test_create_district_refuses_a_draft():
    application = ApplicationFactory(call=CallFactory(), complete=True)

    with pytest.raises(DistrictError):
        create_district_from_application(application, by=StaffFactory())


def test_create_district_refuses_a_non_staff_user():
    application = SubmittedApplicationFactory(call=CallFactory())

    with pytest.raises(PermissionDenied):
        create_district_from_application(application, by=application.created_by)


def test_admin_action_creates_the_district_from_the_proposal(client):
    application = selected_application()
    client.force_login(StaffFactory())

    response = client.post(
        reverse("admin:calls_application_changelist"),
        {"action": "create_districts", "_selected_action": [application.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert InnovationDistrict.objects.get().source_application == application


def test_admin_action_listed_on_applications_not_on_projects(rf):
    from experimenters.models import ProjectEnvelope

    request = rf.get("/")
    request.user = StaffFactory()

    assert "create_districts" in site._registry[Application].get_actions(request)
    assert "create_districts" not in site._registry[ProjectEnvelope].get_actions(request)


def _admin_district_form(rf, district, calls):
    """The district form of the admin, posted with ``calls``."""
    request = rf.get("/")
    request.user = StaffFactory()
    form_class = site._registry[InnovationDistrict].get_form(request, district)
    data = {
        "commune": district.commune_id,
        "edition": district.edition_id,
        "slug": district.slug,
        "name": district.name,
        "key_area": district.key_area,
        "capacity_min": 6,
        "capacity_max": 8,
        "calls": [call.pk for call in calls],
    }
    return form_class(data, instance=district)


def test_admin_district_form_refuses_a_call_for_municipalities(rf):
    district = DistrictFactory()
    municipalities_call = CallFactory()

    form = _admin_district_form(rf, district, [municipalities_call])

    assert not form.is_valid()
    assert form.errors["calls"] == [
        f"Select a valid choice. {municipalities_call.pk} is not one of the available choices."
    ]


def test_admin_district_form_accepts_an_experimenter_call(rf):
    district = DistrictFactory()
    call = ExperimenterCallFactory(districts=[])

    form = _admin_district_form(rf, district, [call])

    assert form.is_valid(), form.errors


# Public pages


def test_district_list_shows_published_districts_of_the_current_edition(client):
    shown = DistrictFactory(name="Quartier de la gare")
    DistrictFactory(name="Hidden", is_published=False)
    DistrictFactory(name="Old", edition=EditionFactory(number=1, is_current=False))

    response = client.get(reverse("municipalities:districts"))

    assert [d.pk for d in response.context["districts"]] == [shown.pk]
    assert "Two test sites and a municipal referent." in response.content.decode()


def test_district_page_shows_what_it_offers_and_its_calls(client):
    call = ExperimenterCallFactory(districts=[])
    district = DistrictFactory(calls=[call])

    response = client.get(district.get_absolute_url())

    page = response.content.decode()
    assert "Two test sites and a municipal referent." in page
    assert call.get_absolute_url() in page


def test_unpublished_district_page_is_404(client):
    district = DistrictFactory(is_published=False)

    assert client.get(district.get_absolute_url()).status_code == 404


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_district_list_query_count_does_not_grow(client):
    DistrictFactory()
    one = _count(client, reverse("municipalities:districts"))
    DistrictFactory()
    DistrictFactory()

    assert _count(client, reverse("municipalities:districts")) == one


def test_district_page_query_count_does_not_grow_with_calls(client):
    district = DistrictFactory(calls=[ExperimenterCallFactory(districts=[])])
    one = _count(client, district.get_absolute_url())
    district.calls.add(ExperimenterCallFactory(districts=[]), ExperimenterCallFactory(districts=[]))

    assert _count(client, district.get_absolute_url()) == one


# The page of an experimenter call lists its districts


def test_call_page_lists_its_published_districts_with_links(client):
    shown = DistrictFactory(name="Quartier Pleyel")
    hidden = DistrictFactory(name="Pas encore publié", is_published=False)
    elsewhere = DistrictFactory(name="Autre vague")
    call = ExperimenterCallFactory(districts=[shown, hidden])

    response = client.get(call.get_absolute_url())

    page = response.content.decode()
    assert list(response.context["districts"]) == [shown]
    assert shown.get_absolute_url() in page
    assert hidden.name not in page
    assert elsewhere.name not in page


def test_call_page_query_count_does_not_grow_with_districts(client):
    call = ExperimenterCallFactory(districts=[DistrictFactory()])
    one = _count(client, call.get_absolute_url())
    call.districts.add(DistrictFactory(), DistrictFactory())

    assert _count(client, call.get_absolute_url()) == one


def test_call_page_of_a_municipality_call_has_no_district_list(client):
    call = CallFactory()

    response = client.get(call.get_absolute_url())

    assert response.status_code == 200
    assert 'id="districts-title"' not in response.content.decode()


# Staff pages of districts


def test_admin_district_changelist_query_count_does_not_grow(client):
    client.force_login(StaffFactory())
    url = reverse("admin:municipalities_innovationdistrict_changelist")
    DistrictFactory()
    one = _count(client, url)
    DistrictFactory()
    DistrictFactory()

    assert _count(client, url) == one


def test_admin_district_change_page_renders(client):
    district = DistrictFactory(calls=[ExperimenterCallFactory(districts=[])])
    client.force_login(StaffFactory())

    response = client.get(
        reverse("admin:municipalities_innovationdistrict_change", args=[district.pk])
    )

    assert response.status_code == 200

"""The staff list of applications filters by urban challenge whatever the kind of call."""

import pytest

from calls.models import UrbanChallenge
from tests.factories import ApplicationFactory, ProjectApplicationFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_challenge_filter_lists_applications_of_both_calls_that_address_it(client):
    municipality = ApplicationFactory()
    municipality.content.challenges.set(UrbanChallenge.objects.filter(code="climate"))
    project = ProjectApplicationFactory()  # the screening ticked "climate"
    elsewhere = ApplicationFactory()
    elsewhere.content.challenges.set(UrbanChallenge.objects.filter(code="sport"))
    client.force_login(StaffFactory())

    response = client.get("/admin/calls/application/", {"challenge": "climate"})

    listed = {a.reference for a in response.context["cl"].result_list}
    assert listed == {municipality.reference, project.reference}

"""Demo data of the call for experimenters: an open call over demo districts, a French and a
foreign organisation, projects in several states; idempotent."""

import io

import pytest
from django.core.management import call_command

from calls.domain.lifecycle import missing_items
from calls.domain.workflow import Status
from calls.models import Application, Call
from experimenters.demo import CALL_SLUG
from experimenters.models import Organisation
from municipalities.models import InnovationDistrict
from qmi.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _debug(settings):
    settings.DEBUG = True


def _seed():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_demo_experimenter_call_is_open_over_published_districts():
    _seed()

    call = Call.objects.get(slug=CALL_SLUG)
    districts = list(call.districts.all())
    assert (call.kind, call.is_open(), len(districts)) == (Call.Kind.EXPERIMENTERS, True, 2)
    assert all(d.is_published for d in districts)
    # Only a selected municipality's proposal becomes a district: none in the demo, whose
    # calls for municipalities have no published results.
    assert InnovationDistrict.objects.filter(source_application__isnull=False).count() == 0


def test_demo_has_a_french_and_a_foreign_organisation():
    _seed()

    organisations = {o.legal_name: o for o in Organisation.objects.all()}
    french, foreign = organisations["Fraîcheur Urbaine SAS"], organisations["Stadslab ASBL"]
    assert (french.is_foreign, french.siret) == (False, "84215391800029")
    assert (foreign.is_foreign, foreign.siret, foreign.country.code) == (True, None, "BE")
    roles = dict(
        Membership.objects.filter(applicant=french.applicant).values_list("user__email", "role")
    )
    assert roles == {"startup@qmi.example": "owner", "associe@qmi.example": "member"}


def test_demo_projects_in_several_states():
    _seed()

    projects = Application.objects.filter(call__slug=CALL_SLUG)
    assert sorted(projects.values_list("status", flat=True)) == sorted(
        [Status.DRAFT, Status.SUBMITTED, Status.SUBMITTED, Status.WITHDRAWN, Status.INELIGIBLE]
    )
    for submitted in projects.filter(status__in=[Status.SUBMITTED, Status.INELIGIBLE]):
        assert missing_items(submitted) == []


def test_demo_experimenter_seed_is_idempotent():
    _seed()
    first = (Application.objects.count(), InnovationDistrict.objects.count())

    _seed()

    assert (Application.objects.count(), InnovationDistrict.objects.count()) == first


def test_demo_prints_the_experimenter_accounts():
    out = _seed()

    for email in ("startup@qmi.example", "associe@qmi.example", "foreign@qmi.example"):
        assert email in out

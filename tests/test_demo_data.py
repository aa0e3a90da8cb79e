"""Demo data of ``make run``: every stage of the call for municipalities, idempotent, and
only in development."""

import io
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from calls.demo import PASSWORD
from calls.domain.workflow import Status
from calls.models import Application, Attachment, Call, Edition, FaqEntry, KeyDate, StatusChange
from qmi.models import Applicant, Membership, User

pytestmark = pytest.mark.django_db

DEMO_CALL = "ami-communes-3"
MODELS = [
    User,
    EmailAddress,
    Applicant,
    Membership,
    Edition,
    Call,
    KeyDate,
    FaqEntry,
    Application,
    StatusChange,
    Attachment,
]


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def seed_demo():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_seed_demo_creates_every_stage_of_the_open_call_for_municipalities(debug):
    seed_demo()

    call = Call.objects.get(slug=DEMO_CALL)
    applications = Application.objects.filter(call=call)
    assert {
        "applications": applications.count(),
        "status changes": StatusChange.objects.filter(application__call=call).count(),
        "attachments": Attachment.objects.filter(application__call=call).count(),
        "key dates": KeyDate.objects.filter(edition=call.edition).count(),
        "staff": User.objects.filter(is_staff=True).count(),
    } == {
        "applications": 3,
        "status changes": 2,
        "attachments": 1,
        "key dates": 9,
        "staff": 1,
    }
    assert FaqEntry.objects.count() >= 4


def test_seed_demo_twice_changes_no_count(debug):
    seed_demo()
    first = counts()

    seed_demo()

    assert counts() == first


def test_seed_demo_again_days_later_changes_nothing(debug):
    seed_demo()
    first = counts()
    deadline = Call.objects.get(slug=DEMO_CALL).closes_at
    key_dates = list(KeyDate.objects.values_list("starts_on", "ends_on"))

    with time_machine.travel(timezone.now() + timedelta(days=3)):
        seed_demo()

    assert counts() == first
    assert Call.objects.get(slug=DEMO_CALL).closes_at == deadline
    assert list(KeyDate.objects.values_list("starts_on", "ends_on")) == key_dates


def test_seed_demo_call_for_municipalities_open_now(debug):
    seed_demo()

    call = Call.objects.get(slug=DEMO_CALL)
    assert (call.kind, call.is_published, call.is_open()) == (
        Call.Kind.MUNICIPALITIES,
        True,
        True,
    )


def test_seed_demo_one_application_per_stage(debug):
    seed_demo()

    statuses = dict(
        Application.objects.filter(call__slug=DEMO_CALL).values_list(
            "applicant__commune__insee_code", "status"
        )
    )
    assert statuses == {
        "93048": Status.DRAFT,
        "93008": Status.SUBMITTED,
        "94028": Status.WITHDRAWN,
    }


def test_seed_demo_submitted_application_is_complete(debug):
    from calls.domain.lifecycle import missing_items

    seed_demo()

    submitted = Application.objects.get(call__slug=DEMO_CALL, status=Status.SUBMITTED)
    assert missing_items(submitted) == []
    assert list(submitted.attachments.values_list("slot", "content_type")) == [
        ("deliberation", "application/pdf")
    ]


def test_seed_demo_pending_officer_not_confirmed(debug):
    seed_demo()

    pending = Membership.objects.get(user__email="nouveau@qmi.example")
    assert (pending.applicant.name, pending.is_confirmed) == ("Saint-Ouen-sur-Seine", False)


def test_seed_demo_staff_can_log_in(debug, client):
    seed_demo()

    logged_in = client.login(email="staff@qmi.example", password=PASSWORD)

    staff = User.objects.get(email="staff@qmi.example")
    assert (logged_in, staff.is_staff, staff.is_superuser) == (True, True, True)
    assert int(client.session["_auth_user_id"]) == staff.pk


def test_seed_demo_officer_password_is_the_printed_one(debug):
    output = seed_demo()

    officer = User.objects.get(email="mairie@qmi.example")
    assert officer.check_password(PASSWORD)
    assert PASSWORD in output
    assert "mairie@qmi.example" in output


def test_seed_demo_refused_without_debug(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError):
        seed_demo()

    assert (User.objects.count(), Application.objects.count()) == (0, 0)

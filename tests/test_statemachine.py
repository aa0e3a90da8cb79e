"""The workflow engine on its own: a move from another state, by a user the rule refuses, or
without the reason it needs is refused; a move records who, when, from, to and why."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from calls.domain.workflow import MACHINE, Status
from calls.models import StatusChange
from qmi.statemachine import WorkflowError
from tests.factories import ApplicationFactory, StaffFactory, SubmittedApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_a_move_from_another_state_is_refused_and_named():
    draft = ApplicationFactory()

    with pytest.raises(WorkflowError) as refused:
        MACHINE.check(draft, "mark_eligible", by=StaffFactory())

    assert "“Mark eligible” is not possible" in refused.value.messages[0]


def test_a_move_the_rule_refuses_is_a_permission_denied():
    submitted = SubmittedApplicationFactory()

    with pytest.raises(PermissionDenied):
        MACHINE.check(submitted, "mark_eligible", by=submitted.created_by)


def test_a_move_that_needs_a_reason_is_refused_without_one():
    submitted = SubmittedApplicationFactory()

    with pytest.raises(WorkflowError, match="reason"):
        MACHINE.check(submitted, "mark_ineligible", by=StaffFactory(), note="  ")


def test_a_move_changes_the_status_and_records_it():
    submitted = SubmittedApplicationFactory()
    staff = StaffFactory()
    now = timezone.now()

    previous = MACHINE.move(submitted, "mark_eligible", by=staff, note="Complet.", now=now)

    submitted.refresh_from_db()
    change = StatusChange.objects.filter(application=submitted).last()
    assert (previous, submitted.status) == (Status.SUBMITTED, Status.ELIGIBLE)
    assert (change.transition, change.from_status, change.to_status, change.by, change.note) == (
        "mark_eligible",
        Status.SUBMITTED,
        Status.ELIGIBLE,
        staff,
        "Complet.",
    )

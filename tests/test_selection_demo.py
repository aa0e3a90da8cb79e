"""Demo data of the selection: the 2nd edition's closed call for municipalities, six submitted
applications, criteria and two jury members assigned — idempotent, the open calls untouched."""

import io

import pytest
from django.core.management import call_command
from django.utils import translation

from calls.demo import PASSWORD
from calls.domain.workflow import Status
from calls.models import Application, Call, Delivery, Offer
from evaluation.demo import CALL_SLUG
from evaluation.models import Assignment, Criterion, Decision, JuryMember, Placement
from evaluation.placement import service
from experimenters import experimentation as flow
from experimenters.demo import EARLIER_SLUG, INELIGIBLE_REASON, PILOT_SLUG
from experimenters.models import Experimentation, ExperimentationStatusChange
from qmi.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _debug(settings):
    settings.DEBUG = True


def seed_demo():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_demo_has_a_closed_call_ready_for_selection():
    output = seed_demo()

    call = Call.objects.get(slug=CALL_SLUG)
    statuses = set(Application.objects.filter(call=call).values_list("status", flat=True))
    assert (call.edition.number, call.has_closed(), call.results_published_at) == (2, True, None)
    assert (Application.objects.filter(call=call).count(), statuses) == (6, {Status.SUBMITTED})
    assert Criterion.objects.filter(call=call).count() == 3
    assert sorted(JuryMember.objects.filter(call=call).values_list("user__email", flat=True)) == [
        "jury1@qmi.example",
        "jury2@qmi.example",
    ]
    assert Assignment.objects.filter(jury_member__call=call).count() == 12
    assert "jury1@qmi.example" in output and "jury2@qmi.example" in output


def test_demo_jury_members_sign_in_with_the_printed_password(client):
    seed_demo()

    jury1 = User.objects.get(email="jury1@qmi.example")
    assert (jury1.check_password(PASSWORD), jury1.is_staff) == (True, False)


def test_demo_selection_is_idempotent():
    seed_demo()
    before = (Application.objects.count(), Assignment.objects.count(), Criterion.objects.count())

    seed_demo()

    assert (
        Application.objects.count(),
        Assignment.objects.count(),
        Criterion.objects.count(),
    ) == before


def test_demo_has_a_pilot_wave_whose_laureates_are_placed_once():
    seed_demo()
    seed_demo()

    call = Call.objects.get(slug=PILOT_SLUG)
    board = service.board(call)
    assert (call.has_closed(), call.results_published_at) == (True, None)
    assert Decision.objects.filter(application__call=call, outcome="selected").count() == 14
    assert Placement.objects.filter(application__call=call).count() == 14
    assert board.placed == 14
    # the 2025 wave placed one laureate in each of the two districts
    assert [(c.already, c.total) for c in board.columns] == [(1, 8), (1, 8)]
    assert all(not c.under and not c.over for c in board.columns)


def test_demo_has_experimentations_at_two_stages_after_the_2025_wave():
    seed_demo()
    seed_demo()

    call = Call.objects.get(slug=EARLIER_SLUG)
    experimentations = Experimentation.objects.filter(application__call=call).order_by(
        "application__reference"
    )
    assert call.results_published_at is not None
    assert [e.status for e in experimentations] == ["preparation", "running"]
    assert (
        ExperimentationStatusChange.objects.filter(experimentation__application__call=call).count()
        == 1 + 3
    )
    with translation.override("en"):
        assert flow.missing_documents(experimentations[0]) == ["Insurance certificate"]
    assert experimentations[1].messages.count() == 2  # its conversation has begun
    running = experimentations[1]
    states = [(r.status, r.is_late()) for r in running.reports.order_by("due_at")]
    assert states == [
        ("accepted", False),  # the kick-off report, filed two days early
        ("draft", True),  # the deployment report, begun and late
        ("draft", False),  # to come
        ("draft", False),
    ]
    assert not any(r.is_late() for r in experimentations[0].reports.all())  # planned only


def test_demo_laureates_answered_and_an_ineligibility_is_told_early(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        seed_demo()
    seed_demo()

    offers = Offer.objects.filter(application__call__slug=EARLIER_SLUG)
    assert offers.count() == 2 and {o.answer for o in offers} == {"accepted"}
    told = Application.objects.get(status=Status.INELIGIBLE, decision_told_at__isnull=False)
    assert told.call.results_published_at is None
    held = Delivery.objects.held_back().filter(key=f"decision-{told.pk}")
    assert held.count() == 1 and INELIGIBLE_REASON in held.get().messages[0]["body"]

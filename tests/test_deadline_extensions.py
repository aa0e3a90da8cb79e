"""A later deadline for one applicant: granted by staff with a reason (kept in the history, the
applicant told by e-mail), followed to the second — across a daylight-saving change — by the
server's rule, the countdown, the reminders and the e-mails; refused to anyone else."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from calls.domain import deadlines, lifecycle, reminders
from calls.domain.lifecycle import WorkflowError
from calls.domain.workflow import Status
from calls.models import Application, DeadlineExtension, ReminderSent
from tests.factories import ApplicationFactory, CallFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
SECOND = timedelta(seconds=1)
# The call closes on Friday 28 March 2031 at noon (CET, UTC+1); the clocks go forward on Sunday
# 30 March; the applicant's own deadline is Monday 31 March at noon (CEST, UTC+2).
CLOSES = datetime(2031, 3, 28, 12, 0, tzinfo=PARIS)
OWN = datetime(2031, 3, 31, 12, 0, tzinfo=PARIS)
REASON = "Délibération du conseil municipal reportée au 30 mars."


def at(moment):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def call():
    with at(CLOSES - timedelta(days=40)):
        return CallFactory(opens_at=CLOSES - timedelta(days=60), closes_at=CLOSES)


def draft(call):
    with at(CLOSES - timedelta(days=30)):
        return ApplicationFactory(call=call, complete=True)


def extended(call, **kwargs):
    application = draft(call)
    with at(CLOSES - timedelta(days=2)):
        deadlines.grant(application, closes_at=OWN, reason=REASON, by=StaffFactory(), **kwargs)
    return Application.objects.get(pk=application.pk)


def submit(application, moment):
    with at(moment):
        lifecycle.transition(application, "submit", by=application.created_by)


def status(application):
    return Application.objects.values_list("status", flat=True).get(pk=application.pk)


def test_the_applicant_submits_until_its_own_deadline_to_the_second_across_dst(call):
    mine, other = extended(call), draft(call)
    with pytest.raises(WorkflowError):
        submit(other, CLOSES + SECOND)  # the others keep the call's deadline
    submit(mine, OWN)  # noon, Paris summer time: still in time
    assert status(mine) == Status.SUBMITTED and status(other) == Status.DRAFT
    assert OWN.utcoffset() == timedelta(hours=2) and CLOSES.utcoffset() == timedelta(hours=1)


def test_one_second_after_its_own_deadline_it_is_refused(call):
    mine = extended(call)
    with pytest.raises(WorkflowError):
        submit(mine, OWN + SECOND)
    assert status(mine) == Status.DRAFT


def test_a_new_application_may_be_started_by_the_extended_applicant_only(call):
    mine = extended(call)
    with at(CLOSES + timedelta(days=1)):
        assert deadlines.open_for(call, mine.applicant)
        assert not deadlines.open_for(call, draft(call).applicant)


def test_granting_tells_every_member_with_the_reason_and_keeps_the_history(
    call, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        mine = extended(call)
    (message,) = [m for m in mail.outbox if REASON in m.body]
    assert message.to == [mine.created_by.email]
    assert "31 mars 2031" in message.body and "12:00" in message.body
    extension = DeadlineExtension.objects.get()
    assert extension.history.count() == 1 and extension.granted_by.is_staff

    with at(CLOSES - timedelta(days=1)):  # moved once more
        deadlines.grant(mine, closes_at=OWN + timedelta(days=1), reason="Encore", by=StaffFactory())
    assert extension.history.count() == 2
    assert Application.objects.get(pk=mine.pk).deadline == OWN + timedelta(days=1)


@pytest.mark.parametrize(
    ("closes_at", "reason", "message"),
    [
        (OWN, "  ", "Say why"),
        (CLOSES - timedelta(hours=1), REASON, "later than the call's"),
        (CLOSES - timedelta(days=5) + SECOND, REASON, "later than the call's"),
    ],
)
def test_a_bad_extension_is_refused_and_nothing_is_saved(call, closes_at, reason, message):
    application = draft(call)
    with (
        at(CLOSES - timedelta(days=2)),
        translation.override("en"),
        pytest.raises(deadlines.ExtensionError, match=message),
    ):
        deadlines.grant(application, closes_at=closes_at, reason=reason, by=StaffFactory())
    assert not DeadlineExtension.objects.exists()


def test_only_staff_grant_an_extension(call):
    application = draft(call)
    with pytest.raises(PermissionDenied):
        deadlines.grant(application, closes_at=OWN, reason=REASON, by=application.created_by)
    assert not DeadlineExtension.objects.exists()


def test_reminders_follow_the_applicant_s_own_deadline(call):
    mine, other = extended(call), draft(call)
    with at(CLOSES - timedelta(hours=20)):  # the day before the call's deadline
        reminders.send_due()
    # The others get the reminder of the last day; the applicant, that of its own last week.
    assert set(ReminderSent.objects.values_list("application", "offset", "deadline")) == {
        (other.pk, 24, CLOSES),
        (mine.pk, 168, OWN),
    }

    with at(OWN - timedelta(hours=20)):  # the call closed; the applicant's own day before
        reminders.send_due()
    mine_sent = ReminderSent.objects.filter(application=mine).latest("sent_at")
    assert (mine_sent.offset, mine_sent.deadline) == (24, OWN)
    message = [m for m in mail.outbox if m.to == [mine.created_by.email]][-1]
    assert "31 mars 2031" in message.body


def test_the_application_page_counts_down_to_the_own_deadline(call, client):
    mine = extended(call)
    with at(CLOSES + timedelta(hours=1)):
        client.force_login(mine.created_by)
        page = client.get(mine.get_absolute_url(), follow=True).content.decode()
    assert "2031-03-31T12:00:00+02:00" in page
    assert "Votre date limite (prolongée)" in page or "Your deadline (extended)" in page


# --- Staff's page -----------------------------------------------------------------------------


def test_staff_grant_from_the_application_and_bad_input_keeps_what_was_typed(call, client):
    application = draft(call)
    url = reverse("admin:calls_application_extension", args=[application.pk])
    with at(CLOSES - timedelta(days=2)):
        client.force_login(StaffFactory())
        assert client.get(url).status_code == 200
        refused = client.post(url, {"closes_at": "2031-03-20T12:00", "reason": "Pour tenir compte"})
        page = refused.content.decode()
        assert refused.status_code == 200 and 'aria-describedby="id_closes_at_error"' in page
        assert "Pour tenir compte" in page and not DeadlineExtension.objects.exists()

        granted = client.post(url, {"closes_at": "2031-03-31T12:00:00", "reason": REASON})
    assert granted.status_code == 302
    assert DeadlineExtension.objects.get().closes_at == OWN


def test_the_extension_page_is_for_staff_only(call, client):
    application = draft(call)
    url = reverse("admin:calls_application_extension", args=[application.pk])
    for user in (application.created_by, UserFactory()):
        with at(CLOSES - timedelta(days=2)):
            client.force_login(user)
            response = client.post(url, {"closes_at": "2031-03-31T12:00", "reason": REASON})
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not DeadlineExtension.objects.exists()

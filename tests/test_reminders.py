"""Deadline reminders: what is due at each moment, sent once per application and offset."""

import contextlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from calls.domain import deliveries, lifecycle, notifications, reminders
from calls.domain.offsets import parse_offsets
from calls.models import Delivery, ReminderSent
from tests.factories import ApplicationFactory, CallFactory, MembershipFactory, fill_complete
from tests.mail_backends import CountingBackend

PARIS = ZoneInfo("Europe/Paris")
CLOSES = datetime(2031, 1, 15, 12, 0, tzinfo=PARIS)
DAY = timedelta(days=1)


def at(delta_before_close):
    """A time machine at ``delta_before_close`` before the deadline."""
    return time_machine.travel(CLOSES - delta_before_close, tick=False)


@pytest.fixture
def call(db):
    with at(40 * DAY):
        return CallFactory(opens_at=CLOSES - 60 * DAY, closes_at=CLOSES)


def draft(call, when=30 * DAY, member=None):
    with at(when):
        return ApplicationFactory(call=call, member=member or MembershipFactory())


def sent(application):
    return sorted(application.reminders.values_list("offset", flat=True))


def scan(before_close):
    with at(before_close):
        return reminders.send_due()


# --- offsets ----------------------------------------------------------------------------------


def test_parse_offsets_days_and_hours_largest_first():
    assert parse_offsets("1d, 14d,7d , 2d, 12h, 1d") == [336, 168, 48, 24, 12]


@pytest.mark.parametrize("value", ["14", "7 days", "0d", "-1d", "3w", "d"])
def test_parse_offsets_refuses_what_is_not_an_offset(value):
    with pytest.raises(ValidationError):
        parse_offsets(value)


def test_call_reminder_offsets_are_validated(call):
    call.reminder_offsets = "14d, soon"
    with pytest.raises(ValidationError):
        call.full_clean()


# --- what is due ------------------------------------------------------------------------------


def test_current_offset_is_the_latest_passed(call):
    assert reminders.current_offset(call, CLOSES - 20 * DAY) is None
    assert reminders.current_offset(call, CLOSES - 14 * DAY) == 336
    assert reminders.current_offset(call, CLOSES - 10 * DAY) == 336
    assert reminders.current_offset(call, CLOSES - 3 * DAY) == 168
    assert reminders.current_offset(call, CLOSES - timedelta(hours=30)) == 48
    assert reminders.current_offset(call, CLOSES - timedelta(hours=1)) == 24
    assert reminders.current_offset(call, CLOSES) is None
    assert reminders.current_offset(call, CLOSES + timedelta(seconds=1)) is None


def test_each_offset_sends_one_reminder_in_turn(call):
    application = draft(call)
    for before, expected in [
        (15 * DAY, []),
        (13 * DAY, [336]),
        (12 * DAY, [336]),
        (6 * DAY, [168, 336]),
        (timedelta(hours=47), [48, 168, 336]),
        (timedelta(hours=23), [24, 48, 168, 336]),
        (timedelta(hours=1), [24, 48, 168, 336]),
    ]:
        scan(before)
        assert sent(application) == expected, before
    assert len(mail.outbox) == 4


def test_missed_offsets_catch_up_only_the_latest(call):
    application = draft(call)
    counts = scan(timedelta(hours=30))  # beat was down from 20 days before until now

    assert counts["sent"] == 1
    assert sent(application) == [48]
    assert len(mail.outbox) == 1


def test_nothing_is_sent_after_closing(call):
    application = draft(call)
    scan(-timedelta(minutes=1))
    scan(-DAY)

    assert sent(application) == []
    assert mail.outbox == []


def test_submitted_application_is_not_reminded(call):
    application = draft(call)
    with at(20 * DAY):
        fill_complete(application)
        lifecycle.transition(application, "submit", by=application.created_by)
    mail.outbox.clear()
    scan(13 * DAY)
    scan(timedelta(hours=20))

    assert sent(application) == []
    assert mail.outbox == []


def test_reopened_application_gets_the_next_reminders(call):
    application = draft(call)
    with at(20 * DAY):
        fill_complete(application)
        lifecycle.transition(application, "submit", by=application.created_by)
    with at(5 * DAY):
        lifecycle.transition(application, "reopen", by=application.created_by)
    mail.outbox.clear()

    scan(4 * DAY)  # the 7-day moment passed while it was submitted: not reminded of it
    assert sent(application) == []
    scan(timedelta(hours=40))
    assert sent(application) == [48]
    assert len(mail.outbox) == 1


def test_draft_started_after_an_offset_is_not_reminded_of_it(call):
    application = draft(call, when=10 * DAY)
    scan(9 * DAY)
    assert sent(application) == []
    scan(6 * DAY)
    assert sent(application) == [168]


def test_call_without_offsets_sends_nothing(call):
    call.reminder_offsets = ""
    call.save()
    draft(call)
    scan(DAY / 2)
    assert ReminderSent.objects.count() == 0


def test_scanning_twice_sends_once(call):
    application = draft(call)
    first = scan(6 * DAY)
    second = scan(6 * DAY - timedelta(minutes=5))

    assert (first["sent"], second["due"], second["sent"]) == (1, 0, 0)
    assert sent(application) == [168]
    assert len(mail.outbox) == 1


def test_send_one_refuses_a_reminder_already_recorded(call):
    application = draft(call)
    with at(6 * DAY):
        assert reminders.send_one(application.pk, 168) is True
        assert reminders.send_one(application.pk, 168) is False
        assert reminders.send_one(application.pk, 336) is False  # not the current offset
    assert len(mail.outbox) == 1
    # the same Message-ID at every attempt: a duplicate after a dead worker is recognisable
    message_id = mail.outbox[0].extra_headers["Message-ID"]
    assert message_id.startswith(f"<qmi.reminder-{application.pk}-168@")


def test_reminder_goes_to_every_confirmed_member_bilingual_with_paris_time_and_link(call):
    member = MembershipFactory()
    application = draft(call, member=member)
    colleague = MembershipFactory(applicant=member.applicant)
    MembershipFactory(applicant=member.applicant, confirmed_at=None)  # pending: not told
    scan(6 * DAY)

    (message,) = mail.outbox
    assert sorted(message.to) == sorted([member.user.email, colleague.user.email])
    assert application.reference in message.subject
    assert application.urls.absolute_edit in message.body
    assert "12:00" in message.body  # the deadline, in Paris time (11:00 UTC)
    french, english = message.body.split("—" * 40)  # one part per language
    assert application.reference in french and application.reference in english
    record = application.reminders.get()
    assert record.recipients == ", ".join(sorted(message.to))
    assert record.deadline == CLOSES


def test_a_refused_reminder_stays_claimed_and_goes_at_the_next_scan(call, settings):
    application = draft(call)
    settings.EMAIL_BACKEND = "tests.mail_backends.FailingBackend"
    with pytest.raises(reminders.ReminderDeliveryError):
        scan(6 * DAY)
    delivery = Delivery.objects.get()
    assert (delivery.sent_at, delivery.attempts) == (None, 1)
    assert "the mail server is down" in delivery.error
    assert sent(application) == [168]  # claimed: no other scan renders it again

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    counts = scan(6 * DAY - timedelta(minutes=5))
    assert counts["resumed"] == 1
    assert [m.to for m in mail.outbox] == [[application.created_by.email]]
    assert (
        mail.outbox[0]
        .extra_headers["Message-ID"]
        .startswith(f"<qmi.reminder-{application.pk}-168@")
    )
    delivery.refresh_from_db()
    assert delivery.sent_at is not None and delivery.attempts == 2
    scan(6 * DAY - timedelta(minutes=10))
    assert len(mail.outbox) == 1


def test_a_delivery_refused_again_and_again_is_given_up(call, settings):
    draft(call)
    settings.EMAIL_BACKEND = "tests.mail_backends.FailingBackend"
    for minutes in range(deliveries.MAX_ATTEMPTS + 2):
        with contextlib.suppress(reminders.ReminderDeliveryError):
            scan(6 * DAY - timedelta(minutes=minutes))
    delivery = Delivery.objects.get()
    assert delivery.attempts == deliveries.MAX_ATTEMPTS
    assert delivery.failed_at is not None and delivery.sent_at is None


def test_withdrawn_application_is_not_reminded(call):
    application = draft(call)
    with at(20 * DAY):
        lifecycle.transition(application, "withdraw", by=application.created_by)
    scan(6 * DAY)
    assert sent(application) == []


def test_due_is_one_query_per_open_call(call, django_assert_num_queries):
    with at(40 * DAY):
        other = CallFactory(opens_at=CLOSES - 60 * DAY, closes_at=CLOSES + DAY)
    for _ in range(3):
        draft(call)
        draft(other)
    # the open calls, one per call, then the applicants with their own deadline
    with at(6 * DAY), django_assert_num_queries(1 + 2 + 1):
        assert len(reminders.due()) == 6


# --- batches: recorded and claimed together, sent one by one ------------------------------------


def send_batch(pairs):
    with at(6 * DAY):
        return reminders.send_batch("applications", pairs)


def queries_of_a_batch(call, drafts):
    ids = [draft(call).pk for _ in range(drafts)]
    with CaptureQueriesContext(connection) as queries:
        counts = send_batch([(pk, 168) for pk in ids])
    assert counts["sent"] == drafts
    return len(queries)


def test_a_batch_records_its_reminders_together_and_marks_each_e_mail_sent_alone(call):
    five, twenty_five = queries_of_a_batch(call, 5), queries_of_a_batch(call, 25)
    # each e-mail: its own transaction (a savepoint here) marking its delivery sent, which
    # locks it, and its notification; locking, recording and claiming cost the same for all
    assert twenty_five - five == 20 * 4
    assert len(mail.outbox) == 30
    assert ReminderSent.objects.count() == Delivery.objects.filter(sent_at__isnull=False).count()


def test_a_reminder_recorded_meanwhile_does_not_hold_back_the_others(call, settings):
    applications = [draft(call) for _ in range(4)]
    ReminderSent.objects.create(  # by another worker, between the scan and this batch
        application=applications[1], offset=168, deadline=CLOSES, sent_at=CLOSES - 6 * DAY
    )
    settings.EMAIL_BACKEND = "tests.mail_backends.CountingBackend"
    CountingBackend.made = 0
    counts = send_batch([(application.pk, 168) for application in applications])

    assert (counts["sent"], counts["skipped"], counts["failed"]) == (3, 1, 0)
    assert CountingBackend.made == 1  # one by one, still through the batch's connection
    told = sorted(message.to[0] for message in mail.outbox)
    others = [applications[i] for i in (0, 2, 3)]
    assert told == sorted(application.created_by.email for application in others)
    assert ReminderSent.objects.count() == 4


def test_a_reminder_that_cannot_be_written_does_not_hold_back_the_others(call, monkeypatch):
    applications = [draft(call) for _ in range(3)]
    broken = applications[1]
    write = notifications.send

    def send(kind, *, to, context, **options):
        if context["application"].pk == broken.pk:
            raise ValueError("a template refuses this application")
        return write(kind, to=to, context=context, **options)

    monkeypatch.setattr(notifications, "send", send)
    with pytest.raises(reminders.ReminderDeliveryError) as raised:
        send_batch([(application.pk, 168) for application in applications])

    counts = raised.value.args[0]
    assert (counts["sent"], counts["failed"]) == (2, 1)
    assert sent(broken) == []  # nothing recorded: still due at the next scan
    assert [sent(applications[0]), sent(applications[2])] == [[168], [168]]
    assert len(mail.outbox) == 2

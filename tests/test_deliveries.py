"""The ledger of the e-mails sent in bulk: claimed before they go, marked sent right after, sent
again — the same messages, the same ``Message-ID`` — when their sender died in between, and
shown to staff."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.mail import EmailMessage
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from calls import tasks
from calls.domain import deliveries, reminders
from calls.models import Delivery, Notification, OutboxRule, ReminderSent
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    StaffFactory,
    UserFactory,
    with_second_factor,
)

pytestmark = pytest.mark.django_db


def due_draft():
    """A draft whose 7-day reminder is due now."""
    now = timezone.now()
    call = CallFactory(opens_at=now - timedelta(days=30), closes_at=now + timedelta(days=6))
    application = ApplicationFactory(call=call)
    type(application).objects.filter(pk=application.pk).update(created_at=now - timedelta(days=10))
    return application


def claim_left_behind(key=("test", 1), **message):
    """What a worker killed after the claim and before the send leaves: a committed claim."""
    defaults = {"subject": "Rappel", "body": "Bonjour", "to": ["a@ville.example"]}
    with transaction.atomic():
        return deliveries.claim(key, [EmailMessage(**{**defaults, **message})])


def later(seconds=60):
    return time_machine.travel(timezone.now() + timedelta(seconds=seconds), tick=False)


def test_a_reminder_is_claimed_with_its_message_then_marked_sent():
    application = due_draft()
    reminders.send_due()

    delivery = Delivery.objects.get()
    (message,) = mail.outbox
    assert delivery.key == f"reminder-{application.pk}-168"
    assert delivery.sent_at is not None and delivery.attempts == 1
    assert delivery.recipients == application.created_by.email
    assert delivery.messages[0]["body"] == message.body
    assert message.extra_headers["Message-ID"] == (f"<qmi.reminder-{application.pk}-168@127.0.0.1>")
    assert ReminderSent.objects.filter(application=application).count() == 1


def test_the_record_of_notifications_follows_the_delivery_not_the_claim(settings):
    application = due_draft()
    settings.EMAIL_BACKEND = "tests.mail_backends.FailingBackend"
    with pytest.raises(reminders.ReminderDeliveryError):
        reminders.send_due()
    (notification,) = Notification.objects.filter(application=application)
    assert notification.status == Notification.State.FAILED

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with later():
        reminders.send_due()
    notification.refresh_from_db()
    assert notification.status == Notification.State.SENT and notification.sent_at
    assert len(mail.outbox) == 1


def test_a_claim_left_by_a_dead_sender_goes_again_identical():
    attachment = b"%PDF-1.7 \x00\xff"
    delivery = claim_left_behind(
        attachments=[
            ("invitation.ics", "BEGIN:VCALENDAR", "text/calendar"),
            ("a.pdf", attachment, "application/pdf"),
        ],
    )
    assert deliveries.resume() == 0  # a claim younger than the grace may still be sending
    assert mail.outbox == []

    with later():
        assert deliveries.resume() == 1
        assert deliveries.resume() == 0  # sent: never again

    (message,) = mail.outbox
    assert (message.subject, message.body, message.to) == ("Rappel", "Bonjour", ["a@ville.example"])
    assert message.extra_headers["Message-ID"] == "<qmi.test-1@127.0.0.1>"
    assert [tuple(a) for a in message.attachments] == [
        ("invitation.ics", "BEGIN:VCALENDAR", "text/calendar"),
        ("a.pdf", attachment, "application/pdf"),
    ]
    delivery.refresh_from_db()
    assert delivery.sent_at is not None


def test_a_key_is_claimed_once():
    claim_left_behind()
    with pytest.raises(IntegrityError), transaction.atomic():
        claim_left_behind()
    assert Delivery.objects.count() == 1


def test_a_starting_worker_resumes_what_a_dead_one_left(settings):
    left = claim_left_behind()
    application = due_draft()
    with later():
        tasks.resume_at_start()  # eager here: the scan runs at once
    assert {tuple(m.to) for m in mail.outbox} == {
        ("a@ville.example",),
        (application.created_by.email,),
    }
    left.refresh_from_db()
    assert left.sent_at is not None


def test_nothing_to_send_claims_nothing():
    with transaction.atomic():
        assert deliveries.claim(("test", 2), []) is None
    assert not Delivery.objects.exists()


# --- Staff ------------------------------------------------------------------------------------


def given_up(n=1):
    result = []
    for index in range(n):
        delivery = claim_left_behind(("test", index), to=[f"m{index}@ville.example"])
        delivery.failed_at, delivery.attempts = timezone.now(), deliveries.MAX_ATTEMPTS
        delivery.error = "SMTPServerDisconnected: the mail server is down"
        delivery.save()
        result.append(delivery)
    return result


def test_staff_read_a_delivery_as_sent_and_send_the_given_up_again(client):
    (delivery,) = given_up()
    client.force_login(StaffFactory())

    page = client.get(reverse("admin:calls_delivery_change", args=[delivery.pk]))
    assert page.status_code == 200
    assert "Bonjour" in page.content.decode() and "the mail server is down" in page.content.decode()
    listing = client.get(reverse("admin:calls_delivery_changelist") + "?state=failed")
    assert delivery.key in listing.content.decode()

    client.post(
        reverse("admin:calls_delivery_changelist"),
        {"action": "send_again", "_selected_action": [delivery.pk]},
    )
    reminders.send_due()
    delivery.refresh_from_db()
    assert delivery.sent_at is not None and [m.to for m in mail.outbox] == [["m0@ville.example"]]


def test_deliveries_are_for_staff_only(client):
    (delivery,) = given_up()
    client.force_login(UserFactory())
    for url in (
        reverse("admin:calls_delivery_changelist"),
        reverse("admin:calls_delivery_change", args=[delivery.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "Bonjour" not in response.content.decode()


@pytest.mark.parametrize("size", [2, 30])
def test_the_deliveries_list_takes_the_same_queries_whatever_their_number(
    client, django_assert_num_queries, size
):
    given_up(size)
    client.force_login(StaffFactory())
    client.get(reverse("admin:calls_delivery_changelist"))
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(reverse("admin:calls_delivery_changelist")).status_code == 200


LIST_QUERIES = 9


# --- The outbox -------------------------------------------------------------------------------


def held_reminder():
    """A deadline reminder held in the outbox (staff chose to review the reminders)."""
    OutboxRule.objects.create(kind="reminder", hold=True)
    application = due_draft()
    reminders.send_due()
    return application, Delivery.objects.get()


def test_a_kind_staff_hold_waits_in_the_outbox_until_released(
    client, django_capture_on_commit_callbacks
):
    application, delivery = held_reminder()
    assert mail.outbox == [] and delivery.held
    assert ReminderSent.objects.filter(application=application).exists()  # not due again
    with later():
        reminders.send_due()  # neither the scans nor the resumption send a held e-mail
    assert mail.outbox == []

    staff = StaffFactory()
    client.force_login(staff)
    outbox = client.get(reverse("admin:calls_delivery_changelist") + "?state=held")
    assert delivery.key in outbox.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:calls_delivery_edit", args=[delivery.pk]),
            {
                "subject": "[QMI] Plus que six jours",
                "body": "Bonjour,\nVotre dossier attend.",
                "_release": "1",
            },
        )
    assert response.status_code == 302
    (message,) = mail.outbox
    assert (message.subject, message.body) == (
        "[QMI] Plus que six jours",
        "Bonjour,\nVotre dossier attend.",
    )
    assert message.extra_headers["Message-ID"] == f"<qmi.reminder-{application.pk}-168@127.0.0.1>"
    delivery.refresh_from_db()
    assert (delivery.released_by, delivery.edited_by) == (staff, staff)
    assert delivery.sent_at is not None and not delivery.held


def test_releasing_twice_sends_once(client, django_capture_on_commit_callbacks):
    _application, delivery = held_reminder()
    client.force_login(StaffFactory())
    for _ in range(3):  # clicks, a double submission: each release queues the sending
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("admin:calls_delivery_changelist"),
                {"action": "release_selected", "_selected_action": [delivery.pk]},
            )
    assert len(mail.outbox) == 1
    deliveries.send_all([delivery.pk, delivery.pk])  # a task retried with the same ids
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert delivery.sent_at is not None and delivery.attempts == 1


def test_a_held_e_mail_edited_without_a_subject_is_refused_and_kept(client):
    _application, delivery = held_reminder()
    client.force_login(StaffFactory())
    response = client.post(
        reverse("admin:calls_delivery_edit", args=[delivery.pk]),
        {"subject": "", "body": "Texte changé", "_save": "1"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and 'id="id_subject_error"' in page
    assert 'aria-describedby="id_subject_error"' in page  # the error is tied to its field
    assert "Texte changé" in page  # what was typed is still there
    delivery.refresh_from_db()
    assert delivery.messages[0]["body"] != "Texte changé" and delivery.held


def test_a_sent_e_mail_can_no_longer_be_edited(client):
    _application, delivery = held_reminder()
    deliveries.send_all(deliveries.release(Delivery.objects.all(), by=None))
    client.force_login(StaffFactory())
    response = client.post(
        reverse("admin:calls_delivery_edit", args=[delivery.pk]),
        {"subject": "Autre", "body": "Autre", "_save": "1"},
    )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.subject != "Autre"


def test_staff_choose_the_kinds_held_and_decisions_are_held_by_default(client):
    assert deliveries.holds("decision") and not deliveries.holds("reminder")
    client.force_login(StaffFactory())
    page = client.get(reverse("admin:calls_delivery_rules")).content.decode()
    assert "Décisions à la publication des résultats" in page
    client.post(reverse("admin:calls_delivery_rules"), {"held": ["reminder", "call-open"]})
    assert deliveries.holds("reminder") and deliveries.holds("call-open")
    assert not deliveries.holds("decision")


@pytest.mark.parametrize("name", ["calls_delivery_edit", "calls_delivery_rules"])
def test_the_outbox_tools_are_for_staff_who_may_send(client, name):
    _application, delivery = held_reminder()
    args = [delivery.pk] if name.endswith("edit") else []
    url = reverse(f"admin:{name}", args=args)
    client.force_login(UserFactory())  # an applicant
    assert client.get(url).status_code == 302
    reader = UserFactory(is_staff=True)  # staff who may only read the deliveries
    reader.user_permissions.add(Permission.objects.get(codename="view_delivery"))
    with_second_factor(reader)
    client.force_login(reader)
    assert client.get(url).status_code == 403
    assert (
        client.post(url, {"subject": "x", "body": "y", "_release": "1", "held": []}).status_code
        == 403
    )
    assert mail.outbox == [] and Delivery.objects.held_back().count() == 1


def test_a_batch_reads_the_outbox_rules_once_and_the_next_batch_reads_them_again():
    drafts = [due_draft() for _ in range(3)]
    pairs = [(application.pk, 168) for application in drafts]

    with CaptureQueriesContext(connection) as queries:
        reminders.send_batch("applications", pairs[:2])
    OutboxRule.objects.create(kind="reminder", hold=True)  # staff hold the reminders now
    reminders.send_batch("applications", pairs[2:])

    assert sum("calls_outboxrule" in q["sql"] for q in queries.captured_queries) == 1
    assert len(mail.outbox) == 2
    assert Delivery.objects.held_back().get().recipients  # the third waits for staff

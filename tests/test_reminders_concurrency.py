"""Worker processes racing over the same reminders, on PostgreSQL: a batch handed out twice
(a scan while the previous batches still run), and senders racing for the same claimed e-mail
(a starting worker resuming what a living one is sending), never send one twice.

SQLite has no row locks (it serialises every write), so the race cannot be shown on it: these
tests carry the ``services`` mark, are skipped on a developer's SQLite and run against
PostgreSQL in CI (``CI=true``, ``DATABASE_URL`` set)."""

from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from calls.domain import deliveries, reminders
from calls.models import Application, Delivery, Notification, ReminderSent
from tests.factories import ApplicantFactory, ApplicationFactory, CallFactory, MembershipFactory
from tests.services import race, require_postgres, requires_services

pytestmark = [requires_services, pytest.mark.django_db(transaction=True)]

DRAFTS = 120


@pytest.fixture(autouse=True)
def _postgres():
    require_postgres("the race between workers")


def due_drafts(count):
    """Drafts whose 7-day reminder is due now: ``[(application id, 168)]``."""
    now = timezone.now()
    call = CallFactory(opens_at=now - timedelta(days=30), closes_at=now + timedelta(days=6))
    # applicants as such: more drafts than there are member communes left free
    members = [MembershipFactory(applicant=ApplicantFactory()) for _ in range(count)]
    ids = [ApplicationFactory(call=call, member=member).pk for member in members]
    Application.objects.filter(pk__in=ids).update(created_at=now - timedelta(days=10))
    return [(pk, 168) for pk in ids]


def test_three_workers_sending_the_same_batch_remind_each_draft_once():
    pairs = due_drafts(DRAFTS)
    orders = [pairs, pairs[::-1], pairs[DRAFTS // 2 :] + pairs[: DRAFTS // 2]]

    results = race(3, lambda n: reminders.send_batch("applications", orders[n]))

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r["sent"] for r in results) == DRAFTS
    assert sum(r["skipped"] for r in results) == 2 * DRAFTS
    assert ReminderSent.objects.count() == DRAFTS
    per_address = Counter(message.to[0] for message in mail.outbox)
    assert len(per_address) == DRAFTS and set(per_address.values()) == {1}
    assert Delivery.objects.filter(sent_at__isnull=False, attempts=1).count() == DRAFTS
    sent = Notification.objects.filter(kind="deadline_reminder", status="sent")
    assert sent.count() == DRAFTS


def test_senders_racing_for_the_same_claimed_e_mails_send_each_once():
    with transaction.atomic():
        claimed = [
            deliveries.claim(
                ("test", n),
                [EmailMessage("Rappel", "Bonjour", to=[f"maire{n}@ville.example"])],
            )
            for n in range(40)
        ]
    ids = [delivery.pk for delivery in claimed]

    results = race(3, lambda n: deliveries.send_all(ids if n % 2 else ids[::-1]))

    assert sum(r["sent"] for r in results) == 40
    assert sum(r["skipped"] for r in results) == 80
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        f"maire{n}@ville.example" for n in range(40)
    )
    assert Delivery.objects.filter(sent_at__isnull=False, attempts=1).count() == 40

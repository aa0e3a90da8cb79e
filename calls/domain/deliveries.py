"""Claimed, sent, marked: how an e-mail of a bulk sending goes out once even when its worker dies.

``reminders.deliver`` renders the messages of a reminder (or notice, or decision) into a
``Capture`` — nothing leaves — and writes them as a ``Delivery`` in the transaction that records
the reminder as done: the e-mail is *claimed*. Once that transaction commits, ``send`` marks the
delivery sent — which locks its row —, hands the stored messages to the mail server and commits,
in a second, short transaction: the mark stands only once the server took them.

A worker killed before the claim commits leaves nothing: the reminder is still due, and is sent
by whoever comes next. A worker killed after it leaves a delivery claimed and not sent, whose row
lock died with its database connection: ``resume`` sends it again, the same messages with the
same ``Message-ID``. Only a death between the mail server's acceptance and the second commit —
the notifications' ``UPDATE`` — can cause a duplicate: one at most per death, and recognisable
by its ``Message-ID``.

``resume`` runs before every batch and scan and when a worker starts (``calls.tasks``), so what a
dead worker left goes out at once, not at the next beat scan.

The outbox: the kinds of e-mail staff choose to review (``OutboxRule``; decisions by default)
are claimed *held*. Staff read each message as it will leave, edit it, and release it; releasing
sends it through the same ``send``, so that a message goes once whatever the clicks and retries.
"""

import base64
import contextvars
import logging
from contextlib import contextmanager
from datetime import timedelta

from django.core.mail import EmailMessage
from django.core.mail import get_connection as mail_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from calls.models import Delivery, Notification, OutboxRule
from qmi import mail

logger = logging.getLogger(__name__)

# A claim left unlocked for longer than this has lost its sender (the sender locks it a few
# milliseconds after the claim commits, and holds the lock until the delivery is marked sent).
GRACE = timedelta(seconds=3)
MAX_ATTEMPTS = 5


KINDS = {}  # kind of e-mail (the first part of a delivery's key) → (label, held by default)


def register_kind(kind, label, *, hold=False):
    """Declare a kind of bulk e-mail, for the outbox's rules; ``hold``: by default its e-mails
    wait for staff to release them."""
    KINDS[kind] = (label, hold)


_read_once = contextvars.ContextVar("outbox_rules_read_once", default=None)


@contextmanager
def rules_read_once():
    """Within the block, each kind's rule is read once (a batch of reminders: the rules as
    they were when it started, one query instead of one per e-mail)."""
    token = _read_once.set({})
    try:
        yield
    finally:
        _read_once.reset(token)


def holds(kind):
    """Whether the e-mails of ``kind`` wait in the outbox (the staff's rule, or the default)."""
    cache = _read_once.get()
    if cache is not None and kind in cache:
        return cache[kind]
    rule = OutboxRule.objects.filter(kind=kind).values_list("hold", flat=True).first()
    held = rule if rule is not None else KINDS.get(kind, (None, False))[1]
    if cache is not None:
        cache[kind] = held
    return held


def rules():
    """``[(kind, label, hold)]`` of every kind, as staff set them."""
    chosen = dict(OutboxRule.objects.values_list("kind", "hold"))
    return [(kind, label, chosen.get(kind, hold)) for kind, (label, hold) in KINDS.items()]


def set_rules(held_kinds):
    """Hold exactly the kinds ``held_kinds`` from now on."""
    for kind in KINDS:
        OutboxRule.objects.update_or_create(kind=kind, defaults={"hold": kind in held_kinds})


class Capture(BaseEmailBackend):
    """A mail connection that keeps the messages it is given instead of sending them."""

    defers_sending = True  # the recorders leave their record pending: ``send`` marks it

    def __init__(self, **kwargs):
        super().__init__(fail_silently=False, **kwargs)
        self.messages = []

    def send_messages(self, email_messages):
        self.messages.extend(email_messages)
        return len(email_messages)


def _stored(message, key):
    """The parts of ``message`` as JSON, with a ``Message-ID`` made of ``key`` if it had none."""
    headers = dict(message.extra_headers)
    if not any(name.lower() == "message-id" for name in headers):
        headers["Message-ID"] = mail.message_id(key)
    attachments = []
    for name, content, mimetype in message.attachments:
        if isinstance(content, bytes):
            content = {"base64": base64.b64encode(content).decode("ascii")}
        attachments.append([name, content, mimetype])
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": headers,
        "attachments": attachments,
        "notifications": [entry.pk for entry in getattr(message, "pending_notifications", ())],
    }


def _message(data, connection):
    attachments = [
        (name, base64.b64decode(content["base64"]) if isinstance(content, dict) else content, mt)
        for name, content, mt in data["attachments"]
    ]
    return EmailMessage(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
        attachments=attachments or None,
        connection=connection,
    )


def claim(key, messages):
    """Write the delivery ``key`` (``(source, id, …)``) of ``messages``, in the caller's
    transaction; None when there is nothing to send. Raises ``IntegrityError`` when the key was
    claimed already."""
    return claim_many([(key, messages)])[0]


def claim_many(claims):
    """Write the delivery of each ``(key, messages)`` of ``claims`` in the caller's transaction,
    with the ``Notification`` records their messages left pending (``notifications.record``):
    one ``INSERT`` for all the records, one for all the deliveries. Answers the deliveries, None
    where there was nothing to send; raises ``IntegrityError`` when a key was claimed already."""
    pending = [
        entry
        for _key, messages in claims
        for message in messages
        for entry in getattr(message, "pending_notifications", ())
    ]
    Notification.objects.bulk_create(pending)
    made = [_delivery(key, messages) if messages else None for key, messages in claims]
    Delivery.objects.bulk_create([delivery for delivery in made if delivery is not None])
    return made


def _delivery(key, messages):
    name = "-".join(str(part) for part in key)
    stored = [
        _stored(message, name if len(messages) == 1 else f"{name}.{index}")
        for index, message in enumerate(messages, start=1)
    ]
    recipients = sorted({address for data in stored for address in data["to"]})
    return Delivery(
        key=name,
        source=str(key[0]),
        held=holds(str(key[0])),
        messages=stored,
        recipients=", ".join(recipients),
        subject=stored[0]["subject"][:255],
    )


def send(delivery, connection=None):
    """Send ``delivery`` — one just claimed, or the id of one — unless it is sent, given up, or
    being sent by another process; True when it went now. A refusal of the mail server is
    recorded (the delivery is given up after ``MAX_ATTEMPTS``) and raised again.

    One transaction: the delivery's row is marked sent, which locks it (another sender waits,
    then finds it sent), the messages are handed to the mail server, and the commit makes the
    mark stand only once the server took them; a refusal, or a worker dying, rolls it back.
    Only a held delivery can be edited, so one just claimed is sent as it was claimed."""
    if not isinstance(delivery, Delivery):
        delivery = Delivery.objects.unsent().filter(pk=delivery).first()
        if delivery is None:
            return False
    taken = False
    try:
        with transaction.atomic():
            now = timezone.now()
            taken = bool(
                Delivery.objects.unsent()
                .filter(pk=delivery.pk)
                .update(attempts=F("attempts") + 1, sent_at=now, error="")
            )
            if not taken:
                return False
            for data in delivery.messages:
                _message(data, connection).send()
            _mark_notifications(delivery, sent_at=now)
    except Exception as error:
        if taken:  # the mail server refused, or is down
            _record_failure(delivery, error)
        raise
    return True


def _record_failure(delivery, error):
    """A refused attempt: counted, its error kept, given up after ``MAX_ATTEMPTS``."""
    with transaction.atomic():
        delivery = Delivery.objects.unsent().select_for_update().filter(pk=delivery.pk).first()
        if delivery is None:  # sent meanwhile by another process
            return
        delivery.attempts += 1
        delivery.error = f"{type(error).__name__}: {error}"[:2000]
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.failed_at = timezone.now()
        delivery.save(update_fields=["attempts", "error", "failed_at"])
        _mark_notifications(delivery, error=delivery.error)


def _mark_notifications(delivery, *, sent_at=None, error=None):
    """The ``Notification`` records of the messages: sent, or failed with the error."""
    ids = [pk for data in delivery.messages for pk in data.get("notifications", ())]
    if not ids:
        return
    if error is None:
        changes = {"status": Notification.State.SENT, "sent_at": sent_at, "error": ""}
    else:
        changes = {"status": Notification.State.FAILED, "error": error}
    Notification.objects.filter(pk__in=ids).update(**changes)


def left_behind(now=None):
    """The deliveries claimed and not sent whose sender is gone (or failed): ids, oldest first."""
    now = now or timezone.now()
    return list(
        Delivery.objects.unsent()
        .filter(claimed_at__lt=now - GRACE)
        .order_by("claimed_at", "pk")
        .values_list("pk", flat=True)
    )


def resume(connection=None):
    """Send again what dead senders left claimed and not sent; returns how many went (a
    delivery that fails again stays for the next time, or is given up)."""
    sent = 0
    for pk in left_behind():
        try:
            sent += send(pk, connection)
        except Exception:
            logger.exception("delivery %s not sent again", pk)
    return sent


def retry(queryset):
    """Give the given-up deliveries of ``queryset`` a new round of attempts: ``resume`` sends
    them at the next batch or scan. Returns how many."""
    return queryset.filter(sent_at__isnull=True, failed_at__isnull=False).update(
        failed_at=None, attempts=0, claimed_at=timezone.now() - GRACE
    )


def edit(delivery, *, subject, body, by):
    """Staff's version of a held delivery: its messages get ``subject`` and ``body``. Refused
    (False) once it was released or sent."""
    with transaction.atomic():
        delivery = Delivery.objects.held_back().select_for_update().filter(pk=delivery.pk).first()
        if delivery is None:
            return False
        for data in delivery.messages:
            data["subject"], data["body"] = subject, body
        delivery.subject = subject[:255]
        delivery.edited_at, delivery.edited_by = timezone.now(), by
        delivery.save(update_fields=["messages", "subject", "edited_at", "edited_by"])
    return True


def release(queryset, *, by):
    """Release the held deliveries of ``queryset``: they are to be sent now (``send``, once
    each). Returns their ids, for the caller to hand them to the workers."""
    with transaction.atomic():
        ids = list(
            queryset.held_back().select_for_update(skip_locked=True).values_list("pk", flat=True)
        )
        Delivery.objects.filter(pk__in=ids).update(
            held=False, released_at=timezone.now(), released_by=by
        )
    return ids


def send_all(ids):
    """Send the deliveries ``ids`` through one mail connection (each once); returns the counts."""
    counts = {"sent": 0, "skipped": 0, "failed": 0}
    with mail_connection() as connection:
        for pk in ids:
            try:
                went = send(pk, connection)
            except Exception:
                logger.exception("delivery %s not sent", pk)
                counts["failed"] += 1
                continue
            counts["sent" if went else "skipped"] += 1
    return counts

"""Deadline reminders, for both calls: what is due is computed from the database, each reminder
goes out once per application and offset.

A call has offsets before its deadline (``Call.reminder_offsets``, default 14, 7, 2 and 1 days).
Every few minutes beat runs ``send_due()``. For each open call, the *current* offset is the
smallest one whose moment has passed: only that one is due, so after an outage only the latest
missed reminder is caught up, and nothing is sent once the call has closed. It goes to the
members of every application that is a draft — never submitted, or reopened and not submitted
again — and has been one since before that moment (a draft started, or reopened, after it is
not reminded of it).

Exactly once: ``send_one`` locks the application's row, writes the ``ReminderSent`` row (unique
per application and offset) and *claims* the e-mail — its messages rendered and stored as a
``Delivery`` — in one transaction; once it commits the e-mail is sent and marked sent right
after (``calls.domain.deliveries``). A worker killed before the commit leaves the reminder due;
killed after it, it leaves a claim that the next batch, scan or starting worker sends again with
the same ``Message-ID``. A second worker skips the applications being reminded by another
(``SKIP LOCKED``). What no database can guarantee is the instant between the mail server
accepting a message and the commit that marks it sent: a worker dying right then causes one
duplicate, recognisable by its ``Message-ID``.

The same engine serves every other dated thing the portal reminds of (the reports of an
experimentation…): an app registers a ``Source`` — what is due now, and how to send one — and
sends it through ``deliver_once``; ``send_due`` goes through every source.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.core import mail
from django.db import IntegrityError, transaction
from django.db.models import (
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calls.domain import deliveries, notifications
from calls.domain.offsets import parse_offsets
from calls.domain.workflow import Status
from calls.models import Application, Call, DeadlineExtension, ReminderSent, StatusChange

logger = logging.getLogger(__name__)

BATCH_SECONDS = 4 * 60  # one scan sends for this long at most; the next scan goes on


class ReminderDeliveryError(Exception):
    """Some reminders could not be sent (mail server down…): the scan is retried later."""


def current_offset(call, now, deadline=None):
    """The offset (hours) of ``call`` whose moment passed most recently, or None; counted
    from ``deadline`` when the applicant has its own (``DeadlineExtension``)."""
    deadline = deadline or call.closes_at
    if not call.opens_at <= now < deadline:
        return None
    left = deadline - now
    due = [
        hours for hours in parse_offsets(call.reminder_offsets) if timedelta(hours=hours) >= left
    ]
    return min(due) if due else None


def _draft_since():
    """When the application last became a draft: created, or reopened."""
    last_draft = (
        StatusChange.objects.filter(application=OuterRef("pk"), to_status=Status.DRAFT)
        .order_by("-at")
        .values("at")[:1]
    )
    return Coalesce(Subquery(last_draft), F("created_at"))


def _still_due(offset):
    """The applications whose reminder ``offset`` is due, whatever their call: drafts since
    before the moment of the offset (their deadline — the applicant's own, or the call's —
    less ``offset`` hours), not yet reminded of it for that deadline."""
    own = DeadlineExtension.objects.filter(call=OuterRef("call"), applicant=OuterRef("applicant"))
    moment = ExpressionWrapper(
        F("deadline_at") - Value(timedelta(hours=offset)), output_field=DateTimeField()
    )
    reminded = ReminderSent.objects.filter(
        application=OuterRef("pk"), offset=offset, deadline=OuterRef("deadline_at")
    )
    return (
        Application.objects.filter(status=Status.DRAFT)
        .annotate(
            draft_since=_draft_since(),
            extended=Exists(own),
            deadline_at=Coalesce(Subquery(own.values("closes_at")[:1]), F("call__closes_at")),
        )
        .filter(draft_since__lt=moment)
        .exclude(Exists(reminded))
    )


@dataclass(frozen=True)
class Source:
    """Something the portal reminds of. ``due(now)`` answers ``[(id, offset), …]``;
    ``send_one(id, offset, now=, connection=)`` sends one if still due (True when sent now),
    through the batch's mail ``connection``."""

    name: str
    due: Callable
    send_one: Callable


_sources = {}


def register(source):
    _sources[source.name] = source


def deliver_once(queryset, pk, *, key, still_due, record, send, connection=None):
    """The exactly-once step of every reminder: lock the row ``pk`` of ``queryset`` (skipped
    when another worker holds it), check ``still_due(obj)``, write the record (``record(obj)``,
    unique per reminder) and claim the e-mail — ``send(obj, connection)`` renders it into a
    capture, stored as the ``Delivery`` ``key`` (a tuple, or a function of ``obj`` answering
    one) — in one transaction; then send it through
    ``connection`` and mark it sent (``deliveries.send``). Answers True when it was sent now."""
    captured = deliveries.Capture()
    try:
        with transaction.atomic():
            obj = queryset.select_for_update(skip_locked=True, of=("self",)).filter(pk=pk).first()
            if obj is None or not still_due(obj):  # gone, being sent by another, or done
                return False
            record(obj)
            send(obj, captured)
            delivery = deliveries.claim(key(obj) if callable(key) else key, captured.messages)
    except IntegrityError:  # recorded meanwhile by another worker
        return False
    if delivery is not None and not delivery.held:  # held: in the outbox until staff release it
        deliveries.send(delivery.pk, connection)
    return True


def due(now=None):
    """The reminders due at ``now``: a list of (application id, offset in hours)."""
    now = now or timezone.now()
    pairs = []
    for call in Call.objects.open_at(now).exclude(reminder_offsets=""):
        offset = current_offset(call, now)
        if offset is None:
            continue
        ids = _still_due(offset).filter(call=call, extended=False).order_by("pk")
        pairs.extend((pk, offset) for pk in ids.values_list("pk", flat=True))
    # The applicants with their own later deadline, counted from it (whether or not the call
    # is still open for the others).
    extensions = DeadlineExtension.objects.filter(closes_at__gt=now, call__opens_at__lte=now)
    for extension in extensions.exclude(call__reminder_offsets="").select_related("call"):
        offset = current_offset(extension.call, now, extension.closes_at)
        if offset is None:
            continue
        ids = _still_due(offset).filter(call=extension.call, applicant=extension.applicant_id)
        pairs.extend((pk, offset) for pk in ids.order_by("pk").values_list("pk", flat=True))
    return pairs


def send_one(application_id, offset, *, now=None, connection=None):
    """Send the reminder ``offset`` of one application unless it is no longer due or already
    sent; returns True when it was sent (and recorded) now."""
    now = now or timezone.now()

    def still_due(application):  # the locked row, with its own deadline and draft moment
        application.extended = application.own_deadline is not None
        application.deadline_at = application.own_deadline or application.call.closes_at
        moment = application.deadline_at - timedelta(hours=offset)
        return (
            current_offset(application.call, now, application.deadline_at) == offset
            and application.draft_since < moment  # a draft since before the reminder's moment
        )

    def record(application):
        application.recipients = notifications.member_emails(application.applicant)
        ReminderSent.objects.create(
            application=application,
            offset=offset,
            deadline=application.deadline_at,
            sent_at=now,
            recipients=", ".join(sorted(application.recipients)),
        )

    def send(application, connection):
        notifications.send(
            "deadline_reminder",
            to=application.recipients,
            context={"application": application, "call": application.call, "now": now},
            connection=connection,
        )

    own = DeadlineExtension.objects.filter(call=OuterRef("call"), applicant=OuterRef("applicant"))
    return deliver_once(  # reminded already of this deadline: the record's constraint says so
        Application.objects.filter(status=Status.DRAFT)
        .annotate(draft_since=_draft_since(), own_deadline=Subquery(own.values("closes_at")[:1]))
        .select_related("call__edition", "applicant")
        .order_by(),
        application_id,
        key=lambda application: (
            ("reminder", application.pk, offset)
            if not application.extended  # an own deadline: reminded again of the new one
            else ("reminder", application.pk, offset, int(application.deadline_at.timestamp()))
        ),
        still_due=still_due,
        record=record,
        send=send,
        connection=connection,
    )


register(Source("applications", due, send_one))
deliveries.register_kind("reminder", _("Deadline reminders of the calls"))


BATCH = 250  # reminders a worker process sends through one mail connection


def in_batches(name, pairs, size=BATCH):
    """``pairs`` of source ``name`` cut into ``[(name, [(id, offset), …]), …]``."""
    return [(name, pairs[start : start + size]) for start in range(0, len(pairs), size)]


def batches(now=None, size=BATCH):
    """The reminders due at ``now`` in batches: ``[(source name, [(id, offset), …]), …]``,
    what beat's scan hands out over the worker's processes."""
    now = now or timezone.now()
    result = []
    for source in list(_sources.values()):
        result.extend(in_batches(source.name, source.due(now), size))
    return result


def send_batch(name, pairs, *, now=None, budget=BATCH_SECONDS):
    """Send what dead senders left claimed (``deliveries.resume``), then the reminders ``pairs``
    of source ``name`` through one mail connection, each still exactly once (``deliver_once``),
    for ``budget`` seconds at most; returns the counts.

    Raises ``ReminderDeliveryError`` after the batch when some could not be sent, so that the
    task is retried with backoff (the next beat scan would also catch them).
    """
    source = _sources[name]
    started = time.monotonic()
    counts = {"due": 0, "sent": 0, "skipped": 0, "failed": 0}
    with mail.get_connection() as connection, deliveries.rules_read_once():
        counts["resumed"] = deliveries.resume(connection)
        for pk, offset in pairs:
            counts["due"] += 1
            if time.monotonic() - started > budget:
                break
            try:
                sent = source.send_one(pk, offset, now=now, connection=connection)
            except Exception:  # the mail server refused or is down: the others may go
                logger.exception("reminder %s of %s %s not sent", offset, name, pk)
                counts["failed"] += 1
                continue
            counts["sent" if sent else "skipped"] += 1
    if counts["failed"]:
        raise ReminderDeliveryError(counts)
    return counts


def send_due(*, now=None, budget=BATCH_SECONDS):
    """Send every reminder due now in this process, batch after batch, for ``budget`` seconds
    at most; returns the counts (beat's task hands the batches to the workers instead)."""
    started = time.monotonic()
    counts = {"due": 0, "sent": 0, "skipped": 0, "failed": 0, "resumed": deliveries.resume()}
    failed = None
    for name, pairs in batches(now):
        left = budget - (time.monotonic() - started)
        try:
            done = send_batch(name, pairs, now=now, budget=max(left, 0))
        except ReminderDeliveryError as error:
            done, failed = error.args[0], error
        for key, value in done.items():
            counts[key] += value
    if failed is not None:
        raise ReminderDeliveryError(counts)
    return counts

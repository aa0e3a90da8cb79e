"""Deadline reminders, for both calls: what is due is computed from the database, each reminder
goes out once per application and offset.

A call has offsets before its deadline (``Call.reminder_offsets``, default 14, 7, 2 and 1 days).
Every few minutes beat runs ``send_due()``. For each open call, the *current* offset is the
smallest one whose moment has passed: only that one is due, so after an outage only the latest
missed reminder is caught up, and nothing is sent once the call has closed. It goes to the
members of every application that is a draft — never submitted, or reopened and not submitted
again — and has been one since before that moment (a draft started, or reopened, after it is
not reminded of it).

Exactly once: ``deliver`` locks the applications' rows, writes their ``ReminderSent`` rows
(unique per application and offset) and *claims* their e-mails — the messages rendered and
stored as ``Delivery`` rows — in one transaction, fifty reminders at a time (``CHUNK``); once it
commits each e-mail is sent and marked sent right after, in its own short transaction
(``calls.domain.deliveries``). A worker killed before the commit leaves the reminders due;
killed after it, it leaves claims that the next batch, scan or starting worker sends again with
the same ``Message-ID``. A second worker skips the applications being reminded by another
(``SKIP LOCKED``). What no database can guarantee is the instant between the mail server
accepting a message and the commit that marks it sent: a worker dying right then causes one
duplicate, recognisable by its ``Message-ID``.

The same engine serves every other dated thing the portal reminds of (the reports of an
experimentation, the decisions, the "call is open" notices…): an app registers a ``Source`` —
what is due now, and how to send some — and sends them through ``deliver``; ``send_due`` goes
through every source, beat's scan hands the batches to the worker's processes.
"""

import logging
import time
from collections import Counter
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
    ``send_many(ids, offset, now=, connection=)`` sends those still due, through the batch's mail
    ``connection`` (``deliver``), and answers ``(recorded now, not sent yet)``."""

    name: str
    due: Callable
    send_many: Callable


_sources = {}


def register(source):
    _sources[source.name] = source


def one_at_a_time(send_many):
    """``send_one(id, offset, now=, connection=)`` of a source: True when recorded now."""

    def send_one(pk, offset=0, *, now=None, connection=None):
        return send_many([pk], offset, now=now, connection=connection)[0] == 1

    return send_one


def deliver(queryset, ids, *, key, still_due, record, send, connection=None):
    """The exactly-once step of every reminder, for the rows ``ids`` of ``queryset`` at once.

    In one transaction: lock the rows (skipping those another worker holds), keep those
    ``still_due(obj)``, write their records — ``record(obj)`` answers an unsaved record, written
    with the others in one ``INSERT`` per model (unique per reminder), or saves its own stamp and
    answers None — and claim their e-mails: ``send(obj, capture)`` renders into a capture, stored
    as the ``Delivery`` ``key(obj)``. Then each e-mail is sent through ``connection`` and marked
    sent in its own short transaction (``deliveries.send``), so that a worker dying between the
    mail server and the database can cause one duplicate at most.

    When another worker wrote the record of one row meanwhile, that row is skipped; among
    several, the ``IntegrityError`` is raised for the caller to do them one by one
    (``send_batch``). Answers ``(recorded now, not sent yet)``: the ones not sent (the mail
    server refused) stay claimed, and ``deliveries.resume`` sends them at the next batch or scan.
    """
    ids = list(ids)
    try:
        with transaction.atomic():
            claimed = _claim(queryset, ids, key, still_due, record, send)
    except IntegrityError:  # recorded meanwhile by another worker
        if len(ids) == 1:
            return 0, 0
        raise
    failed = 0
    for delivery in claimed:
        if delivery is None or delivery.held:  # held: in the outbox until staff release it
            continue
        try:
            deliveries.send(delivery, connection)
        except Exception:  # the mail server refused or is down: the others may go
            logger.exception("delivery %s not sent", delivery.key)
            failed += 1
    return len(claimed), failed


def _claim(queryset, ids, key, still_due, record, send):
    """Lock, check, record and claim (``deliver``), in the caller's transaction."""
    order = {pk: index for index, pk in enumerate(ids)}
    locked = queryset.select_for_update(skip_locked=True, of=("self",)).filter(pk__in=ids)
    objs = sorted((obj for obj in locked if still_due(obj)), key=lambda obj: order[obj.pk])
    records = {}
    for obj in objs:
        made = record(obj)
        if made is not None:
            records.setdefault(type(made), []).append(made)
    for model, rows in records.items():
        model._default_manager.bulk_create(rows)
    claims = []
    for obj in objs:
        captured = deliveries.Capture()
        send(obj, captured)
        claims.append((key(obj), captured.messages))
    return deliveries.claim_many(claims)


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


def send_many(application_ids, offset, *, now=None, connection=None):
    """Send the reminder ``offset`` of each application of ``application_ids`` unless it is no
    longer due or already sent (``deliver``)."""
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
        return ReminderSent(
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
    return deliver(  # reminded already of this deadline: the record's constraint says so
        Application.objects.filter(status=Status.DRAFT)
        .annotate(draft_since=_draft_since(), own_deadline=Subquery(own.values("closes_at")[:1]))
        .select_related("call__edition", "applicant")
        .prefetch_related(notifications.members_prefetch())
        .order_by(),
        application_ids,
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


send_one = one_at_a_time(send_many)
register(Source("applications", due, send_many))
deliveries.register_kind("reminder", _("Deadline reminders of the calls"))


BATCH = 250  # reminders a worker process sends through one mail connection
CHUNK = 50  # reminders of a batch recorded and claimed in one transaction


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


def chunks(pairs, size=CHUNK):
    """``pairs`` as ``[(offset, [id, …]), …]``: in their order, ``size`` ids at most, one
    offset each."""
    result = []
    for pk, offset in pairs:
        if not result or result[-1][0] != offset or len(result[-1][1]) >= size:
            result.append((offset, []))
        result[-1][1].append(pk)
    return result


def _send_chunk(source, ids, offset, now, connection):
    """``source.send_many`` of one chunk: its counts (sent, skipped, failed). When the chunk
    fails as a whole (a record written meanwhile by another worker, a message that cannot be
    rendered…), its reminders are tried one by one, through the same connection, so that one
    row does not hold back the others."""
    try:
        done, failed = source.send_many(ids, offset, now=now, connection=connection)
    except Exception:
        if len(ids) == 1:
            logger.exception("reminder %s of %s %s not sent", offset, source.name, ids[0])
            return Counter(failed=1)
        return sum((_send_chunk(source, [pk], offset, now, connection) for pk in ids), Counter())
    return Counter(sent=done - failed, failed=failed, skipped=len(ids) - done)


def send_batch(name, pairs, *, now=None, budget=BATCH_SECONDS):
    """Send what dead senders left claimed (``deliveries.resume``), then the reminders ``pairs``
    of source ``name`` through one mail connection, ``CHUNK`` at a time, each still exactly once
    (``deliver``), for ``budget`` seconds at most; returns the counts.

    Raises ``ReminderDeliveryError`` after the batch when some could not be sent, so that the
    task is retried with backoff (the next beat scan would also catch them).
    """
    source = _sources[name]
    started = time.monotonic()
    counts = Counter(due=0, sent=0, skipped=0, failed=0)
    with mail.get_connection() as connection, deliveries.rules_read_once():
        counts["resumed"] = deliveries.resume(connection)
        for offset, ids in chunks(pairs):
            if time.monotonic() - started > budget:
                break
            counts["due"] += len(ids)
            counts.update(_send_chunk(source, ids, offset, now, connection))
    counts = dict(counts)
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

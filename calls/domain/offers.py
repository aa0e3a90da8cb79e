"""The place offered to a laureate: once a call's results are published (or a waitlisted
application is promoted), each selected application has an ``Offer`` to accept or decline by
its due date, the end of a day in Paris time, ``OFFER_ANSWER_DAYS`` later. Declining takes the
workflow's "decline" (the place is freed, the kind's ``on_declined`` runs, the members are
told); accepting is recorded and acknowledged. After the due date the applicant can no longer
answer on the portal: staff record what was agreed (``record_decline``) or move the date."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calls.domain import deliveries, lifecycle, notifications, reminders
from calls.domain.workflow import Status
from calls.models import Application, Offer
from qmi.permissions import require
from qmi.statemachine import WorkflowError
from qmi.tasks import send_message

SOURCE = "offers"  # its name among the sources of the reminder engine
REMIND_BEFORE = timedelta(days=3)


def due_from(now=None, days=None):
    """The due date of an offer made at ``now``: the end of the day (Paris time) ``days``
    (``OFFER_ANSWER_DAYS``) later."""
    now = now or timezone.now()
    days = settings.OFFER_ANSWER_DAYS if days is None else days
    day = timezone.localdate(now) + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def open_offer(application, *, due_at=None, now=None):
    """Offer ``application`` its place (again), waiting for an answer by ``due_at``."""
    now = now or timezone.now()
    offer, _created = Offer.objects.update_or_create(
        application=application,
        defaults={
            "due_at": due_at or due_from(now),
            "answer": Offer.Answer.WAITING,
            "answered_at": None,
            "answered_by": None,
            "note": "",
            "created_at": now,
        },
    )
    return offer


def offer_of(application):
    """The offer of ``application`` its applicant may know of (its decision public), or None."""
    if not application.decision_is_public:
        return None
    try:
        return application.offer
    except Offer.DoesNotExist:
        return None


def waiting_offer(application, now=None):
    """The offer ``application``'s applicant may answer now, or None: selected, the decision
    public, not answered, not past its due date."""
    offer = offer_of(application)
    if (
        offer is None
        or application.status != Status.SELECTED
        or not offer.waiting
        or offer.is_overdue(now)
    ):
        return None
    return offer


def _locked_offer(application, *, by, now):
    require("calls.answer_offer", by, application)
    locked = (
        Application.objects.select_for_update()
        .select_related("call", "applicant")
        .get(pk=application.pk)
    )
    offer = Offer.objects.select_for_update().filter(application=locked).first()
    if offer is None or locked.status != Status.SELECTED or not locked.decision_is_public:
        raise WorkflowError(_("No place is offered to this application."))
    if not offer.waiting:
        raise WorkflowError(
            _("The place was already accepted.")
            if offer.answer == Offer.Answer.ACCEPTED
            else _("The place was already declined.")
        )
    if offer.is_overdue(now):
        raise WorkflowError(
            _("The answer was due on %(date)s: contact Paris&Co.")
            % {"date": formats.date_format(timezone.localtime(offer.due_at), "DATETIME_FORMAT")}
        )
    return locked, offer


def accept(application, *, by, now=None):
    """The applicant takes its place; its members receive the confirmation."""
    now = now or timezone.now()
    with transaction.atomic():
        _locked, offer = _locked_offer(application, by=by, now=now)
        offer.answer = Offer.Answer.ACCEPTED
        offer.answered_at = now
        offer.answered_by = by
        offer.save(update_fields=["answer", "answered_at", "answered_by"])
        transaction.on_commit(lambda: send_message.delay("place_accepted", application.pk))
    return offer


def decline(application, *, by, reason="", now=None):
    """The applicant gives up its place (irreversible): the workflow's "decline" frees it for
    the waiting list, the kind's ``on_declined`` runs and the members are told."""
    now = now or timezone.now()
    with transaction.atomic():
        locked, _offer = _locked_offer(application, by=by, now=now)
        lifecycle.transition(locked, "decline", by=by, note=(reason or "").strip(), now=now)
    application.refresh_from_db()
    return application


# --- messages built from ids by ``qmi.tasks.send_message`` (registered by ``calls.apps``) ---


def answer_message(kind, answer):
    """A builder of message ``kind``: the members told the answer ``answer`` to the offer,
    by whom and when; nothing if it changed since."""

    def build(application_id):
        offer = (
            Offer.objects.select_related(
                "application__call__edition", "application__applicant", "answered_by"
            )
            .filter(application_id=application_id, answer=answer)
            .first()
        )
        if offer is None:
            return None
        application = offer.application
        return (
            kind,
            notifications.member_emails(application.applicant),
            {"application": application, "call": application.call, "offer": offer},
        )

    return build


# --- The reminder before the due date (a source of ``calls.domain.reminders``) ---------------


def _unreminded():
    """Offers waiting for an answer whose due date was not reminded yet (or moved since)."""
    return Offer.objects.filter(
        answer=Offer.Answer.WAITING, application__status=Status.SELECTED
    ).filter(Q(reminded_for__isnull=True) | ~Q(reminded_for=F("due_at")))


def due(now=None):
    """The offers to remind now: due within ``REMIND_BEFORE``, not passed, not answered."""
    now = now or timezone.now()
    offers = _unreminded().filter(due_at__gt=now, due_at__lte=now + REMIND_BEFORE)
    return [(pk, 0) for pk in offers.order_by("due_at", "pk").values_list("pk", flat=True)]


def send_many(offer_ids, offset=0, *, now=None, connection=None):
    """Remind the members of the laureates of ``offer_ids`` to answer, once per due date."""

    def record(offer):
        offer.reminded_for = offer.due_at
        offer.save(update_fields=["reminded_for"])

    def send(offer, connection):
        application = offer.application
        notifications.send(
            "offer_reminder",
            to=notifications.member_emails(application.applicant),
            context={"call": application.call, "offer": offer},
            application=application,
            connection=connection,
        )

    return reminders.deliver(
        _unreminded()
        .select_related("application__call__edition", "application__applicant")
        .prefetch_related(notifications.members_prefetch("application__applicant")),
        offer_ids,
        key=lambda offer: ("offer", offer.pk, int(offer.due_at.timestamp())),
        still_due=lambda offer: offer.due_at > (now or timezone.now()),
        record=record,
        send=send,
        connection=connection,
    )


reminders.register(reminders.Source(SOURCE, due, send_many))
deliveries.register_kind("offer", gettext_lazy("Reminders to accept or decline a place"))

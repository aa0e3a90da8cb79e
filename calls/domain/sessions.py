"""Sessions: who may see and book them, registration, the waiting list, reminders, attendance.

**Audience.** A public session (a webinar presenting a call…) is seen and booked by anyone, with
or without an account. A training day is for the *municipalities of the edition* and/or its
*laureates*: the applicants of that kind of applicant (``qmi.Applicant.Kind``) selected in a call
of the session's edition whose results are published. Its confirmed members see and book it,
for their applicant; staff see everything; anyone else gets a 404.

**Seats.** ``register`` locks the session's row, then counts the seats taken: the registration
is confirmed while one is free, else it goes to the waiting list. ``cancel`` takes the same lock,
cancels once and gives each seat freed to the first on the waiting list (registration order),
who is told by e-mail with the invitation. Two registrations racing for the last seat are
serialised by the lock: no over-booking.

**Once.** The reminder the day before and the replay and slides are two ``reminders.Source``:
each registration is locked, stamped (``reminded_at``, ``material_sent_at``) and mailed in one
transaction (``reminders.deliver``), so repeated scans never send twice.
"""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.domain import ical, reminders
from calls.domain.workflow import Status
from calls.models import Application, Registration, Session
from qmi import mail
from qmi.models import Applicant
from qmi.tasks import MAIL_RETRY, send_message

Audience = Session.Audience
CONFIRMED, WAITING, CANCELLED = (Registration.Status[name] for name in Registration.Status.names)

# Which kinds of applicant each audience reaches (selected in a call of the session's edition)
AUDIENCE_KINDS = {
    Audience.PUBLIC: (),
    Audience.MUNICIPALITIES: (Applicant.Kind("municipality"),),
    Audience.LAUREATES: (Applicant.Kind("organisation"),),
    Audience.BOTH: tuple(Applicant.Kind),
}
REMINDER_HOURS = 24  # the reminder goes the day before


class SessionError(Exception):
    """A registration, a cancellation or a staff action refused: the message says why."""

    message = property(lambda self: self.args[0])


# --- Who sees what --------------------------------------------------------------------------------


def selected_applications(edition):
    """The selected applications, results published, of the calls of ``edition``."""
    return Application.objects.filter(
        call__edition=edition, status=Status.SELECTED, call__results_published_at__isnull=False
    )


def ever_selected(applicant_field="applicant"):
    """An expression: the applicant (the outer row's ``applicant_field``) was selected in a
    call whose results are published, so it may be in the audience of a training day."""
    return Exists(
        Application.objects.filter(
            applicant=OuterRef(applicant_field),
            status=Status.SELECTED,
            call__results_published_at__isnull=False,
        )
    )


def audience_applicants(session):
    """The applicants a restricted ``session`` is for (none for a public one)."""
    return Applicant.objects.filter(
        kind__in=AUDIENCE_KINDS[session.audience],
        pk__in=selected_applications(session.edition_id).values("applicant_id"),
    ).order_by("name", "pk")


def applicants_for(user, session):
    """The applicants of the audience of ``session`` that ``user`` acts for (confirmed)."""
    if not user.is_authenticated:
        return Applicant.objects.none()
    return audience_applicants(session).filter(
        memberships__user=user, memberships__confirmed_at__isnull=False
    )


def may_see(user, session):
    """Staff see every session; others a published one that is public or for their applicant."""
    if user.is_authenticated and user.is_staff:
        return True
    if not session.is_published:
        return False
    return session.is_public or applicants_for(user, session).exists()


def visible_to(user, sessions=None):
    """``sessions`` (all by default) that ``user`` may see, in one query: ``may_see`` for many."""
    sessions = Session.objects.all() if sessions is None else sessions
    if user.is_authenticated and user.is_staff:
        return sessions
    sessions = sessions.published()
    seen = Q(audience=Audience.PUBLIC)
    if user.is_authenticated:
        for kind in Applicant.Kind:
            audiences = [a for a, kinds in AUDIENCE_KINDS.items() if kind in kinds]
            mine = selected_applications(OuterRef("edition")).filter(
                applicant__kind=kind,
                applicant__memberships__user=user,
                applicant__memberships__confirmed_at__isnull=False,
            )
            seen |= Q(audience__in=audiences) & Exists(mine)
    return sessions.filter(seen)


def with_seats(sessions):
    """``sessions`` annotated with ``seats_taken`` and ``waiting_count`` (one query)."""
    return sessions.select_related("edition", "call").annotate(
        seats_taken=Count("registrations", filter=Q(registrations__status=CONFIRMED)),
        waiting_count=Count("registrations", filter=Q(registrations__status=WAITING)),
    )


def annotate_seats(sessions):
    """``sessions`` (annotated by ``with_seats``) as a list, each with ``seats_left``: the free
    seats, None without a limit."""
    sessions = list(sessions)
    for session in sessions:
        free = None if session.capacity is None else session.capacity - session.seats_taken
        session.seats_left = None if free is None else max(free, 0)
    return sessions


def upcoming_public(*, call=None, limit=4):
    """The next public sessions (presenting ``call``), with their seats: one query."""
    upcoming = Session.objects.public().upcoming()
    if call is not None:
        upcoming = upcoming.filter(call=call)
    return annotate_seats(with_seats(upcoming).order_by("starts_at", "pk")[:limit])


def training_days(user, *, now=None):
    """For "My space": the restricted sessions still to come that ``user`` may book and those
    they registered for (past ones too), each with ``my_status``, ``my_token`` and
    ``my_attended`` of their registration; one query, the latest first."""
    now = now or timezone.now()
    restricted = Session.objects.exclude(audience=Audience.PUBLIC)
    mine = Registration.objects.filter(session=OuterRef("pk"), user=user).exclude(status=CANCELLED)
    bookable = visible_to(user, restricted.published().upcoming(now)).values("pk")
    return (
        restricted.filter(Q(pk__in=bookable) | Exists(mine))
        .select_related("edition")
        .annotate(
            my_status=Subquery(mine.values("status")[:1]),
            my_token=Subquery(mine.values("token")[:1]),
            my_attended=Subquery(mine.values("attended")[:1]),
        )
        .order_by("-starts_at", "-pk")
    )


def waiting_position(registration):
    """1 for the first on the waiting list…; None when not waiting."""
    if registration.status != WAITING:
        return None
    ahead = registration.session.registrations.waiting().filter(
        Q(created_at__lt=registration.created_at)
        | Q(created_at=registration.created_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


# --- Registering and cancelling -------------------------------------------------------------------


def register(
    session,
    *,
    email,
    name,
    organisation="",
    language="fr",
    question="",
    user=None,
    applicant=None,
    now=None,
):
    """Register ``email`` for ``session``: a seat while one is free, else the waiting list.
    A restricted session needs ``user`` acting for ``applicant`` of its audience. Answers
    ``(registration, created)``; an address already registered gets its link again
    (``created`` False). Raises ``SessionError`` for a session started or not open to them."""
    now = now or timezone.now()
    email = email.strip().lower()
    question = question.strip()
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        if not session.is_published:
            raise SessionError(_("This session is not open to registration."))
        if session.has_started(now):
            raise SessionError(_("This session has started: registration is closed."))
        if not session.is_public and (
            user is None
            or applicant is None
            or not applicants_for(user, session).filter(pk=applicant.pk).exists()
        ):
            raise SessionError(_("This session is reserved for its audience."))
        registration = session.registrations.active().filter(email=email).first()
        created = registration is None
        if created:
            taken = session.registrations.confirmed().count()
            free = session.capacity is None or taken < session.capacity
            registration = Registration.objects.create(
                session=session,
                email=email,
                name=name.strip(),
                organisation=organisation.strip() or (applicant.name if applicant else ""),
                language=language,
                question=question,
                user=user,
                applicant=applicant,
                status=CONFIRMED if free else WAITING,
                created_at=now,
            )
        else:
            if user is not None and registration.user_id is None:
                registration.user = user
                registration.save(update_fields=["user"])
            _add_question(registration, question)
        transaction.on_commit(lambda: deliver.delay("registered", registration.pk, not created))
        if created and question:
            transaction.on_commit(lambda: send_message.delay("session_question", registration.pk))
    return registration, created


def _add_question(registration, question):
    """Append ``question`` to the registration's; True when there was one to add."""
    if not question or question in registration.question:
        return False
    registration.question = f"{registration.question}\n\n{question}".strip()
    registration.save(update_fields=["question"])
    transaction.on_commit(lambda: send_message.delay("session_question", registration.pk))
    return True


def ask(registration, question):
    """A question sent in advance from the registrant's page: kept and told to staff."""
    with transaction.atomic():
        return _add_question(registration, question.strip())


def _fill_seats(session, now):
    """Give the free seats of ``session`` (locked) to the waiting list, in order."""
    if session.has_started(now):
        return []
    waiting = session.registrations.waiting()
    if session.capacity is not None:
        free = session.capacity - session.registrations.confirmed().count()
        waiting = waiting[: max(free, 0)]
    promoted = list(waiting)
    for registration in promoted:
        registration.status, registration.promoted_at = CONFIRMED, now
        registration.save(update_fields=["status", "promoted_at"])
        transaction.on_commit(lambda pk=registration.pk: deliver.delay("promoted", pk))
    return promoted


def fill_seats(session, *, now=None):
    """After staff raised the capacity: the waiting list takes the new seats, in order."""
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        return _fill_seats(session, now or timezone.now())


def cancel(registration, *, now=None):
    """Cancel ``registration`` once (again: nothing happens); a seat it held goes to the first
    on the waiting list. Answers ``(registration, promoted registrations)``."""
    now = now or timezone.now()
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=registration.session_id)
        registration = Registration.objects.select_related("session").get(pk=registration.pk)
        if registration.status == CANCELLED:
            return registration, []
        if session.has_started(now):
            raise SessionError(_("This session has started: the registration stays."))
        registration.status, registration.cancelled_at = CANCELLED, now
        registration.save(update_fields=["status", "cancelled_at"])
        transaction.on_commit(lambda: deliver.delay("cancelled", registration.pk))
        return registration, _fill_seats(session, now)


# --- E-mails --------------------------------------------------------------------------------------


def links(registration):
    """The absolute links of a registration: its page, its agenda file, Google Calendar."""
    return {
        "page": settings.SITE_URL + registration.get_absolute_url(),
        "agenda": settings.SITE_URL + ical.registration_ics_url(registration),
        "google": ical.google_calendar_url(registration.session, registration=registration),
    }


def _send(kind, registration, *, connection=None, **context):
    session = registration.session
    attachments = []
    if registration.status == CONFIRMED and kind in ("registered", "promoted"):
        content = ical.invitation(session, registration=registration)
        attachments.append(("invitation.ics", content, "text/calendar; method=REQUEST"))
    return mail.send(
        f"session_{kind}",
        to=[registration.email],
        context={
            "registration": registration,
            "session": session,
            "links": links(registration),
            "position": waiting_position(registration),
            **context,
        },
        language=registration.language or None,
        connection=connection,
        attachments=attachments,
    )


@shared_task(bind=True, acks_late=True, **MAIL_RETRY)
def deliver(self, kind, registration_id, again=False):
    """Send the message ``kind`` of a registration (after the transaction that changed it)."""
    registration = Registration.objects.select_related("session").filter(pk=registration_id)
    return _send(kind, registration[0], again=again) if registration else 0


def question_message(registration_id):
    """The staff's notice of a question asked in advance (``qmi.tasks.send_message``)."""
    registration = Registration.objects.select_related("session").filter(pk=registration_id)
    registration = registration.first()
    if registration is None or not registration.question:
        return None
    context = {"registration": registration, "session": registration.session}
    return "session_question", [settings.CONTACT_EMAIL], context


mail.register_message("session_question", question_message)


# --- The reminder the day before, the replay and slides: once each --------------------------------


def _to_remind(now):
    return Registration.objects.confirmed().filter(
        reminded_at__isnull=True,
        session__is_published=True,
        session__starts_at__gt=now,
        session__starts_at__lte=now + timedelta(hours=REMINDER_HOURS),
    )


def material_to_send(now=None):
    return Registration.objects.confirmed().filter(
        material_sent_at__isnull=True, session__material_published_at__isnull=False
    )


def _source(name, queryset, stamp, kind):
    """A ``reminders.Source`` sending ``kind`` once to each registration of
    ``queryset(now)``, stamping its field ``stamp``."""

    def due(now=None):
        now = now or timezone.now()
        return [(pk, 0) for pk in queryset(now).order_by("pk").values_list("pk", flat=True)]

    def send_many(ids, offset, *, now=None, connection=None):
        now = now or timezone.now()

        def record(registration):
            setattr(registration, stamp, now)
            registration.save(update_fields=[stamp])

        return reminders.deliver(
            queryset(now).select_related("session"),
            ids,
            key=lambda registration: (f"session-{kind}", registration.pk),
            still_due=lambda registration: True,  # the queryset holds only what is still due
            record=record,
            send=lambda registration, capture: _send(kind, registration, connection=capture),
            connection=connection,
        )

    source = reminders.Source(name, due, send_many)
    reminders.register(source)
    return source


REMINDERS = _source("sessions", _to_remind, "reminded_at", "reminder")
MATERIAL = _source("session_material", material_to_send, "material_sent_at", "material")

"""After a session: its replay and slides sent once to the registered, the attendance (the
check list, the webinar tool's file), the questions made FAQ entries, and the attendance rates of
the municipalities and laureates at the training days of an edition (their follow-up)."""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calls.domain import deliveries, reminders
from calls.domain.sessions import (
    AUDIENCE_KINDS,
    CONFIRMED,
    MATERIAL,
    Audience,
    SessionError,
    material_to_send,
    selected_applications,
)
from calls.models import FaqEntry, Registration, Session
from qmi.models import Applicant

# The kinds of bulk e-mail of the sessions (``sessions.REMINDERS``, ``MATERIAL``), for the outbox.
deliveries.register_kind("session-reminder", gettext_lazy("Session reminders, the day before"))
deliveries.register_kind("session-material", gettext_lazy("Replays and slides of sessions"))


def send_material(session, *, now=None):
    """Publish the replay and slides of ``session``: each confirmed registration gets them once
    (beat's scan retries what the mail server refused). Answers the counts."""
    now = now or timezone.now()
    if not (session.replay_url or session.slides_url):
        raise SessionError(_("Add the replay link or the slides link first."))
    Session.objects.filter(pk=session.pk, material_published_at__isnull=True).update(
        material_published_at=now
    )
    session.refresh_from_db(fields=["material_published_at"])
    pairs = [
        (pk, 0) for pk in material_to_send().filter(session=session).values_list("pk", flat=True)
    ]
    try:
        return reminders.send_batch(MATERIAL.name, pairs, now=now)
    except reminders.ReminderDeliveryError as error:
        return error.args[0]


# --- After the session: attendance, questions -----------------------------------------------------


def record_attendance(session, *, attended):
    """The check list: the confirmed registrations whose ids are in ``attended`` came, the
    others did not."""
    attended = [int(pk) for pk in attended]
    with transaction.atomic():
        registrations = session.registrations.confirmed()
        present = registrations.filter(pk__in=attended).update(attended=True)
        registrations.exclude(pk__in=attended).update(attended=False)
    return present


@dataclass
class AttendanceImport:
    matched: list = field(default_factory=list)
    unknown: list = field(default_factory=list)
    invalid: list = field(default_factory=list)


def import_attendance(session, addresses, *, invalid=()):
    """Mark as present the registrations of ``session`` whose address is in ``addresses`` (read
    from the webinar tool's attendance file by ``session_forms.AttendanceImportForm``); answers
    what matched and what did not."""
    addresses = list(dict.fromkeys(a.strip().lower() for a in addresses))
    known = set(session.registrations.active().values_list("email", flat=True))
    report = AttendanceImport(
        matched=[a for a in addresses if a in known],
        unknown=[a for a in addresses if a not in known],
        invalid=list(invalid),
    )
    session.registrations.active().filter(email__in=report.matched).update(attended=True)
    return report


def faq_from_question(registration):
    """An unpublished FAQ entry made of the question (its answer for staff to write), linked
    to the registration; once. Answers ``(entry, created)``."""
    if registration.faq_entry_id:
        return registration.faq_entry, False
    if not registration.question.strip():
        raise SessionError(_("This registration has no question."))
    with transaction.atomic():
        last = FaqEntry.objects.aggregate(last=Max("position"))["last"] or 0
        entry = FaqEntry.objects.create(
            question=Truncator(registration.question.strip()).chars(300),
            answer="",
            position=min(last + 1, 32767),
            is_published=False,
        )
        registration.faq_entry = entry
        registration.save(update_fields=["faq_entry"])
    return entry, True


@dataclass
class Attendance:
    """How an applicant of the audience took part in the training days of an edition."""

    applicant: Applicant
    offered: int  # training days for it
    held: int  # of which have taken place
    registered: int  # those it registered for (a seat)
    attended: int

    @property
    def rate(self):
        """Percentage of the training days held that it attended; None before the first."""
        return round(100 * self.attended / self.held) if self.held else None


def attendance_rates(edition, *, now=None):
    """Per applicant of the audience of ``edition``'s training days (each municipality, each
    laureate): the days offered, held, registered for and attended. Three queries."""
    now = now or timezone.now()
    trainings = list(
        Session.objects.published().filter(edition=edition).exclude(audience=Audience.PUBLIC)
    )
    applicants = list(
        Applicant.objects.filter(
            pk__in=selected_applications(edition).values("applicant_id")
        ).order_by("kind", "name", "pk")
    )
    registered, attended = {}, {}
    for applicant_id, session_id, came in Registration.objects.filter(
        session__in=[s.pk for s in trainings], applicant__in=applicants, status=CONFIRMED
    ).values_list("applicant_id", "session_id", "attended"):
        registered.setdefault(applicant_id, set()).add(session_id)
        if came:
            attended.setdefault(applicant_id, set()).add(session_id)
    rows = []
    for applicant in applicants:
        offered = [s for s in trainings if applicant.kind in AUDIENCE_KINDS[s.audience]]
        if not offered:
            continue
        held = {s.pk for s in offered if s.ends_at <= now}
        rows.append(
            Attendance(
                applicant=applicant,
                offered=len(offered),
                held=len(held),
                registered=len(registered.get(applicant.pk, ())),
                attended=len(attended.get(applicant.pk, set()) & held),
            )
        )
    return rows

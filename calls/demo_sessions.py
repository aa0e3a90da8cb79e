"""Demo sessions, idempotent (looked up by title, created once): the two presentation webinars
of the programme at the seed's hours — 9:00–10:00 for the municipalities, 12:30–13:30 for the
experimenters, Paris time — on the days of the demo's key dates (``calls.demo.webinar_days``):
the municipalities' one held a week ago (its attendance recorded, its replay and slides sent),
the experimenters' one to come; and a training day of the current edition for its municipalities and
laureates, full, with a waiting list and questions asked in advance.

Run after every app's demo (``seed()``): the training day's audience is the applicants selected
in the edition's published results, which ``evaluation.demo`` publishes.
"""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from calls.demo import PARIS, demo_user, webinar_days
from calls.domain import session_followup, sessions
from calls.models import Call, Edition, Registration, Session
from qmi.models import Membership

ACCOUNTS = []  # the people of the training day are the other demos' accounts
ONLINE = "https://visio.parisandco.example/qmi"
PUBLIC_PEOPLE = [
    ("Léa Moreau", "lea.moreau@exemple.fr", "Ville de Bondy", "Quel calendrier pour 2027 ?"),
    ("Karim Benali", "karim.benali@exemple.fr", "Start-up Mobilis", ""),
    ("Sophie Laurent", "sophie.laurent@exemple.fr", "Association Vert Demain", ""),
    (
        "Julien Petit",
        "julien.petit@exemple.fr",
        "Mairie de Vitry-sur-Seine",
        "Faut-il une délibération dès le dépôt ?",
    ),
]


def _at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


def _session(title, **values):
    session = Session.objects.filter(title=title).first()
    return session or Session.objects.create(title=title, **values)


def _register(session, people, *, now):
    for name, email, organisation, question in people:
        if not session.registrations.filter(email=email).exists():
            sessions.register(
                session,
                email=email,
                name=name,
                organisation=organisation,
                question=question,
                now=now,
            )


def _held_webinar(edition, day, call):
    session = _session(
        "Webinaire de présentation aux communes",
        title_en="Presentation webinar for municipalities",
        edition=edition,
        call=call,
        kind=Session.Kind.WEBINAR,
        description=(
            "Le programme, l'appel à manifestation d'intérêt des communes et vos questions."
        ),
        description_en="The programme, the call for municipalities and your questions.",
        starts_at=_at(day, 9),
        ends_at=_at(day, 10),
        online_url=ONLINE,
        capacity=200,
    )
    before = session.starts_at - timedelta(days=7)
    _register(session, PUBLIC_PEOPLE, now=before)
    if session.material_published_at is None:
        registrations = list(session.registrations.confirmed().order_by("pk"))
        present = [r.pk for r in registrations[:-1]]  # one did not come
        Registration.objects.filter(pk__in=present).update(attended=True)
        Registration.objects.filter(pk=registrations[-1].pk).update(attended=False)
        Registration.objects.filter(pk__in=[r.pk for r in registrations]).update(reminded_at=before)
        session.replay_url = "https://videos.parisandco.example/qmi-webinaire-communes"
        session.slides_url = "https://parisandco.example/qmi/presentation-communes.pdf"
        session.save(update_fields=["replay_url", "slides_url"])
        session_followup.send_material(session)
    return session


def _coming_webinar(edition, day, call):
    session = _session(
        "Webinaire de présentation aux expérimentateurs",
        title_en="Presentation webinar for experimenters",
        edition=edition,
        call=call,
        kind=Session.Kind.WEBINAR,
        description="L'appel à expérimentations, les quartiers d'innovation et vos questions.",
        description_en="The call for experimenters, the innovation districts and your questions.",
        starts_at=_at(day, 12, 30),
        ends_at=_at(day, 13, 30),
        online_url=ONLINE,
        capacity=300,
    )
    _register(session, PUBLIC_PEOPLE[1:3], now=timezone.now())
    return session


def _training_day(edition, today):
    day = today + timedelta(days=18)
    day += timedelta(days=(1 - day.weekday()) % 7)  # a Tuesday, 2½ to 3½ weeks ahead
    session = _session(
        "Journée de formation : conduire une expérimentation dans l'espace public",
        title_en="Training day: running an experimentation in public space",
        edition=edition,
        kind=Session.Kind.TRAINING,
        audience=Session.Audience.BOTH,
        description=(
            "Autorisations, assurance, concertation des habitants, indicateurs : une journée "
            "pour les communes et les lauréats de l'édition."
        ),
        description_en=(
            "Permits, insurance, consulting residents, indicators: a day for the edition's "
            "municipalities and laureates."
        ),
        starts_at=_at(day, 9, 30),
        ends_at=_at(day, 17),
        place="Paris&Co, 157 boulevard Macdonald, 75019 Paris",
        capacity=2,
    )
    applicants = list(sessions.audience_applicants(session))
    if not applicants or session.registrations.exists():
        return session
    # One member of each applicant, then two colleagues of the first: the day is full and
    # someone waits
    people = []
    for applicant in applicants:
        first = Membership.objects.confirmed().filter(applicant=applicant).order_by("pk").first()
        if first is not None:
            people.append(first)
    for k in (1, 2):
        colleague = demo_user(f"equipe-formation{k}@qmi.example", usable=False)
        membership, _created = Membership.objects.get_or_create(
            applicant=applicants[0], user=colleague, defaults={"confirmed_at": timezone.now()}
        )
        people.append(membership)
    questions = ["Quelles assurances pour un dispositif installé sur la voirie ?", "", ""]
    for membership, question in zip(people[: session.capacity + 1], questions, strict=False):
        user = membership.user
        sessions.register(
            session,
            email=user.email,
            name=user.get_full_name() or user.email.split("@")[0],
            question=question,
            user=user,
            applicant=membership.applicant,
        )
    return session


def seed():
    """The demo's sessions (idempotent): returns them."""
    today = timezone.localdate()
    edition = Edition.objects.filter(is_current=True).first() or Edition.objects.first()
    if edition is None:
        return []
    held_day, coming_day = webinar_days(today)
    # The calls the webinars present: the edition's calls open now, the first opened first
    open_calls = list(
        Call.objects.published()
        .open_at(timezone.now())
        .filter(edition=edition)
        .order_by("opens_at")
    )
    first_call = open_calls[0] if open_calls else None
    last_call = open_calls[-1] if open_calls else None
    with transaction.atomic():
        return [
            _held_webinar(edition, held_day, first_call),
            _coming_webinar(edition, coming_day, last_call),
            _training_day(edition, today),
        ]

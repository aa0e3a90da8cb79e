"""Demo data for ``make run``, idempotent: the staff account, the current edition with its
key dates, and the FAQ; the helpers every app's demo uses (``demo_user``, ``at``).

Each app that has demo data names its module in its ``AppConfig.demo`` (a module with
``ACCOUNTS`` and ``seed()``); ``manage.py seed_demo`` runs them in the order of
``INSTALLED_APPS``. Objects are looked up by natural keys and created only when missing, so a
second run changes nothing (dates relative to "now" are fixed when first created).
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.sites.models import Site
from django.utils import timezone

from calls.models import Edition, FaqEntry, KeyDate
from qmi.models import User

PASSWORD = "demo-qmi-2026"  # noqa: S105 — demo accounts of the local run only
PARIS = ZoneInfo("Europe/Paris")

ACCOUNTS = [
    # e-mail, role shown
    ("staff@qmi.example", "Paris&Co staff (admin)"),
]

FAQ = [
    (
        "Qui peut candidater à l'appel à manifestation d'intérêt des communes ?",
        "Who can apply to the call for municipalities?",
        "Les 130 communes membres de la Métropole du Grand Paris.",
        "The 130 member communes of the Métropole du Grand Paris.",
    ),
    (
        "Faut-il une délibération du conseil municipal ?",
        "Is a council deliberation required?",
        "Oui : une délibération ou, à défaut, une lettre d'engagement signée du maire, en PDF.",
        "Yes: a deliberation or, failing that, a letter of commitment signed by the mayor, "
        "as a PDF.",
    ),
    (
        "Puis-je modifier ma candidature après l'avoir déposée ?",
        "Can I change my application after submitting it?",
        "Oui, jusqu'à la date limite : rouvrez-la, modifiez-la, puis déposez-la à nouveau.",
        "Yes, until the deadline: reopen it, change it, then submit it again.",
    ),
    (
        "Combien de quartiers seront retenus ?",
        "How many districts will be selected?",
        "Jusqu'à quatre communes, chacune accueillant six à huit expérimentations.",
        "Up to four municipalities, each hosting six to eight experiments.",
    ),
]


def demo_user(email, *, staff=False, usable=True):
    """A demo account with a verified e-mail address (created once; the demo password, or
    none when ``usable`` is False)."""
    from allauth.account.models import EmailAddress

    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email, PASSWORD if usable else None, is_staff=staff, is_superuser=staff
        )
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def at(day, hour=12):
    """That day at that hour, Paris time."""
    return datetime.combine(day, time(hour, 0), tzinfo=PARIS)


def municipalities_call_window(today):
    """When the current edition's call for municipalities opens and closes (its demo call,
    ``municipalities.demo``, and its key date both read it)."""
    return at(today - timedelta(days=14), 9), at(today + timedelta(days=45), 12)


def experimenters_call_window(today):
    """When the current edition's call for experimenters (its first wave) opens and closes
    (``experimenters.demo`` and the key date)."""
    return at(today - timedelta(days=7), 9), at(today + timedelta(days=60), 12)


def webinar_days(today):
    """The two presentation webinars, at the seed's hours (9:00–10:00 for the municipalities,
    12:30–13:30 for the experimenters), on days that agree with the demo's open calls: the
    municipalities' one held a week ago (attendance and replay to show), the experimenters'
    one in two weeks (open for registration). The key dates and the sessions both read it."""
    return today - timedelta(days=7), today + timedelta(days=14)


def _step(starts_on, label, label_en, *, ends_on=None, hours=None):
    start_time, end_time = hours or (None, None)
    return {
        "starts_on": starts_on,
        "ends_on": ends_on,
        "start_time": start_time,
        "end_time": end_time,
        "label": label,
        "label_en": label_en,
    }


def key_dates(today):
    """The current edition's timeline, in agreement with the demo's open calls: the two calls
    on their real dates, each with its presentation webinar (with its hours) while it is
    open."""
    m_opens, m_closes = municipalities_call_window(today)
    e_opens, e_closes = experimenters_call_window(today)
    last = max(m_closes, e_closes).date()
    held, coming = webinar_days(today)
    return [
        _step(today - timedelta(days=21), "Présentation du programme", "Programme launch"),
        _step(
            m_opens.date(),
            "Appel à manifestation d'intérêt des communes",
            "Call for municipalities",
            ends_on=m_closes.date(),
        ),
        _step(
            e_opens.date(),
            "Appel à expérimentations (première vague)",
            "Call for experimenters (first wave)",
            ends_on=e_closes.date(),
        ),
        _step(
            held,
            "Webinaire de présentation aux communes",
            "Presentation webinar for municipalities",
            hours=(time(9, 0), time(10, 0)),
        ),
        _step(
            coming,
            "Webinaire de présentation aux expérimentateurs",
            "Presentation webinar for experimenters",
            hours=(time(12, 30), time(13, 30)),
        ),
        _step(
            m_closes.date() + timedelta(days=30),
            "Sélection des communes",
            "Selection of municipalities",
        ),
        _step(
            e_closes.date() + timedelta(days=60),
            "Sélection des expérimentateurs",
            "Selection of experimenters",
        ),
        _step(
            last + timedelta(days=120),
            "Expérimentations dans les quartiers",
            "Experiments in the districts",
            ends_on=last + timedelta(days=850),
        ),
        _step(date(last.year + 3, 6, 1), "Évaluation", "Assessment"),
    ]


def seed():
    today = timezone.localdate()
    Site.objects.update_or_create(pk=1, defaults={"domain": "127.0.0.1:8000", "name": "QMI"})
    users = {email: demo_user(email, staff=True) for email, _label in ACCOUNTS}

    edition, created = Edition.objects.get_or_create(
        number=3,
        defaults={
            "title": "3e édition 2026–2029",
            "title_en": "3rd edition 2026–2029",
            "is_current": not Edition.objects.filter(is_current=True).exists(),
        },
    )
    if created:
        for step in key_dates(today):
            KeyDate.objects.create(edition=edition, **step)
    for position, (q, q_en, a, a_en) in enumerate(FAQ):
        FaqEntry.objects.get_or_create(
            question=q,
            defaults={"question_en": q_en, "answer": a, "answer_en": a_en, "position": position},
        )

    return users

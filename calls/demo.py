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
    opens = at(today - timedelta(days=14), 9)
    closes = at(today + timedelta(days=45), 12)
    if created:
        steps = [
            (today - timedelta(days=21), None, "Présentation du programme", "Programme launch"),
            (
                opens.date(),
                closes.date(),
                "Appel à manifestation d'intérêt des communes",
                "Call for municipalities",
            ),
            (
                closes.date() + timedelta(days=30),
                None,
                "Sélection des communes",
                "Selection of municipalities",
            ),
            (
                closes.date() + timedelta(days=90),
                closes.date() + timedelta(days=150),
                "Appel à expérimentations",
                "Call for experimenters",
            ),
            (
                closes.date() + timedelta(days=240),
                None,
                "Sélection des expérimentateurs",
                "Selection of experimenters",
            ),
            (
                closes.date() + timedelta(days=270),
                closes.date() + timedelta(days=1000),
                "Expérimentations dans les quartiers",
                "Experiments in the districts",
            ),
            (date(closes.year + 3, 6, 1), None, "Évaluation", "Assessment"),
        ]
        for start, end, label, label_en in steps:
            KeyDate.objects.create(
                edition=edition, starts_on=start, ends_on=end, label=label, label_en=label_en
            )
    for position, (q, q_en, a, a_en) in enumerate(FAQ):
        FaqEntry.objects.get_or_create(
            question=q,
            defaults={"question_en": q_en, "answer": a, "answer_en": a_en, "position": position},
        )

    return users

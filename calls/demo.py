"""Demo data for ``make run``: every stage of the call for municipalities, idempotent.

Objects are looked up by natural keys and created only when missing, so a second run
changes nothing (dates relative to "now" are fixed when first created).
"""

import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.sites.models import Site
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from calls.domain import lifecycle
from calls.models import Application, Call, Edition, FaqEntry, KeyDate, UrbanChallenge
from municipalities.models import Commune, KeyArea, MunicipalityApplication
from municipalities.services import applicant_for
from qmi.models import Membership, User

PASSWORD = "demo-qmi-2026"  # noqa: S105 — demo accounts of the local run only
PARIS = ZoneInfo("Europe/Paris")

ACCOUNTS = [
    # e-mail, role shown, staff?, commune INSEE code, confirmed?
    ("staff@qmi.example", "Paris&Co staff (admin)", True, None, True),
    (
        "mairie@qmi.example",
        "Municipal officer, Montreuil (draft in progress)",
        False,
        "93048",
        True,
    ),
    ("bobigny@qmi.example", "Municipal officer, Bobigny (submitted)", False, "93008", True),
    ("creteil@qmi.example", "Municipal officer, Créteil (withdrawn)", False, "94028", True),
    (
        "nouveau@qmi.example",
        "Municipal officer, Saint-Ouen (awaiting confirmation)",
        False,
        "93070",
        False,
    ),
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


def demo_pdf(title="Délibération du conseil municipal"):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


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


def seed(stdout=None):
    now = timezone.now()
    today = timezone.localdate()
    Site.objects.update_or_create(pk=1, defaults={"domain": "127.0.0.1:8000", "name": "QMI"})
    users = {
        email: demo_user(email, staff=staff) for email, _label, staff, _code, _confirmed in ACCOUNTS
    }

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
    call, _ = Call.objects.get_or_create(
        slug="ami-communes-3",
        defaults={
            "edition": edition,
            "kind": Call.Kind.MUNICIPALITIES,
            "title": "Appel à manifestation d'intérêt des communes",
            "title_en": "Call for municipalities",
            "description": (
                "La Métropole du Grand Paris et Paris&Co invitent les communes membres à "
                "proposer un quartier d'innovation : un territoire où des start-up, "
                "associations et PME testeront en conditions réelles des solutions au "
                "service des habitants.\n\nLes communes retenues accueilleront six à huit "
                "expérimentations pendant deux ans, avec l'accompagnement de Paris&Co."
            ),
            "description_en": (
                "The Métropole du Grand Paris and Paris&Co invite member communes to propose "
                "an innovation district: an area where startups, associations and SMEs will "
                "test solutions for residents in real conditions.\n\nSelected municipalities "
                "will host six to eight experiments for two years, supported by Paris&Co."
            ),
            "eligibility": (
                "Être l'une des 130 communes membres de la Métropole du Grand Paris ; proposer "
                "un quartier relevant d'un des cinq territoires clés ; joindre une délibération "
                "ou une lettre d'engagement."
            ),
            "eligibility_en": (
                "Be one of the 130 member communes of the Métropole du Grand Paris; propose a "
                "district in one of the five key areas; attach a council deliberation or a "
                "letter of commitment."
            ),
            "opens_at": opens,
            "closes_at": closes,
            "max_selected": 4,
        },
    )
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

    for email, _label, _staff, code, confirmed in ACCOUNTS:
        if not code:
            continue
        applicant = applicant_for(Commune.objects.get(insee_code=code))
        Membership.objects.get_or_create(
            applicant=applicant,
            user=users[email],
            defaults={
                "job_title": "Chargé·e de mission innovation",
                "confirmed_at": now if confirmed else None,
                "confirmed_by": users["staff@qmi.example"] if confirmed else None,
            },
        )

    _application(call, "93048", users["mairie@qmi.example"], complete=False)
    submitted = _application(call, "93008", users["bobigny@qmi.example"], complete=True)
    if submitted.status == "draft":
        lifecycle.transition(submitted, "submit", by=users["bobigny@qmi.example"])
    withdrawn = _application(call, "94028", users["creteil@qmi.example"], complete=False)
    if withdrawn.status == "draft":
        lifecycle.transition(
            withdrawn, "withdraw", by=users["creteil@qmi.example"], note="Projet reporté"
        )
    return users


def _application(call, code, user, *, complete):
    applicant = Commune.objects.get(insee_code=code).applicant
    existing = Application.objects.filter(call=call, applicant=applicant).first()
    if existing:
        return existing
    application = lifecycle.start_application(call, applicant, by=user)
    content = application.content
    content.district_name = f"Quartier de la gare — {applicant.name}"
    content.key_area = KeyArea.RAILWAY_STATION
    content.location = "Autour de la gare, entre l'avenue principale et le canal (35 ha)."
    content.local_stakes = "Apaiser les espaces publics et soutenir le commerce de proximité."
    if complete:
        content.inhabitants = 12500
        content.current_projects = "Rénovation urbaine du quartier (NPNRU), nouvelle gare."
        content.offer = "Deux sites d'expérimentation, données de mobilité, un agent référent."
        for name in MunicipalityApplication.COMMITMENTS:
            setattr(content, name, True)
        content.elected_name, content.elected_role = "Camille Martin", "Adjointe au maire"
        content.elected_email, content.elected_phone = "elue@mairie.example", "01 23 45 67 89"
        content.referent_name, content.referent_role = "Alex Durand", "Chef de projet"
        content.referent_email, content.referent_phone = "referent@mairie.example", "01 98 76 54 32"
    content.save()
    content.challenges.set(UrbanChallenge.objects.filter(code__in=["public-spaces", "climate"]))
    if complete:
        lifecycle.attach(
            application,
            MunicipalityApplication.DELIBERATION,
            SimpleUploadedFile("deliberation.pdf", demo_pdf(), "application/pdf"),
            by=user,
        )
    return application

"""Demo data of the selection, for ``make run``: the 2nd edition's call for municipalities,
closed last month, with six submitted applications, its jury (two members, every
application assigned to both) and its criteria — so that a staff member and the two jury
members can take it, in the browser, from screening to published results.

Idempotent like ``calls.demo``: objects are looked up by natural keys and created only when
missing; the open calls of the other demo data are not touched.
"""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from calls.demo import at, demo_pdf, demo_user
from calls.domain import lifecycle
from calls.models import Application, Call, Edition, UrbanChallenge
from municipalities.models import Commune, KeyArea, MunicipalityApplication
from municipalities.services import applicant_for
from qmi.models import Membership

from .models import Assignment, CallJury, Criterion, JuryMember, Phase

CALL_SLUG = "ami-communes-2"

ACCOUNTS = [
    ("jury1@qmi.example", "Jury member, 2nd edition's call for municipalities (closed)"),
    ("jury2@qmi.example", "Jury member, 2nd edition's call for municipalities (closed)"),
]

MUNICIPALITIES = [
    # INSEE code, district, key area, challenges, inhabitants
    (
        "94081",
        "Quartier de la gare des Ardoines",
        KeyArea.RAILWAY_STATION,
        ["flows", "renewal"],
        14000,
    ),
    ("92050", "Les Provinces françaises", KeyArea.HOUSING_ESTATE, ["housing", "climate"], 9000),
    ("93005", "Zone d'activités de la Garonor", KeyArea.LOGISTICS, ["flows", "circular"], 3000),
    (
        "94017",
        "Centre-ville commerçant",
        KeyArea.SHOPPING,
        ["local-activities", "public-spaces"],
        11000,
    ),
    ("92004", "Quartier des Hauts-d'Asnières", KeyArea.HOUSING_ESTATE, ["climate", "sport"], 12500),
    ("93029", "Enclave de l'Économie", KeyArea.URBAN_ENCLAVE, ["public-spaces", "renewal"], 6000),
]

CRITERIA = [
    # label (fr), label (en), guidance (fr), guidance (en), weight, scale
    (
        "Pertinence du quartier proposé",
        "Relevance of the proposed district",
        "Le quartier relève-t-il d'un territoire clé ? Les défis urbains sont-ils réels ?",
        "Is the district one of the key areas? Are the urban challenges real?",
        3,
        5,
    ),
    (
        "Capacité d'accueil des expérimentations",
        "Capacity to host experiments",
        "Sites, données, agents : la commune peut-elle accueillir six à huit expérimentations ?",
        "Sites, data, staff: can the municipality host six to eight experiments?",
        2,
        5,
    ),
    (
        "Engagement de la commune",
        "Commitment of the municipality",
        "Délibération, référent nommé, participation aux formations et à l'évaluation.",
        "Deliberation, named referent, taking part in the training days and the assessment.",
        1,
        5,
    ),
]


def _call(edition):
    today = timezone.localdate()
    call, _created = Call.objects.get_or_create(
        slug=CALL_SLUG,
        defaults={
            "edition": edition,
            "kind": Call.Kind.MUNICIPALITIES,
            "title": "Appel à manifestation d'intérêt des communes — 2e édition",
            "title_en": "Call for municipalities — 2nd edition",
            "description": (
                "Les communes membres de la Métropole du Grand Paris proposent un quartier "
                "d'innovation où des start-up, associations et PME testeront leurs solutions."
            ),
            "description_en": (
                "Member communes of the Métropole du Grand Paris propose an innovation district "
                "where startups, associations and SMEs will test their solutions."
            ),
            "opens_at": at(today - timedelta(days=120), 9),
            "closes_at": at(today - timedelta(days=30), 12),
            "max_selected": 4,
        },
    )
    return call


def _application(call, code, district_name, key_area, challenges, inhabitants):
    commune = Commune.objects.get(insee_code=code)
    applicant = applicant_for(commune)
    existing = Application.objects.filter(call=call, applicant=applicant).first()
    if existing:
        return existing
    officer = demo_user(f"mairie-{code}@qmi.example", usable=False)
    Membership.objects.get_or_create(
        applicant=applicant,
        user=officer,
        defaults={"job_title": "Chargé·e de mission innovation", "confirmed_at": timezone.now()},
    )
    during = call.opens_at + timedelta(days=20)
    application = lifecycle.start_application(call, applicant, by=officer, now=during)
    content = application.content
    content.district_name = district_name
    content.key_area = key_area
    content.location = f"{district_name}, {commune.name} : périmètre de 30 à 60 ha."
    content.inhabitants = inhabitants
    content.current_projects = "Renouvellement urbain, nouvelle ligne de transport, travaux."
    content.local_stakes = (
        "Apaiser l'espace public, rafraîchir le quartier, soutenir les commerces."
    )
    content.offer = "Deux sites d'expérimentation, des données de comptage, un agent référent."
    for name in MunicipalityApplication.COMMITMENTS:
        setattr(content, name, True)
    content.elected_name, content.elected_role = "Camille Martin", "Adjointe au maire"
    content.elected_email, content.elected_phone = f"elue-{code}@mairie.example", "01 23 45 67 89"
    content.referent_name, content.referent_role = "Alex Durand", "Chef de projet innovation"
    content.referent_email = f"referent-{code}@mairie.example"
    content.referent_phone = "01 98 76 54 32"
    content.save()
    content.challenges.set(UrbanChallenge.objects.filter(code__in=challenges))
    lifecycle.attach(
        application,
        MunicipalityApplication.DELIBERATION,
        SimpleUploadedFile("deliberation.pdf", demo_pdf(), "application/pdf"),
        by=officer,
        now=during,
    )
    return lifecycle.transition(application, "submit", by=officer, now=during + timedelta(days=1))


def seed(stdout=None):
    edition, _created = Edition.objects.get_or_create(
        number=2,
        defaults={
            "title": "2e édition 2023–2026",
            "title_en": "2nd edition 2023–2026",
            "is_current": False,
        },
    )
    call = _call(edition)
    applications = [_application(call, *row) for row in MUNICIPALITIES]
    CallJury.objects.get_or_create(
        call=call, defaults={"phase": Phase.PREPARATION, "reviewers_per_application": 2}
    )
    for position, (label, label_en, guidance, guidance_en, weight, scale) in enumerate(CRITERIA):
        Criterion.objects.get_or_create(
            call=call,
            label=label,
            defaults={
                "label_en": label_en,
                "guidance": guidance,
                "guidance_en": guidance_en,
                "weight": weight,
                "scale_max": scale,
                "position": position,
            },
        )
    for email, _label in ACCOUNTS:
        member, _created = JuryMember.objects.get_or_create(call=call, user=demo_user(email))
        for application in applications:
            Assignment.objects.get_or_create(jury_member=member, application=application)
    return call

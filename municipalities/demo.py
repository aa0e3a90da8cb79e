"""Demo data of the municipalities, for ``make run``: the municipal officers, the open call
for municipalities of the current edition (a draft, a submitted and a withdrawn application),
the 2nd edition's call for municipalities closed last month with six submitted applications
(the selection demo of ``evaluation.demo`` scores them), and the innovation districts that
the call for experimenters of ``experimenters.demo`` covers.

Idempotent: objects are looked up by natural keys and created only when missing.
"""

from datetime import timedelta

from django.utils import timezone

from calls.demo import at, demo_user, municipalities_call_window
from calls.domain import lifecycle, samples
from calls.models import Application, Call, Edition, UrbanChallenge
from qmi.models import Membership, User

from .models import Commune, InnovationDistrict, KeyArea
from .services import applicant_for

OPEN_CALL_SLUG = "ami-communes-3"
CLOSED_CALL_SLUG = "ami-communes-2"

ACCOUNTS = [
    # e-mail, role shown, commune INSEE code, confirmed?
    (
        "mairie@qmi.example",
        "Municipal officer, Montreuil (draft in progress)",
        "93048",
        True,
    ),
    ("bobigny@qmi.example", "Municipal officer, Bobigny (submitted)", "93008", True),
    ("creteil@qmi.example", "Municipal officer, Créteil (withdrawn)", "94028", True),
    (
        "nouveau@qmi.example",
        "Municipal officer, Saint-Ouen (awaiting confirmation)",
        "93070",
        False,
    ),
    (
        "pantin@qmi.example",
        "Municipal referent, Pantin (hosts Les Quatre-Chemins: experimentations, assessment)",
        "93055",
        True,
    ),
    (
        "saint-denis@qmi.example",
        "Municipal referent, Saint-Denis (hosts Quartier Pleyel: experimentations, assessment)",
        "93066",
        True,
    ),
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

DISTRICTS = [
    # INSEE code, slug, name, key area, challenges, perimeter (fr, en), offer (fr, en)
    (
        "93066",
        "pleyel-saint-denis",
        "Quartier Pleyel",
        KeyArea.RAILWAY_STATION,
        ["flows", "public-spaces", "renewal"],
        (
            "Autour de la gare Saint-Denis Pleyel, entre le boulevard Anatole-France et les "
            "voies ferrées (60 ha).",
            "Around Saint-Denis Pleyel station, between boulevard Anatole-France and the "
            "railway (60 ha).",
        ),
        (
            "Le parvis de la gare et deux rues apaisées pour tester des services de mobilité, "
            "un local vacant en pied d'immeuble, les données de fréquentation de la gare.",
            "The station forecourt and two quiet streets to test mobility services, a vacant "
            "ground-floor unit, the footfall data of the station.",
        ),
    ),
    (
        "93055",
        "quatre-chemins-pantin",
        "Les Quatre-Chemins",
        KeyArea.HOUSING_ESTATE,
        ["housing", "climate", "local-activities"],
        (
            "Le quartier des Quatre-Chemins, de l'avenue Jean-Lolive au canal de l'Ourcq.",
            "The Quatre-Chemins district, from avenue Jean-Lolive to the Ourcq canal.",
        ),
        (
            "Des cours d'école et des toits de bâtiments publics pour l'adaptation au climat, "
            "un bailleur partenaire, un agent référent à mi-temps.",
            "School yards and roofs of public buildings for climate adaptation, a partner "
            "social landlord, a half-time municipal referent.",
        ),
    ),
]


def seed():
    staff = User.objects.filter(is_staff=True).order_by("pk").first()
    users = {email: demo_user(email) for email, *_rest in ACCOUNTS}
    edition = Edition.objects.filter(is_current=True).first() or Edition.objects.first()
    call = _open_call(edition)
    now = timezone.now()
    for email, _label, code, confirmed in ACCOUNTS:
        Membership.objects.get_or_create(
            applicant=applicant_for(Commune.objects.get(insee_code=code)),
            user=users[email],
            defaults={
                "job_title": "Chargé·e de mission innovation",
                "confirmed_at": now if confirmed else None,
                "confirmed_by": staff if confirmed else None,
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
    closed = _closed_call()
    for row in MUNICIPALITIES:
        _submitted_application(closed, *row)
    _districts(edition)
    # The same two communes hosted districts in the 2nd edition (its 2024 wave of
    # experimentations, assessed in 2026)
    _districts(closed.edition, slug_suffix="-2023")
    return call


def _open_call(edition):
    opens, closes = municipalities_call_window(timezone.localdate())
    call, _created = Call.objects.get_or_create(
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
    return call


def _application(call, code, user, *, complete):
    applicant = Commune.objects.get(insee_code=code).applicant
    existing = Application.objects.filter(call=call, applicant=applicant).first()
    if existing:
        return existing
    application = lifecycle.start_application(call, applicant, by=user)
    answers = {
        "district_name": f"Quartier de la gare — {applicant.name}",
        "key_area": KeyArea.RAILWAY_STATION,
        "location": "Autour de la gare, entre l'avenue principale et le canal (35 ha).",
        "local_stakes": "Apaiser les espaces publics et soutenir le commerce de proximité.",
    }
    if complete:
        samples.complete(application, by=user, **answers)
    else:
        content = application.content
        for name, value in answers.items():
            setattr(content, name, value)
        content.save()
    application.content.challenges.set(
        UrbanChallenge.objects.filter(code__in=["public-spaces", "climate"])
    )
    return application


def _closed_call():
    edition, _created = Edition.objects.get_or_create(
        number=2,
        defaults={
            "title": "2e édition 2023–2026",
            "title_en": "2nd edition 2023–2026",
            "is_current": False,
        },
    )
    return _call(edition)


def _call(edition):
    today = timezone.localdate()
    call, _created = Call.objects.get_or_create(
        slug=CLOSED_CALL_SLUG,
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


def _submitted_application(call, code, district_name, key_area, challenges, inhabitants):
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
    samples.complete(
        application,
        by=officer,
        now=during,
        district_name=district_name,
        key_area=key_area,
        location=f"{district_name}, {commune.name} : périmètre de 30 à 60 ha.",
        inhabitants=inhabitants,
        elected_email=f"elue-{code}@mairie.example",
        referent_email=f"referent-{code}@mairie.example",
    )
    application.content.challenges.set(UrbanChallenge.objects.filter(code__in=challenges))
    return lifecycle.transition(application, "submit", by=officer, now=during + timedelta(days=1))


def _districts(edition, *, slug_suffix=""):
    districts = []
    for code, slug, name, key_area, challenges, perimeter, offer in DISTRICTS:
        commune = Commune.objects.get(insee_code=code)
        district, created = InnovationDistrict.objects.get_or_create(
            commune=commune,
            edition=edition,
            defaults={
                "slug": slug + slug_suffix,
                "name": name,
                "key_area": key_area,
                "perimeter": perimeter[0],
                "perimeter_en": perimeter[1],
                "offer": offer[0],
                "offer_en": offer[1],
                "is_published": True,
            },
        )
        if created:
            district.challenges.set(UrbanChallenge.objects.filter(code__in=challenges))
        districts.append(district)
    return districts

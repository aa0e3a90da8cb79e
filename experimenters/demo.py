"""Demo data of the call for experimenters, for ``make run``: a call open now over the
innovation districts of the current edition, two organisations (one French, one foreign) and
projects in several states; and a closed pilot wave over two districts whose fourteen
shortlisted projects, from seven organisations, wait for their placement (``evaluation.demo``
records them as laureates and proposes the placement).

Idempotent like ``calls.demo``: objects are looked up by natural keys and created only when
missing. Runs after ``municipalities.demo``, whose innovation districts the call covers.
"""

from datetime import date, timedelta

from django.utils import timezone
from stdnum import luhn

from calls.demo import at, demo_user, experimenters_call_window
from calls.domain import lifecycle
from calls.models import Call, Edition
from calls.models.call import district_model
from qmi.models import Membership, User

from . import demo_verification
from .demo_experimentations import (  # noqa: F401 — follow_up: seed_demo
    EARLIER_SLUG,
    FINISHED_SLUG,
    follow_up,
)
from .demo_projects import INELIGIBLE_REASON, _project  # noqa: F401 — tests read the reason
from .demo_verification import verified
from .models import (
    DistrictWish,
    Organisation,
)
from .services import create_organisation

ACCOUNTS = [
    # e-mail, role shown
    (
        "startup@qmi.example",
        "Owner of Fraîcheur Urbaine (French startup: draft, submitted, withdrawn and "
        "ineligible projects)",
    ),
    ("associe@qmi.example", "Member of Fraîcheur Urbaine (prepares projects, cannot submit)"),
    ("foreign@qmi.example", "Owner of Stadslab (Belgian association, submitted project)"),
    ("laureat1@qmi.example", "Owner of Ombre & Cie (two projects in the pilot wave, to place)"),
    (
        "laureat2@qmi.example",
        "Owner of Mobilités Douces (a running experimentation: reports filed, late, to come)",
    ),
    (
        "laureat3@qmi.example",
        "Owner of Compost Collectif (an ended experimentation: its assessment, extended)",
    ),
]

ACCOUNTS += demo_verification.ACCOUNTS

CALL_SLUG = "appel-experimentations-3"

ORGANISATIONS = [
    {
        "owner": "startup@qmi.example",
        "members": ["associe@qmi.example"],
        "legal_name": "Fraîcheur Urbaine SAS",
        "is_foreign": False,
        "siret": "84215391800029",
        "country": "FR",
        "structure_type": "startup",
        "created_on": date(2021, 3, 15),
        "headcount": 7,
        "address": "12 rue des Innovateurs",
        "postal_code": "93100",
        "city": "Montreuil",
        "website": "https://fraicheur-urbaine.example",
        "description": "Des voiles d'ombrage pilotées par capteurs pour rafraîchir les places.",
    },
    {
        "owner": "foreign@qmi.example",
        "members": [],
        "legal_name": "Stadslab ASBL",
        "is_foreign": True,
        "siret": None,
        "country": "BE",
        "registration_number": "0456.789.123",
        "structure_type": "association",
        "created_on": date(2018, 9, 1),
        "headcount": 4,
        "address": "Rue de la Loi 42",
        "postal_code": "1040",
        "city": "Bruxelles",
        "website": "https://stadslab.example",
        "description": "Une association bruxelloise qui conçoit des potagers mobiles de quartier.",
    },
]

PROJECTS = [
    # organisation, created by, title, state, complete?
    ("Fraîcheur Urbaine SAS", "associe@qmi.example", "Voiles d'ombrage pilotées", "draft", False),
    (
        "Fraîcheur Urbaine SAS",
        "startup@qmi.example",
        "Îlots de fraîcheur connectés",
        "submitted",
        True,
    ),
    ("Fraîcheur Urbaine SAS", "startup@qmi.example", "Brumisation solaire", "withdrawn", False),
    # screened ineligible during the call; ``evaluation.demo_answers`` tells it at once
    (
        "Fraîcheur Urbaine SAS",
        "startup@qmi.example",
        "Casiers de livraison réfrigérés",
        "ineligible",
        True,
    ),
    ("Stadslab ASBL", "foreign@qmi.example", "Potagers mobiles de quartier", "submitted", True),
]


def _call(edition, districts):
    opens, closes = experimenters_call_window(timezone.localdate())
    call, created = Call.objects.get_or_create(
        slug=CALL_SLUG,
        defaults={
            "edition": edition,
            "kind": Call.Kind.EXPERIMENTERS,
            "title": "Appel à expérimentations — 1re vague",
            "title_en": "Call for experimenters — first wave",
            "description": (
                "Start-up, associations et PME : testez votre solution innovante en conditions "
                "réelles, pendant 18 mois au plus, dans l'un des quartiers d'innovation de la "
                "Métropole du Grand Paris, avec la commune et l'accompagnement de Paris&Co."
            ),
            "description_en": (
                "Startups, associations and SMEs: test your innovative solution in real "
                "conditions, for up to 18 months, in one of the innovation districts of the "
                "Métropole du Grand Paris, with the municipality and the support of Paris&Co."
            ),
            "eligibility": (
                "Une solution au stade de prototype, pas encore commercialisée, qui répond à au "
                "moins un des huit défis urbains, et une structure capable de la déployer en "
                "Île-de-France pendant l'expérimentation."
            ),
            "eligibility_en": (
                "A solution at prototype stage, not yet commercialised, that addresses at least "
                "one of the eight urban challenges, and an organisation able to deploy it in "
                "Île-de-France during the experimentation."
            ),
            "opens_at": opens,
            "closes_at": closes,
            "max_selected": 24,
        },
    )
    if created:
        call.districts.add(*districts)
    return call


def _organisation(data, users):
    data = dict(data)
    owner = users[data.pop("owner")]
    members = data.pop("members")
    organisation = Organisation.objects.filter(legal_name=data["legal_name"]).first()
    if organisation is None:
        organisation = verified(create_organisation(by=owner, **data))
    for email in members:
        Membership.objects.get_or_create(
            applicant=organisation.applicant,
            user=users[email],
            defaults={
                "role": Membership.Role.MEMBER,
                "confirmed_at": timezone.now(),
                "confirmed_by": owner,
            },
        )
    return organisation


# The pilot wave: seven organisations with two projects each; wishes are indexes in the two
# districts of the wave (0 and 1), the first preferred by nine of the fourteen.
PILOT_SLUG = "appel-experimentations-pilote"
PILOT_ORGANISATIONS = [
    ("Ombre & Cie SAS", "Ombrières textiles repliables", "Bancs rafraîchis par géothermie"),
    ("Mobilités Douces SCIC", "Vélos-cargos partagés de quartier", "Consignes à vélos solaires"),
    ("Compost Collectif", "Composteurs connectés d'immeuble", "Collecte des biodéchets à vélo"),
    ("Lumière Sobre SAS", "Éclairage public à détection", "Candélabres solaires autonomes"),
    ("Eau Vive Tech", "Fontaines à débit mesuré", "Récupération des eaux de pluie"),
    ("Canopée Urbaine", "Micro-forêts de pied d'immeuble", "Toitures végétalisées légères"),
    ("Bancs Connectés SAS", "Mobilier urbain à recharge", "Capteurs de fréquentation anonymes"),
]
PILOT_WISHES = [(0, 1), (0, 1), (0,), (0, 1), (1, 0), (0, 1), (0, 1)] * 2
PILOT_WISHES[4] = (1,)
PILOT_WISHES[11] = (1, 0)
PILOT_WISHES[13] = (1, 0)


def _siret(n):
    """A valid SIRET (Luhn on the SIREN and on the whole number) for demo organisation ``n``."""
    siren = f"9{n:07d}"
    siren += luhn.calc_check_digit(siren)
    head = f"{siren}0001"
    return head + luhn.calc_check_digit(head)


def verified_new(**data):
    return verified(create_organisation(**data))


def _laureate_organisation(k):
    """The ``k``-th demo organisation of the waves (created once), owned by laureat<k+1>."""
    name = PILOT_ORGANISATIONS[k][0]
    owner = demo_user(f"laureat{k + 1}@qmi.example")
    return Organisation.objects.filter(legal_name=name).first() or verified_new(
        by=owner,
        legal_name=name,
        siret=_siret(k + 1),
        structure_type="startup",
        created_on=date(2020, 1 + k, 1),
        headcount=3 + k,
        address=f"{10 + k} rue de l'Innovation",
        postal_code="75011",
        city="Paris",
        website=f"https://demo{k + 1}.example",
        description="Une jeune entreprise de la ville durable.",
    )


def _wave(edition, districts, staff, *, slug, title, title_en, opened, closed, projects):
    """A closed wave over ``districts`` and its shortlisted ``projects`` — (organisation
    index, title, wishes as indexes in ``districts``) — created once; dates in days ago."""
    existing = Call.objects.filter(slug=slug).first()
    if existing:
        return existing
    today = timezone.localdate()
    call = Call.objects.create(
        slug=slug,
        edition=edition,
        kind=Call.Kind.EXPERIMENTERS,
        title=title,
        title_en=title_en,
        description="Une vague de l'appel à expérimentations, sur deux quartiers d'innovation.",
        description_en="A wave of the call for experimenters, over two innovation districts.",
        opens_at=at(today - timedelta(days=opened), 9),
        closes_at=at(today + timedelta(days=1), 12),
    )
    call.districts.add(*districts)
    for k, project_title, wishes in projects:
        organisation = _laureate_organisation(k)
        owner = organisation.owner()
        application = _project(call, organisation, owner, project_title, "draft", complete=True)
        project = application.project
        project.wishes.all().delete()
        for rank, index in enumerate(wishes, start=1):
            DistrictWish.objects.create(
                project=project,
                district=districts[index],
                rank=rank,
                reason="Des sites disponibles et une commune motivée.",
            )
        lifecycle.transition(application, "submit", by=owner)
        for name in ("mark_eligible", "shortlist"):
            lifecycle.transition(application, name, by=staff)
    Call.objects.filter(pk=call.pk).update(closes_at=at(today - timedelta(days=closed), 12))
    return call


# The wave of 2024: five experimentations that ran and ended, assessed in 2026
FINISHED_PROJECTS = [
    (2, "Composteurs de rue partagés", (0,)),
    (3, "Éclairage adaptatif des cheminements", (1,)),
    (4, "Îlots de fraîcheur brumisés", (0,)),
    (5, "Jardins de pluie en pied d'immeuble", (1,)),
    (6, "Bancs de recharge solaire", (0,)),
]


def _finished_wave(staff):
    """The 2nd edition's wave of 2024 over its two districts, whose results
    ``evaluation.demo`` publishes: its experimentations follow, have ended and are assessed."""
    edition = Edition.objects.filter(number=2).first()
    districts = list(
        district_model().objects.filter(edition=edition, is_published=True).order_by("name")[:2]
    )
    if edition is None or len(districts) < 2:
        return None
    return _wave(
        edition,
        districts,
        staff,
        slug=FINISHED_SLUG,
        title="Appel à expérimentations — vague 2024",
        title_en="Call for experimenters — 2024 wave",
        opened=1000,
        closed=900,
        projects=FINISHED_PROJECTS,
    )


def _waves(edition, districts, staff):
    """The wave of 2025, whose results ``evaluation.demo`` publishes (two experimentations
    follow), and the pilot wave, whose fourteen laureates wait for their placement."""
    _wave(
        edition,
        districts,
        staff,
        slug=EARLIER_SLUG,
        title="Appel à expérimentations — vague 2025",
        title_en="Call for experimenters — 2025 wave",
        opened=420,
        closed=330,
        projects=[
            (0, "Ombrières de cours d'école", (0,)),
            (1, "Stations de vélos-cargos partagés", (1,)),
        ],
    )
    titles = [(k, title) for k, (_name, *pair) in enumerate(PILOT_ORGANISATIONS) for title in pair]
    _wave(
        edition,
        districts,
        staff,
        slug=PILOT_SLUG,
        title="Appel à expérimentations — vague pilote",
        title_en="Call for experimenters — pilot wave",
        opened=120,
        closed=30,
        projects=[(k, title, PILOT_WISHES[n]) for n, (k, title) in enumerate(titles)],
    )


def seed():
    edition = Edition.objects.filter(is_current=True).first() or Edition.objects.first()
    users = {email: demo_user(email) for email, _label in ACCOUNTS}
    # The districts of the edition, seeded by ``municipalities.demo``
    districts = district_model().objects.filter(edition=edition, is_published=True)
    call = _call(edition, districts)
    organisations = {data["legal_name"]: _organisation(data, users) for data in ORGANISATIONS}
    for name, email, title, state, complete in PROJECTS:
        _project(call, organisations[name], users[email], title, state, complete=complete)
    wave_districts = list(districts.order_by("name")[:2])
    staff = User.objects.filter(is_staff=True).order_by("pk").first()
    if len(wave_districts) == 2 and staff is not None:
        _finished_wave(staff)
        _waves(edition, wave_districts, staff)
    demo_verification.seed()
    return call

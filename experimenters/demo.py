"""Demo data of the call for experimenters, for ``make run``: innovation districts, a call open
now over them, two organisations (one French, one foreign) and projects in several states.

Idempotent like ``calls.demo``: objects are looked up by natural keys and created only when
missing. Runs after ``calls.demo.seed()``, whose edition, staff account and municipality
applications it uses.
"""

from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from calls.demo import at, demo_pdf, demo_user
from calls.domain import lifecycle
from calls.models import Application, Call, Edition, UrbanChallenge
from municipalities.models import Commune, InnovationDistrict, KeyArea
from municipalities.services import create_district_from_application
from qmi.models import Membership, User

from .models import DistrictWish, Maturity, Organisation, ProjectApplication, TeamMember
from .services import create_organisation, initial_content

ACCOUNTS = [
    # e-mail, role shown
    (
        "startup@qmi.example",
        "Owner of Fraîcheur Urbaine (French startup: draft, submitted, withdrawn projects)",
    ),
    ("associe@qmi.example", "Member of Fraîcheur Urbaine (prepares projects, cannot submit)"),
    ("foreign@qmi.example", "Owner of Stadslab (Belgian association, submitted project)"),
]

CALL_SLUG = "appel-experimentations-3"

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
    ("Stadslab ASBL", "foreign@qmi.example", "Potagers mobiles de quartier", "submitted", True),
]


def _districts(edition, staff):
    districts = []
    bobigny = (
        Application.objects.filter(
            kind=Call.Kind.MUNICIPALITIES, applicant__commune__insee_code="93008"
        )
        .exclude(status__in=["draft", "withdrawn"])
        .first()
    )
    if bobigny:
        district, created = create_district_from_application(bobigny, by=staff)
        if created:
            district.offer_en = "Two test sites, mobility data, a municipal referent."
            district.perimeter_en = "Around the station, between the main avenue and the canal."
            district.is_published = True
            district.save()
        districts.append(district)
    for code, slug, name, key_area, challenges, perimeter, offer in DISTRICTS:
        commune = Commune.objects.get(insee_code=code)
        district, created = InnovationDistrict.objects.get_or_create(
            commune=commune,
            edition=edition,
            defaults={
                "slug": slug,
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


def _call(edition, districts):
    today = timezone.localdate()
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
            "opens_at": at(today - timedelta(days=7), 9),
            "closes_at": at(today + timedelta(days=60), 12),
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
        organisation = create_organisation(by=owner, **data)
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


def _fill(project, call, *, complete):
    project.pitch = "Rafraîchir les places minérales aux heures chaudes, sans climatisation."
    project.problem = "Les places minérales deviennent des îlots de chaleur l'été."
    project.solution = "Des voiles d'ombrage orientées selon la température mesurée."
    project.maturity = Maturity.REAL_CONDITIONS
    project.needs_space = True
    if complete:
        project.innovation = "Un pilotage en temps réel par capteurs bas coût."
        project.needs_energy = True
        project.deployment_details = "Deux mâts, une prise 230 V, une autorisation d'occupation."
        project.duration_months = 12
        project.expected_impacts = "−3 °C ressentis aux heures chaudes, plus d'usagers l'été."
        project.impact_measurement = "Capteurs de température et enquêtes auprès des usagers."
        project.budget = 45000
        project.funding = "Fonds propres (60 %) et subvention régionale (40 %)."
        project.references = "Pilote dans une cour d'école à Montreuil en 2025."
    project.save()
    districts = list(call.districts.order_by("pk"))
    for rank, district in enumerate(districts[:2], start=1):
        DistrictWish.objects.create(
            project=project,
            district=district,
            rank=rank,
            reason="Une place très minérale et des habitants demandeurs d'ombre.",
        )
    TeamMember.objects.create(project=project, name="Léa Martin", role="Cheffe de projet")
    if complete:
        TeamMember.objects.create(
            project=project, name="Karim Benali", role="Ingénieur capteurs", position=1
        )


def _project(call, organisation, user, title, state, *, complete):
    existing = ProjectApplication.objects.filter(
        application__call=call, application__applicant=organisation.applicant, title=title
    ).first()
    if existing:
        return existing.application
    answers = {
        "structure_type": organisation.structure_type,
        "stage": "prototype",
        "commercialised": False,
        "challenges": UrbanChallenge.objects.filter(code__in=["climate", "public-spaces"]),
        "can_deploy": True,
    }
    application = lifecycle.start_application(
        call, organisation.applicant, by=user, initial=initial_content(answers)
    )
    project = application.project
    project.title = title
    _fill(project, call, complete=complete)
    if complete:
        lifecycle.attach(
            application,
            ProjectApplication.PITCH_DECK,
            SimpleUploadedFile("pitch-deck.pdf", demo_pdf(title), "application/pdf"),
            by=user,
        )
    owner = organisation.owner()
    if state == "submitted":
        lifecycle.transition(application, "submit", by=owner)
    elif state == "withdrawn":
        lifecycle.transition(application, "withdraw", by=owner, note="Projet réorienté")
    return application


def seed(stdout=None):
    edition = Edition.objects.filter(is_current=True).first() or Edition.objects.first()
    staff = User.objects.filter(is_staff=True).order_by("pk").first()
    users = {email: demo_user(email) for email, _label in ACCOUNTS}
    districts = _districts(edition, staff)
    call = _call(edition, districts)
    organisations = {data["legal_name"]: _organisation(data, users) for data in ORGANISATIONS}
    for name, email, title, state, complete in PROJECTS:
        _project(call, organisations[name], users[email], title, state, complete=complete)
    return call

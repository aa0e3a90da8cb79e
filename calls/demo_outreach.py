"""Demo contacts who asked to be kept informed (idempotent, by address): confirmed and not,
of every profile, municipal ones in member communes, their urban challenges; the confirmed
ones the open calls address are told at once (the scan beat runs), so the funnel has figures."""

from django.utils import timezone

from calls.domain import outreach, reminders
from calls.extensions import provided
from calls.models import Contact, UrbanChallenge

CONTACTS = [
    # e-mail, profile, organisation, commune index, challenges, language, confirmed
    (
        "urbanisme@bondy.example",
        "municipality",
        "Ville de Bondy",
        0,
        ["climate", "renewal"],
        "fr",
        True,
    ),
    ("dgs@vitry.example", "municipality", "Mairie de Vitry-sur-Seine", 1, ["housing"], "fr", True),
    ("innovation@clichy.example", "municipality", "Ville de Clichy", 2, ["flows"], "fr", True),
    (
        "smart.city@ivry.example",
        "municipality",
        "Ville d'Ivry-sur-Seine",
        3,
        ["public-spaces"],
        "en",
        True,
    ),
    ("projets@noisy.example", "municipality", "Ville de Noisy-le-Sec", 4, ["sport"], "fr", False),
    ("hello@mobilis.example", "startup", "Mobilis", None, ["flows"], "en", True),
    ("contact@ombrelab.example", "startup", "Ombrelab", None, ["climate"], "fr", True),
    ("bonjour@vertdemain.example", "association", "Vert Demain", None, ["circular"], "fr", True),
    (
        "asso@sportquartier.example",
        "association",
        "Sport en quartier",
        None,
        ["sport"],
        "fr",
        False,
    ),
    ("direction@batiplus.example", "sme", "Batiplus", None, ["renewal", "housing"], "fr", True),
    ("pme@logiflux.example", "sme", "Logiflux", None, ["flows"], "en", True),
    ("chercheuse@labo.example", "other", "Laboratoire urbain", None, ["public-spaces"], "fr", True),
    ("journaliste@media.example", "other", "", None, [], "fr", True),
    ("etudiant@univ.example", "other", "", None, ["climate"], "en", False),
]


def seed():
    communes = provided("communes:choices", default=[]) or []
    challenges = {c.code: c for c in UrbanChallenge.objects.all()}
    for email, profile, organisation, commune, wanted, language, confirmed in CONTACTS:
        if Contact.objects.filter(email=email).exists():
            continue
        code = communes[commune * 7][0] if commune is not None and communes else ""
        contact = Contact.objects.create(
            email=email,
            profile=profile,
            organisation=organisation,
            commune_code=code,
            language=language,
            consent=str(outreach.CONSENT),
        )
        contact.challenges.set([challenges[c] for c in wanted if c in challenges])
        if confirmed:
            outreach.confirm(contact, timezone.now())
    reminders.send_batch(outreach.SOURCE, outreach.due())

"""The sample answers of a complete municipality application: one set, used by the test
factories, the demo data and the benchmarks (``KindSpec.sample_answers``)."""

from calls.models import UrbanChallenge

from .models import KeyArea, MunicipalityApplication

ANSWERS = {
    "district_name": "Quartier de la gare",
    "key_area": KeyArea.RAILWAY_STATION,
    "location": "Autour de la gare.",
    "inhabitants": 8000,
    "current_projects": "Rénovation urbaine.",
    "local_stakes": "Apaiser l'espace public.",
    "offer": "Deux sites et un agent.",
    "elected_name": "Camille Martin",
    "elected_role": "Adjointe au maire",
    "elected_email": "elue@ville.example",
    "elected_phone": "01 23 45 67 89",
    "referent_name": "Alex Durand",
    "referent_role": "Chef de projet",
    "referent_email": "ref@ville.example",
    "referent_phone": "01 98 76 54 32",
    **dict.fromkeys(MunicipalityApplication.COMMITMENTS, True),
}
CHALLENGES = ("climate",)


def fill(content, **answers):
    """Fill every answer of ``content`` (``answers`` override the samples) and save it."""
    for name, value in {**ANSWERS, **answers}.items():
        setattr(content, name, value)
    content.save()
    content.challenges.set(UrbanChallenge.objects.filter(code__in=CHALLENGES))
    return content

"""The sample answers of a complete project application: one set, used by the test factories,
the demo data and the benchmarks (``KindSpec.sample_answers``)."""

from calls.models import UrbanChallenge

from .models import DistrictWish, Maturity, TeamMember

ANSWERS = {
    "title": "Îlots de fraîcheur connectés",
    "pitch": "Des capteurs et des voiles d'ombrage pilotés pour rafraîchir les places.",
    "problem": "Les places minérales sont des îlots de chaleur.",
    "solution": "Des voiles d'ombrage orientées selon la température mesurée.",
    "innovation": "Le pilotage en temps réel par capteurs bas coût.",
    "maturity": Maturity.REAL_CONDITIONS,
    "needs_space": True,
    "needs_energy": True,
    "deployment_details": "Deux mâts, une prise 230 V, une autorisation d'occupation.",
    "duration_months": 12,
    "expected_impacts": "−3 °C ressentis aux heures chaudes.",
    "impact_measurement": "Capteurs de température et enquêtes auprès des usagers.",
    "budget": 45000,
    "funding": "Fonds propres et subvention régionale.",
}
CHALLENGES = ("climate",)
WISH_REASON = "Une place très minérale."
TEAM = (("Léa Martin", "Cheffe de projet"),)


def fill(content, **answers):
    """Fill every answer of ``content`` (``answers`` override the samples) and save it; wish
    the call's first district and name one member of the team."""
    for name, value in {**ANSWERS, **answers}.items():
        setattr(content, name, value)
    content.save()
    content.challenges.set(UrbanChallenge.objects.filter(code__in=CHALLENGES))
    district = content.application.call.districts.order_by("pk").first()
    if district is not None and not content.wishes.exists():
        DistrictWish.objects.create(project=content, district=district, rank=1, reason=WISH_REASON)
    if not content.team.exists():
        TeamMember.objects.bulk_create(
            TeamMember(project=content, name=name, role=role) for name, role in TEAM
        )
    return content

"""Demo data of the 2026 assessment (``follow_up``, run by ``seed_demo`` once every app has
seeded): the campaign over the 2024 wave's five ended experimentations, closed four days ago,
its grid filled from the three sides — all but three sides, one of which has an extension so
that its demo account can still fill it —, the outcomes, the programme questionnaire, and its
public summary published. Once: an existing campaign is left alone."""

from datetime import datetime, time, timedelta

from django.apps import apps
from django.utils import timezone

from qmi.models import Membership, User

from .assessment import campaign as campaigns
from .assessment import grid
from .assessment.protocol import start_protocol
from .models import AssessmentCampaign, Outcome, Party, ProgrammeFeedback

FINISHED_SLUG = "appel-experimentations-2024"  # the 2024 wave of ``experimenters.demo``
TITLE = "Bilan 2026 des expérimentations"

# Per experimentation: the parties' scores (experimenter, municipality, manager) around
# which each criterion varies, the sides left unsubmitted, the outcome
COHORT = [
    ((5, 4, 4), {Party.EXPERIMENTER}, Outcome.CONTINUED, "La commune reprend les composteurs."),
    ((4, 4, 3), set(), Outcome.EXTENDED, "Déployé à Bobigny et à Montreuil en 2027."),
    ((5, 3, 4), set(), Outcome.COMMERCIALISED, "Trois marchés publics signés."),
    ((4, 3, 3), {Party.MANAGER}, Outcome.CONTINUED, "Maintenu par le bailleur social."),
    ((3, 2, 2), {Party.MUNICIPALITY}, Outcome.STOPPED, "Coût de maintenance trop élevé."),
]
JUSTIFICATIONS = {
    5: "Objectif dépassé, constaté sur le terrain et dans les relevés.",
    4: "Résultats solides, quelques ajustements restent à faire.",
    3: "Résultats partiels : la saison a été plus courte que prévu.",
    2: "Effets limités, les usagers ne se sont pas approprié la solution.",
    1: "Aucun effet mesurable.",
}
FEEDBACK = [
    (5, 4, 4, "Un chef de projet disponible et des portes ouvertes à la mairie."),
    (4, 5, 3, "Les journées de formation, très concrètes."),
    (4, 3, 5, "Les rencontres avec les autres lauréats."),
    (3, 3, 4, "L'accès aux sites, une fois la convention signée."),
]


def _at(day, hour, minute=0, second=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute, second)))


def follow_up():
    staff = User.objects.filter(is_staff=True).order_by("pk").first()
    experimentation_model = apps.get_model("experimenters", "Experimentation")
    cohort = experimentation_model.objects.filter(
        application__call__slug=FINISHED_SLUG, status="ended"
    )
    if staff is None or not cohort.exists() or AssessmentCampaign.objects.filter(title=TITLE):
        return None
    today = timezone.localdate()
    campaign = AssessmentCampaign.objects.create(
        edition=cohort.first().application.call.edition,
        title=TITLE,
        title_en="2026 assessment of the experimentations",
        opens_at=_at(today - timedelta(days=45), 9),
        closes_at=_at(today - timedelta(days=4), 23, 59, 59),
        summary=(
            "Cinq expérimentations de la vague 2024 ont été évaluées par les expérimentateurs, "
            "les communes d'accueil et les chefs de projet de Paris&Co."
        ),
        summary_en=(
            "Five experimentations of the 2024 wave were assessed by the experimenters, the "
            "host municipalities and Paris&Co's project managers."
        ),
    )
    campaigns.seed_grid(campaign)
    campaigns.cover(campaign, cohort)
    assessments = campaign.assessments.select_related(
        "experimentation__application__applicant__organisation", "experimentation__district"
    ).order_by("experimentation__application__reference")
    for index, (assessment, plan) in enumerate(zip(assessments, COHORT, strict=False)):
        _assess(campaign, assessment, plan, index, staff)
    first = assessments.first()
    campaigns.extend(
        first,
        Party.EXPERIMENTER,
        closes_at=_at(today + timedelta(days=10), 23, 59, 59),
        reason="Les relevés du dernier trimestre arrivent à la fin du mois.",
        by=staff,
    )
    _questionnaire(campaign, assessments)
    campaign.published_at = timezone.now()
    campaign.save(update_fields=["published_at"])
    return campaign


def _assess(campaign, assessment, plan, index, staff):
    scores, unsubmitted, outcome, details = plan
    experimentation = assessment.experimentation
    start_protocol(assessment)
    assessment.outcome, assessment.outcome_details = outcome, details
    assessment.jobs_created = 3 - index % 3
    assessment.users_reached = 400 + 150 * index
    if outcome == Outcome.COMMERCIALISED:
        assessment.contracts, assessment.contracts_amount = 3, 42_000
        assessment.funds_raised = 150_000
    assessment.save()
    people = {
        Party.EXPERIMENTER: experimentation.application.applicant.organisation.owner(),
        Party.MUNICIPALITY: _municipal_officer(experimentation) or staff,
        Party.MANAGER: staff,
    }
    for party, base in zip(Party, scores, strict=True):
        side = grid.side_for(assessment, party)
        for position, answer in enumerate(side.answers.select_related("criterion")):
            answer.score = max(1, min(answer.criterion.scale_max, base - (position % 3 == 2)))
            answer.justification = JUSTIFICATIONS[answer.score]
            answer.save()
        if party != Party.EXPERIMENTER:
            side.protocol_comment = "Des relevés réguliers et partagés ; méthode claire."
            side.save(update_fields=["protocol_comment"])
        if party not in unsubmitted:
            moment = campaign.closes_at - timedelta(days=10 - index, hours=_party_hours(party))
            grid.submit(side, by=people[party], now=moment)


def _party_hours(party):
    return {Party.EXPERIMENTER: 37, Party.MUNICIPALITY: 9, Party.MANAGER: 7}[party]


def _municipal_officer(experimentation):
    membership = (
        Membership.objects.confirmed()
        .filter(applicant__commune=experimentation.district.commune_id)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def _questionnaire(campaign, assessments):
    """Four organisations and the municipalities hosting the districts answered."""
    respondents = [a.experimentation.application.applicant for a in assessments][1:5]
    communes = {a.experimentation.district.commune_id for a in assessments}
    memberships = Membership.objects.confirmed().filter(applicant__commune__in=communes)
    respondents += list({m.applicant for m in memberships.select_related("applicant")})
    for index, applicant in enumerate(respondents):
        support, training, network, worked = FEEDBACK[index % len(FEEDBACK)]
        ProgrammeFeedback.objects.get_or_create(
            campaign=campaign,
            applicant=applicant,
            defaults={
                "support": support,
                "training": training,
                "network": network,
                "worked_well": worked,
                "to_change": "Plus de temps entre la sélection et le déploiement.",
                "submitted_at": campaign.closes_at - timedelta(days=5),
            },
        )

"""A campaign's grid, the experimentations it covers, and each party's deadline.

The deadline rule is the calls': a side can be submitted from ``opens_at`` up to and
including the party's close, to the second. The party's close is the campaign's, or the
latest extension staff granted that party of that assessment, recorded with its reason.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qmi.tasks import send_message

from ..models import (
    Assessment,
    AssessmentExtension,
    AssessmentSide,
    GridAxis,
    GridCriterion,
    Party,
)
from .parties import emails_of

# The common grid as the campaign starts with it; staff edit it in the admin.
DEFAULT_GRID = [
    (
        ("Efficacité", "Efficacy"),
        [
            (
                ("Atteinte des objectifs", "Objectives reached"),
                (
                    "La solution a-t-elle produit les effets attendus dans le quartier\u202f?",
                    "Did the solution produce the expected effects in the district?",
                ),
            ),
            (
                ("Usages et bénéficiaires", "Use and beneficiaries"),
                (
                    "Les usagers visés l'ont-ils adoptée, et dans quelle mesure\u202f?",
                    "Did the intended users adopt it, and how far?",
                ),
            ),
        ],
    ),
    (
        ("Faisabilité", "Feasibility"),
        [
            (
                ("Déploiement technique", "Technical deployment"),
                (
                    "Le déploiement s'est-il fait comme prévu, sans difficulté bloquante\u202f?",
                    "Did the deployment go as planned, without blocking difficulties?",
                ),
            ),
            (
                ("Coopération des acteurs", "Cooperation of the parties"),
                (
                    "La commune, l’expérimentateur et leurs partenaires ont-ils coopéré\u202f?",
                    "Did the municipality, the experimenter and their partners work together well?",
                ),
            ),
        ],
    ),
    (
        ("Pérennité et passage à l'échelle", "Durability and scalability"),
        [
            (
                ("Modèle économique", "Business model"),
                (
                    "La solution peut-elle vivre sans le soutien du programme\u202f?",
                    "Can the solution live without the programme's support?",
                ),
            ),
            (
                ("Réplicabilité", "Replicability"),
                (
                    "Peut-elle être déployée dans d'autres quartiers ou communes\u202f?",
                    "Can it be deployed in other districts or municipalities?",
                ),
            ),
        ],
    ),
]


def seed_grid(campaign):
    """Give ``campaign`` the default grid, unless it has axes already (idempotent)."""
    if campaign.axes.exists():
        return
    for position, ((title, title_en), criteria) in enumerate(DEFAULT_GRID, start=1):
        axis = GridAxis.objects.create(
            campaign=campaign, title=title, title_en=title_en, position=position
        )
        GridCriterion.objects.bulk_create(
            GridCriterion(
                axis=axis,
                title=name,
                title_en=name_en,
                help=help_fr,
                help_en=help_en,
                position=index,
            )
            for index, ((name, name_en), (help_fr, help_en)) in enumerate(criteria, start=1)
        )


def cover(campaign, experimentations):
    """Assess ``experimentations`` in ``campaign`` (idempotent), each with its three sides
    still empty; the new assessments."""
    have = set(campaign.assessments.values_list("experimentation_id", flat=True))
    new = Assessment.objects.bulk_create(
        Assessment(campaign=campaign, experimentation_id=pk)
        for pk in experimentations.values_list("pk", flat=True)
        if pk not in have
    )
    AssessmentSide.objects.bulk_create(
        AssessmentSide(assessment=assessment, party=party) for assessment in new for party in Party
    )
    return new


def closes_at_for(assessment, party):
    """When ``party``'s side of ``assessment`` closes: the campaign's close or the latest
    extension granted to that party."""
    extensions = [e.closes_at for e in _extensions(assessment) if e.party == party]
    return max([assessment.campaign.closes_at, *extensions])


def _extensions(assessment):
    return list(assessment.extensions.all())  # prefetched by the lists


def is_open_for(assessment, party, now=None):
    """True from the campaign's opening up to and including the party's close."""
    now = now or timezone.now()
    return assessment.campaign.opens_at <= now <= closes_at_for(assessment, party)


def extend(assessment, party, *, closes_at, reason, by):
    """Grant ``party`` of ``assessment`` a later close, recorded with its reason; the party is
    told by e-mail after the commit."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the close is extended.")})
    if closes_at <= closes_at_for(assessment, party):
        raise ValidationError({"closes_at": _("The new close must be later than the current one.")})
    extension = AssessmentExtension.objects.create(
        assessment=assessment, party=party, closes_at=closes_at, reason=reason, granted_by=by
    )
    transaction.on_commit(lambda: send_message.delay("assessment_extended", extension.pk))
    return extension


def extension_notice(extension_id):
    """The e-mail telling a party its close was extended (``qmi.tasks.send_message``)."""
    extension = (
        AssessmentExtension.objects.select_related(
            "assessment__campaign",
            "assessment__experimentation__application__project",
            "assessment__experimentation__district",
        )
        .filter(pk=extension_id)
        .first()
    )
    if extension is None:
        return None
    recipients = emails_of(extension.assessment, extension.party)
    return (
        "assessment_extended",
        recipients,
        {"extension": extension, "url": side_url(extension.assessment, extension.party)},
    )


def side_url(assessment, party):
    return reverse("evaluation:assessment_side", kwargs={"pk": assessment.pk, "party": party})

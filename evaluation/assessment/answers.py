"""Every answer of a campaign as an XLSX workbook, a sheet per kind of answer: the grid (a row
per experimentation, side submitted and criterion), the sides, the protocols' indicators with
their achievement, the outcomes and the programme questionnaire. Written by the portal's one
spreadsheet writer (formula-safe, streamed) as an export job of subject ``"assessment"``
(``report.register``); read in streamed queries, whatever the number of experimentations.

Only what was submitted is given, as in the results; the sides sheet lists every side with
when it was submitted, so the ones missing show.
"""

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from calls.interfaces import exports
from calls.interfaces.spreadsheets import write_xlsx_sheets

from ..models import (
    Assessment,
    AssessmentCampaign,
    AssessmentSide,
    GridAnswer,
    Outcome,
    Party,
    ProgrammeFeedback,
    ProtocolIndicator,
)
from .protocol import achievement

HEARTBEATS = 20  # progress written at most this many times
EXP = "experimentation__"
WHO = [f"{EXP}application__reference", f"{EXP}application__project__title", f"{EXP}district__name"]
ORDER = [f"{EXP}district__name", f"{EXP}application__reference"]


def campaign_of(job):
    return AssessmentCampaign.objects.select_related("edition").get(pk=job.filters["campaign"])


def filename(campaign, suffix):
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"qmi-{slugify(campaign.title)[:50] or 'bilan'}-{stamp}.{suffix}"


def build_xlsx(job, ids, fh):
    """The workbook of the job's campaign into ``fh``: its assessments are ``ids`` (what
    ``report.assessments_in_scope`` gave), read by campaign in streamed queries."""
    campaign = campaign_of(job)
    assessments = Assessment.objects.filter(campaign=campaign)
    write_xlsx_sheets(
        [
            (_("Grid"), _grid_rows(assessments)),
            (_("Sides"), _side_rows(assessments)),
            (_("Indicators"), _indicator_rows(assessments)),
            (_("Outcomes"), _outcome_rows(job, assessments)),
            (_("Questionnaire"), _feedback_rows(campaign)),
        ],
        fh,
    )
    return filename(campaign, "xlsx")


def _who(prefix=""):
    return [prefix + field for field in WHO]


def _order(prefix=""):
    return [prefix + field for field in ORDER]


def _who_headers():
    return [_("Reference"), _("Project"), _("District")]


def _when(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _labels(choices):
    return {value: str(label) for value, label in choices}


def _english(text, text_en):
    return text_en if text_en and (get_language() or "fr").startswith("en") else text


def _grid_rows(assessments):
    """A row per experimentation, side submitted and criterion, with its justification."""
    yield [
        *_who_headers(),
        _("Party"),
        _("Axis"),
        _("Criterion"),
        _("Score"),
        _("Out of"),
        _("Justification"),
    ]
    parties = _labels(Party.choices)
    answers = (
        GridAnswer.objects.filter(
            side__assessment__in=assessments, side__submitted_at__isnull=False
        )
        .order_by(
            *_order("side__assessment__"),
            "side__party",
            "criterion__axis__position",
            "criterion__axis_id",
            "criterion__position",
            "criterion_id",
        )
        .values_list(
            *_who("side__assessment__"),
            "side__party",
            "criterion__axis__title",
            "criterion__axis__title_en",
            "criterion__title",
            "criterion__title_en",
            "score",
            "criterion__scale_max",
            "justification",
        )
    )
    for ref, project, district, party, axis, axis_en, name, name_en, *rest in answers.iterator(
        chunk_size=2000
    ):
        yield [
            ref,
            project,
            district,
            parties.get(party, party),
            _english(axis, axis_en),
            _english(name, name_en),
            *rest,
        ]


def _side_rows(assessments):
    """A row per side, submitted or not, with its comment on the protocol once submitted."""
    yield [*_who_headers(), _("Party"), _("Submitted at"), _("Submitted by"), _("Comment")]
    parties = _labels(Party.choices)
    sides = (
        AssessmentSide.objects.filter(assessment__in=assessments)
        .order_by(*_order("assessment__"), "party")
        .values_list(
            *_who("assessment__"),
            "party",
            "submitted_at",
            "submitted_by__email",
            "protocol_comment",
        )
    )
    for ref, project, district, party, at, by, comment in sides.iterator(chunk_size=2000):
        yield [
            ref,
            project,
            district,
            parties.get(party, party),
            _when(at),
            by or "",
            comment if at else "",
        ]


def _indicator_rows(assessments):
    """A row per indicator of the protocols whose experimenter submitted its side."""
    yield [
        *_who_headers(),
        _("Indicator"),
        _("Unit"),
        _("Baseline"),
        _("Target"),
        _("Value measured"),
        _("Achievement (%)"),
        _("Achievement"),
        _("How it is measured"),
        _("How often"),
        _("Source"),
    ]
    sources = _labels(ProtocolIndicator.Source.choices)
    indicators = (
        ProtocolIndicator.objects.filter(
            assessment__in=assessments,
            assessment__sides__party=Party.EXPERIMENTER,
            assessment__sides__submitted_at__isnull=False,
        )
        .select_related(*[f"assessment__{EXP}{f}" for f in ("district", "application__project")])
        .order_by(*_order("assessment__"), "position", "pk")
    )
    for indicator in indicators.iterator(chunk_size=2000):
        experimentation = indicator.assessment.experimentation
        reached = achievement(indicator)
        yield [
            *_who_values(experimentation),
            indicator.name,
            indicator.unit,
            indicator.baseline,
            indicator.target,
            indicator.measured,
            reached.percent,
            str(reached.label),
            indicator.method,
            indicator.frequency,
            sources.get(indicator.source, indicator.source),
        ]


def _who_values(experimentation):
    application = experimentation.application
    project = getattr(application, "project", None)
    return [application.reference, project.title if project else "", experimentation.district.name]


def _outcome_rows(job, assessments):
    """A row per experimentation: what became of its solution, once its experimenter
    submitted; the progress of the job counts them."""
    yield [
        *_who_headers(),
        _("Experimenter's side submitted"),
        _("What became of the solution"),
        _("Details"),
        _("Contracts signed"),
        _("Amount of the contracts (€)"),
        _("Jobs created"),
        _("Funds raised (€)"),
        _("Users reached"),
    ]
    outcomes = _labels(Outcome.choices)
    filed = set(
        AssessmentSide.objects.filter(
            assessment__in=assessments, party=Party.EXPERIMENTER, submitted_at__isnull=False
        ).values_list("assessment_id", flat=True)
    )
    rows = assessments.order_by(*ORDER).values_list(
        "pk",
        *WHO,
        "outcome",
        "outcome_details",
        "contracts",
        "contracts_amount",
        "jobs_created",
        "funds_raised",
        "users_reached",
    )
    total = assessments.count()
    step = max(1, -(-total // HEARTBEATS))
    for done, (pk, ref, project, district, outcome, *figures) in enumerate(
        rows.iterator(chunk_size=2000), start=1
    ):
        told = pk in filed
        yield [
            ref,
            project,
            district,
            _("yes") if told else _("no"),
            outcomes.get(outcome, "") if told else "",
            *(figures if told else [""] * len(figures)),
        ]
        if done % step == 0 or done == total:
            exports.heartbeat(job, done)


def _feedback_rows(campaign):
    """A row per questionnaire on the programme submitted."""
    yield [
        _("Respondent"),
        _("The support of Paris&Co"),
        _("The training days"),
        _("The network of the programme"),
        _("What worked well"),
        _("What to change"),
        _("Submitted at"),
    ]
    answers = (
        ProgrammeFeedback.objects.filter(campaign=campaign, submitted_at__isnull=False)
        .order_by("applicant__name", "pk")
        .values_list(
            "applicant__name",
            "support",
            "training",
            "network",
            "worked_well",
            "to_change",
            "submitted_at",
        )
    )
    for *values, at in answers.iterator(chunk_size=2000):
        yield [*values, _when(at)]

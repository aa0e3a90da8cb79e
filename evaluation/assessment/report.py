"""The programme report of a campaign (PDF) and every answer of it (XLSX), built by the portal's
export jobs (``calls.interfaces.exports``, subject ``"assessment"``) with their progress page.

The PDF: a cover, the key figures, the charts with their data (``charts.all_charts``), a page
per district (its experimentations and their mean scores by axis), a page per experimentation
(its protocol with the achievement computed, the grid from the sides submitted, its outcome)
and the annexes (the grid itself, the method). Bookmarks for each of them. It is rendered in
chunks — the front matter, each district, its experimentations a few at a time, the annexes,
each its own WeasyPrint document with the bundled fonts and the restricted fetcher — appended
to the output as they come (``pdfmerge.StreamingPdfWriter``), so memory stays flat whatever the
number of experimentations; the progress counts experimentations.

Only what was submitted counts, as in the results (``aggregates``). Staff only.
"""

import gc
import re
from decimal import ROUND_HALF_UP, Decimal
from itertools import groupby

from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Prefetch
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from calls.interfaces import export_requests, exports
from calls.interfaces.documents import render_pdf, static_url
from calls.interfaces.pdfmerge import StreamingPdfWriter
from calls.models import ExportJob

from ..models import (
    Assessment,
    AssessmentSide,
    GridAnswer,
    Outcome,
    Party,
)
from . import aggregates, charts
from .aggregates import LEVELS
from .answers import build_xlsx, campaign_of, filename
from .grid import GAP, criteria_of, gaps
from .protocol import LEVEL_LABELS, achievement

SUBJECT = "assessment"
FORMATS = (ExportJob.Format.PDF, ExportJob.Format.XLSX)
CHUNK = 4  # experimentations per WeasyPrint document: what bounds the memory of a render
CHARTS = 2  # charts per document
PARTIES = list(Party)
DASHBOARD = "admin:evaluation_assessmentcampaign_dashboard"
FONT_FAMILY = re.compile(r"font-family:[^;}\"]*")


def may_request(user):
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def request_report(campaign, user, format):
    """Ask for the report of ``campaign`` (``ExportJob.Format.PDF``) or its answers (``XLSX``):
    the job, built in the background after the commit. Staff only (``PermissionDenied``)."""
    if not may_request(user):
        raise PermissionDenied(_("Only Paris&Co staff export the assessment."))
    if format not in FORMATS:
        raise ValueError(f"no {format!r} report")
    return export_requests.request_export(
        user,
        format=format,
        filters={"campaign": campaign.pk},
        description=str(campaign),
        subject=SUBJECT,
    )


def register():
    """Let export jobs build the assessment's report (``EvaluationConfig.ready``)."""
    exports.register_subject(
        SUBJECT,
        items=assessments_in_scope,
        builders={ExportJob.Format.PDF: build_pdf, ExportJob.Format.XLSX: build_xlsx},
        noun=gettext_lazy("{done} of {total} experimentations"),
        empty=gettext_lazy("No experimentation is assessed in this campaign."),
        filters=lambda filters: {"campaign": int(filters["campaign"])},
        titles={
            ExportJob.Format.PDF: gettext_lazy("Programme report (PDF)"),
            ExportJob.Format.XLSX: gettext_lazy("Every answer of the assessment (XLSX)"),
        },
        again=dashboard_url,
    )


def dashboard_url(job):
    """The campaign's dashboard, where staff ask for another report ("" without one)."""
    try:
        return reverse(DASHBOARD, args=[(job.filters or {}).get("campaign")])
    except NoReverseMatch:
        return ""


def assessments_in_scope(job):
    """The assessments of the job's campaign, by district then reference; none unless its
    requester is (still) staff."""
    if not may_request(job.requested_by):
        return []
    return (
        Assessment.objects.filter(campaign_id=(job.filters or {}).get("campaign"))
        .order_by(
            "experimentation__district__name",
            "experimentation__district_id",
            "experimentation__application__reference",
        )
        .values_list("pk", flat=True)
    )


# --- PDF --------------------------------------------------------------------------------------


def css_string(text):
    """``text`` as a CSS string, safe inside a ``<style>`` element."""
    text = " ".join(str(text).split())
    for char, escaped in (("\\", "\\\\"), ('"', '\\"'), ("<", "\\3C "), (">", "\\3E ")):
        text = text.replace(char, escaped)
    return mark_safe(f'"{text}"')  # noqa: S308 — escaped above


def _pdf_chart(chart):
    """The chart with the report's bundled fonts in place of the web page's."""
    svg = FONT_FAMILY.sub("font-family:'QMI Sans','QMI Symbols',sans-serif", str(chart.svg))
    chart.svg = mark_safe(svg)  # noqa: S308 — drawn by pygal, only the font changed
    return chart


class Renderer:
    """Renders the report's chunks, each numbering its pages from where the last one ended."""

    def __init__(self, campaign, writer):
        self.campaign = campaign
        self.writer = writer
        self.axes = list(campaign.axes.order_by("position", "pk"))
        self.criteria = criteria_of(campaign)
        self.common = {
            "campaign": campaign,
            "edition": campaign.edition,
            "axes": self.axes,
            "language": get_language(),
            "static": static_url(),
            "running": css_string(f"{campaign.edition} · {campaign.localized_title}"),
        }

    def add(self, template, parent=None, **context):
        """Render ``template`` and append it; its bookmarks go under ``parent``. Returns the
        last top bookmark."""
        html = render_to_string(
            f"evaluation/pdf/{template}",
            {**self.common, **context, "first_page": self.writer.page_count + 1},
        )
        pdf, _pages = render_pdf(html)
        self.writer.add(pdf, parent=parent)
        del html, pdf
        # A rendered document is a web of cycles: freed now rather than when the collector
        # next runs, so the memory of the build is one chunk's, whatever came before.
        gc.collect()
        return self.writer.outline[-1] if self.writer.outline else None

    def front(self):
        """The cover and the key figures, then the charts two a document under their own
        bookmark (the chart of the districts grows with them)."""
        results = aggregates.results(self.campaign)
        self.add(
            "report_front.html",
            results=results,
            sides=[(Party(p).label, results.sides_submitted.get(p, 0)) for p in PARTIES],
            outcomes=[(o.label, results.outcomes[o]) for o in Outcome],
            achievement=[(LEVEL_LABELS[level], results.achievement[level]) for level in LEVELS],
            issued_at=timezone.now(),
        )
        drawn = [_pdf_chart(c) for c in charts.all_charts(results)]
        node = self.add("report_charts.html", charts=drawn[:CHARTS], first=True)
        for start in range(CHARTS, len(drawn), CHARTS):
            self.add("report_charts.html", parent=node, charts=drawn[start : start + CHARTS])

    def district(self, ids):
        """The district's page: its experimentations and their mean scores by axis."""
        assessments = list(
            Assessment.objects.filter(pk__in=ids)
            .select_related(*EXPERIMENTATION)
            .order_by("experimentation__application__reference")
        )
        means = _means(ids)
        rows = [
            (a, _title(a), [means.get((a.pk, axis.pk)) for axis in self.axes]) for a in assessments
        ]
        district = assessments[0].experimentation.district
        return self.add("report_district.html", district=district, rows=rows)

    def experimentations(self, ids, parent):
        pages = [_page(a, self.criteria) for a in _assessments(ids)]
        self.add("report_experimentations.html", parent=parent, pages=pages)

    def annexes(self):
        axes = [(axis, [c for c in self.criteria if c.axis_id == axis.pk]) for axis in self.axes]
        self.add("report_annexes.html", grid=axes, gap=GAP, parties=[p.label for p in Party])


def build_pdf(job, ids, fh):
    """The programme report of the job's campaign, a district after the other."""
    campaign = campaign_of(job)
    title = _("Programme report — %(campaign)s") % {"campaign": campaign}
    writer = StreamingPdfWriter(fh, title=title)
    renderer = Renderer(campaign, writer)
    renderer.front()
    district_of = dict(
        Assessment.objects.filter(campaign=campaign).values_list(
            "pk", "experimentation__district_id"
        )
    )
    done = 0
    for _district, group in groupby(ids, key=district_of.get):
        group = list(group)
        node = renderer.district(group)
        for start in range(0, len(group), CHUNK):
            chunk = group[start : start + CHUNK]
            renderer.experimentations(chunk, node)
            done += len(chunk)
            exports.heartbeat(job, done)
    renderer.annexes()
    writer.close()
    return filename(campaign, "pdf")


EXPERIMENTATION = (
    "experimentation__district__commune",
    "experimentation__application__applicant",
    "experimentation__application__project",
)


def _title(assessment):
    """The project's title ("" when it has none)."""
    project = getattr(assessment.experimentation.application, "project", None)
    return project.title if project else ""


def _assessments(ids):
    """The assessments of ``ids`` in that order, with the sides submitted and their answers."""
    submitted = AssessmentSide.objects.filter(submitted_at__isnull=False).prefetch_related(
        Prefetch("answers", queryset=GridAnswer.objects.select_related("criterion"))
    )
    rows = (
        Assessment.objects.filter(pk__in=ids)
        .select_related(*EXPERIMENTATION)
        .prefetch_related(Prefetch("sides", queryset=submitted, to_attr="submitted"), "indicators")
    )
    by_id = {a.pk: a for a in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


def round_mean(value):
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _means(ids):
    """{(assessment id, axis id): mean score of the sides submitted, to a tenth}."""
    rows = (
        GridAnswer.objects.filter(
            side__assessment_id__in=ids, side__submitted_at__isnull=False, score__isnull=False
        )
        .values("side__assessment_id", "criterion__axis_id")
        .annotate(mean=Avg("score"))
        .order_by()
    )
    return {
        (r["side__assessment_id"], r["criterion__axis_id"]): round_mean(r["mean"]) for r in rows
    }


def _page(assessment, criteria):
    """What an experimentation's page shows: the grid from each side submitted, criterion by
    criterion (gaps flagged), the protocol and the outcome once the experimenter submitted."""
    sides = {side.party: side for side in assessment.submitted}
    parties = [p for p in PARTIES if p in sides]
    answers = {(p, a.criterion_id): a for p in parties for a in sides[p].answers.all()}
    grid = []
    for criterion in criteria:
        given = [(Party(p).label, answers.get((p, criterion.pk))) for p in parties]
        scores = {p: getattr(answers.get((p, criterion.pk)), "score", None) for p in parties}
        grid.append({"criterion": criterion, "answers": given, "gap": gaps(scores)})
    filed = Party.EXPERIMENTER in sides
    return {
        "assessment": assessment,
        "experimentation": assessment.experimentation,
        "title": _title(assessment),
        "submitted": [Party(p).label for p in parties],
        "missing": [Party(p).label for p in PARTIES if p not in sides],
        "grid": grid,
        "filed": filed,
        "indicators": [(i, achievement(i)) for i in assessment.indicators.all()] if filed else [],
        "comments": [
            (Party(p).label, sides[p].protocol_comment)
            for p in parties
            if sides[p].protocol_comment.strip()
        ],
    }

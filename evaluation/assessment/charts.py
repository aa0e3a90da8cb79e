"""The charts of a campaign's results, drawn on the server as SVG by pygal, so the same chart
appears on the staff dashboard, on the public page and in the programme report. Each chart
comes with its data as a table: the accessible alternative, shown under it.

No script is embedded (pygal's tooltips are left out): the SVG is plain drawing, safe to
inline in a page under the portal's policy and in WeasyPrint.
"""

from dataclasses import dataclass
from xml.etree import ElementTree

import pygal
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from pygal.style import Style

from ..models import Outcome, Party, PublicChart
from .aggregates import LEVELS, PARTIES, RATINGS
from .protocol import LEVEL_LABELS

# Colours distinguishable by people with a colour vision deficiency (Okabe–Ito), dark enough
# against white for the bars' edges; every value is also in the table under the chart.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")

STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#212529",
    foreground_strong="#212529",
    foreground_subtle="#6c757d",
    font_family="'Source Sans 3', 'DejaVu Sans', sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=13,
    title_font_size=16,
    value_font_size=12,
    colors=PALETTE,
)


@dataclass
class Chart:
    key: str
    title: str
    svg: str  # safe markup
    headers: list
    rows: list  # [[label, value, ...]]


# The axes of the grid get other colours than the parties, so that a colour means one thing
AXIS_STYLE = Style(**{**STYLE.to_dict(), "colors": PALETTE[3:] + PALETTE[:3]})


def _config(chart, title, *, style=STYLE, **options):
    """A chart without its own title (the page's caption names it) and with values written
    as the page's language writes numbers."""
    drawn = chart(
        style=style,
        width=720,
        height=360,
        js=[],
        disable_xml_declaration=True,
        explicit_size=True,
        print_values=True,
        legend_at_bottom=True,
        truncate_legend=-1,
        truncate_label=-1,
        formatter=lambda value: "" if value is None else number_format(value),
        no_data_text=_("No data yet"),
        **options,
    )
    drawn.accessible_name = title
    return drawn


def _counts(values):
    """Whole-number ticks for a chart of counts."""
    top = max([*values, 1])
    step = max(1, -(-top // 5))
    return {"range": (0, top), "y_labels": list(range(0, top + step, step))}


def _svg(chart):
    """The chart's SVG without pygal's configuration script: plain drawing."""
    tree = chart.render_tree()
    for parent in list(tree.iter()):
        for child in list(parent):
            script = isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1] == "script"
            tooltip = "tooltip" in child.attrib.get("class", "")  # the script's, hidden
            if script or tooltip:
                parent.remove(child)
            elif "id" in child.attrib:  # the script's hooks: the same in every chart of a page
                del child.attrib["id"]
    # An image named by its title; its values are in the table that follows it
    tree.set("role", "img")
    tree.set("aria-label", str(chart.accessible_name))
    markup = ElementTree.tostring(tree, encoding="unicode")
    return mark_safe(markup)  # noqa: S308 — drawn by pygal, which escapes the labels


def _number(value):
    """A mean as the page's language writes it (3,5 in French), or a dash."""
    return "—" if value is None else number_format(value)


def _party_labels():
    return [str(Party(p).label) for p in PARTIES]


def scores_by_axis(results):
    title = _("Scores of the grid by axis and party (mean, 1 to 5)")
    chart = _config(pygal.Bar, title, range=(0, 5), y_labels=list(range(6)))
    chart.x_labels = [axis.localized_title for axis in results.axes]
    for party, label in zip(PARTIES, _party_labels(), strict=True):
        chart.add(
            label, [_float(results.by_axis.get(axis.pk, {}).get(party)) for axis in results.axes]
        )
    rows = [
        [axis.localized_title, *[_number(results.by_axis.get(axis.pk, {}).get(p)) for p in PARTIES]]
        for axis in results.axes
    ]
    return Chart("axes", title, _svg(chart), [_("Axis"), *_party_labels()], rows)


def scores_by_district(results):
    title = _("Scores of the grid by district (mean of the three parties)")
    districts = sorted(results.by_district)
    chart = _config(pygal.HorizontalBar, title, style=AXIS_STYLE, range=(0, 5))
    chart.x_labels = districts
    for axis in results.axes:
        chart.add(
            axis.localized_title, [_float(results.by_district[d].get(axis.pk)) for d in districts]
        )
    rows = [
        [d, *[_number(results.by_district[d].get(a.pk)) for a in results.axes]] for d in districts
    ]
    return Chart(
        "districts",
        title,
        _svg(chart),
        [_("District"), *[a.localized_title for a in results.axes]],
        rows,
    )


def spread(results):
    title = _("Spread between the parties (mean gap between the highest and lowest score)")
    chart = _config(pygal.Bar, title, range=(0, 4), show_legend=False)
    chart.x_labels = [axis.localized_title for axis in results.axes]
    chart.add(_("Mean gap"), [_float(results.spread.get(axis.pk)) for axis in results.axes])
    rows = [[axis.localized_title, _number(results.spread.get(axis.pk))] for axis in results.axes]
    return Chart("spread", title, _svg(chart), [_("Axis"), _("Mean gap")], rows)


def achievement(results):
    title = _("Achievement of the protocols' indicators")
    counts = [results.achievement[level] for level in LEVELS]
    chart = _config(pygal.HorizontalBar, title, show_legend=False, **_counts(counts))
    labels = [str(LEVEL_LABELS[level]) for level in LEVELS]
    chart.x_labels = labels
    chart.add(_("Indicators"), counts)
    rows = [
        [label, results.achievement[level]] for label, level in zip(labels, LEVELS, strict=True)
    ]
    return Chart("achievement", title, _svg(chart), [_("Achievement"), _("Indicators")], rows)


def outcomes(results):
    title = _("What became of the solutions")
    counts = [results.outcomes[o] for o in Outcome]
    chart = _config(pygal.HorizontalBar, title, show_legend=False, **_counts(counts))
    chart.x_labels = [str(o.label) for o in Outcome]
    chart.add(_("Experimentations"), counts)
    rows = [[str(o.label), results.outcomes[o]] for o in Outcome]
    return Chart("outcomes", title, _svg(chart), [_("Outcome"), _("Experimentations")], rows)


def satisfaction(results):
    title = _("Satisfaction with the programme (mean, 1 to 5)")
    labels = [_("Paris&Co support"), _("Training days"), _("Network")]
    chart = _config(pygal.Bar, title, range=(0, 5), y_labels=list(range(6)), show_legend=False)
    chart.x_labels = labels
    chart.add(_("Mean"), [_float(results.satisfaction.get(r)) for r in RATINGS])
    rows = [
        [label, _number(results.satisfaction.get(r))]
        for label, r in zip(labels, RATINGS, strict=True)
    ]
    return Chart("satisfaction", title, _svg(chart), [_("Subject"), _("Mean")], rows)


def _float(value):
    return None if value is None else float(value)


DRAWERS = {
    PublicChart.AXES: scores_by_axis,
    PublicChart.DISTRICTS: scores_by_district,
    PublicChart.SPREAD: spread,
    PublicChart.ACHIEVEMENT: achievement,
    PublicChart.OUTCOMES: outcomes,
    PublicChart.SATISFACTION: satisfaction,
}


def all_charts(results, keys=None):
    """The charts of ``results`` (every one, or those of ``keys``), in the order the
    dashboard, the report and the public summary show them."""
    return [draw(results) for key, draw in DRAWERS.items() if keys is None or key in keys]

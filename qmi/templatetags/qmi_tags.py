"""Template helpers of the portal: bilingual content, Paris time, time left, call state and
Bootstrap rendering of form widgets that keeps Django's accessibility attributes."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django import template
from django.forms import BoundField
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timesince import TIME_STRINGS
from django.utils.translation import gettext as _

from qmi.i18n import localized as _localized

register = template.Library()

PARIS = ZoneInfo("Europe/Paris")
DATE_FORMAT = "j F Y"  # "12 janvier 2024" / "12 January 2024"
TIME_FORMAT = "H:i"


@register.filter
def with_nonce(markup, nonce):
    """``{{ svg|with_nonce:request.csp_nonce }}``: the ``<style>`` elements of trusted markup
    (a chart drawn by the portal) carry the response's Content-Security-Policy nonce."""
    nonce = "" if nonce is None else str(nonce)  # django-csp's nonce is falsy until read
    if not nonce:
        return markup
    return mark_safe(  # noqa: S308 — the markup was safe, the nonce is the portal's own
        str(markup).replace("<style", f'<style nonce="{escape(nonce)}"')
    )


@register.filter
def localized(obj, field):
    """``{{ call|localized:"title" }}``: the English text on English pages when there is one."""
    if obj is None:
        return ""
    return _localized(obj, field)


def _in_paris(value):
    if isinstance(value, datetime) and timezone.is_aware(value):
        return value.astimezone(PARIS)
    return value


@register.filter
def paris_date(value):
    """A date (or the Paris date of a datetime) in words: "12 janvier 2024"."""
    if not value:
        return ""
    return date_format(_in_paris(value), DATE_FORMAT)


@register.filter
def paris_time(value):
    if not value:
        return ""
    return date_format(_in_paris(value), TIME_FORMAT)


@register.filter
def paris_hour(value):
    """An hour in Paris time without a leading zero: "9:00", "12:30"."""
    if not value:
        return ""
    return date_format(_in_paris(value), "G:i")


@register.filter
def paris_datetime(value):
    """An instant in Paris time: "12 janvier 2024 à 12:00" / "12 January 2024 at 12:00"."""
    if not value:
        return ""
    return _("%(date)s at %(time)s") % {"date": paris_date(value), "time": paris_time(value)}


@register.filter
def iso_date(value):
    """The ``datetime`` attribute of a ``<time>`` element for a day."""
    if isinstance(value, datetime):
        value = _in_paris(value).date()
    return value.isoformat() if isinstance(value, date) else ""


def duration_text(delta):
    """Days and hours, or hours and minutes, or minutes: the same words as countdown.js."""
    total = max(int(delta.total_seconds()), 0)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        parts = [("day", days), ("hour", hours)]
    elif hours:
        parts = [("hour", hours), ("minute", minutes)]
    else:
        parts = [("minute", minutes)]
    words = [TIME_STRINGS[unit] % {"num": n} for i, (unit, n) in enumerate(parts) if n or i == 0]
    return _(", ").join(words)


@register.filter
def time_left(value, now=None):
    """Time left before a call closes (``{{ call|time_left }}``) or before a datetime."""
    closes_at = getattr(value, "closes_at", value)
    if not isinstance(closes_at, datetime):
        return ""
    return duration_text(closes_at - (now or timezone.now()))


@register.filter
def call_state(call, now=None):
    """``upcoming``, ``open``, ``closed`` or ``results`` (results published)."""
    now = now or timezone.now()
    if call.results_published_at and call.results_published_at <= now:
        return "results"
    if now < call.opens_at:
        return "upcoming"
    if call.is_open(now):
        return "open"
    return "closed"


@register.filter
def as_bootstrap(bound_field, extra_class=""):
    """Render a form widget with Bootstrap classes.

    Goes through ``BoundField.as_widget`` so Django still adds ``aria-invalid`` and the
    ``aria-describedby`` that points to ``<id>_helptext`` and ``<id>_error``. Placeholders are
    dropped: every field has a visible label.
    """
    if not isinstance(bound_field, BoundField):
        return bound_field
    widget = bound_field.field.widget
    input_type = getattr(widget, "input_type", None)
    if input_type in ("checkbox", "radio"):
        css = "form-check-input"
    elif widget.__class__.__name__ == "Select":
        css = "form-select"
    else:
        css = "form-control"
    if bound_field.errors:
        css += " is-invalid"
    if extra_class:
        css += f" {extra_class}"
    existing = widget.attrs.get("class", "")
    attrs = {"class": f"{existing} {css}".strip(), "placeholder": False}
    return bound_field.as_widget(attrs=attrs)


@register.filter
def widget_type(bound_field):
    """``checkbox``, ``radio``, ``hidden``, ``email``... of a bound field's widget."""
    widget = getattr(getattr(bound_field, "field", None), "widget", None)
    if widget is None:
        return ""
    if widget.is_hidden:
        return "hidden"
    return getattr(widget, "input_type", None) or widget.__class__.__name__.lower()


def _anchor(bound_field):
    """The id the error summary links to: the field, or the first choice of a radio or
    checkbox group (whose ``id_for_label`` is empty)."""
    if bound_field.id_for_label:
        return bound_field.id_for_label
    return f"{bound_field.auto_id}_0" if bound_field.auto_id else ""


@register.simple_tag
def error_summary_entries(form):
    """The lines of a form's error summary, in the order of the page.

    Each is a dict: ``section`` (the title of the form's section holding the field, for a
    form with ``sections()``, so that two "Name" fields can be told apart), ``label``,
    ``anchor`` (the id to link to) and ``message``; a non-field error has only a message.
    """
    if form is None or not form.errors:
        return []
    entries = []
    seen = set()
    sections = form.sections() if callable(getattr(form, "sections", None)) else ()
    for _key, title, fields in sections:
        for bound_field in fields:
            seen.add(bound_field.name)
            for message in bound_field.errors:
                entries.append(
                    {
                        "section": title,
                        "label": bound_field.label,
                        "anchor": _anchor(bound_field),
                        "message": message,
                    }
                )
    for bound_field in form:
        if bound_field.name in seen:
            continue
        for message in bound_field.errors:
            entries.append(
                {
                    "section": "",
                    "label": bound_field.label,
                    "anchor": "" if bound_field.is_hidden else _anchor(bound_field),
                    "message": message,
                }
            )
    entries.extend({"message": message} for message in form.non_field_errors())
    return entries


@register.filter
def reference(value):
    """An application reference ("QMI3-M-0005") that never breaks across lines, even inside
    a translated sentence: ``{% blocktranslate with ref=application.reference|reference %}``."""
    if not value:
        return ""
    return format_html('<span class="qmi-ref">{}</span>', value)

"""The columns of the CSV and XLSX exports: the envelope's, each kind's answers, and those an
upper app registers (``register_column_provider``: the jury's scores, for staff only). Values
that a spreadsheet would read as a formula are neutralised."""

from datetime import datetime

from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.domain.kinds import _REGISTRY, spec_for
from calls.domain.workflow import Status
from calls.models import Application

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

COLUMN_PROVIDERS = []  # function(job, ids) -> [(header, function(application) -> value)]


def register_column_provider(provider):
    """Add columns computed once per export, knowing who asked and which applications (the
    evaluation app adds the jury's scores for staff, in a few queries for the whole table)."""
    COLUMN_PROVIDERS.append(provider)


def neutralise(value):
    """A cell value that a spreadsheet will not run as a formula: text starting with = + - @,
    a tab or a carriage return gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _paris(value):
    """An instant in Paris time, "2024-01-12 12:00:00" (the same in every language)."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _base_columns():
    statuses = {value: str(label) for value, label in Status.choices}
    return [
        (_("Reference"), lambda a: a.reference),
        (_("Call"), lambda a: a.call.localized_title),
        (_("Applicant"), lambda a: a.applicant.name),
        (_("Status"), lambda a: statuses.get(a.status, a.status)),
        (_("Submitted at (Paris time)"), lambda a: _paris(a.submitted_at)),
        (_("Submitted by"), lambda a: a.submitted_by.email if a.submitted_by else ""),
        (_("Fingerprint (SHA-256)"), lambda a: a.fingerprint),
        (_("Attachments"), lambda a: "; ".join(x.original_name for x in a.attachments.all())),
    ]


def _content_columns(kind):
    """A column per answer of the content model of ``kind``, read generically."""
    model = apps.get_model(spec_for(kind).content_model)
    related_name = spec_for(kind).related_name
    columns = []
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name == "application":
            continue
        columns.append((str(field.verbose_name).capitalize(), _reader(related_name, field)))
    related = [(f.verbose_name, f.name) for f in model._meta.many_to_many]
    related += [
        (r.related_model._meta.verbose_name_plural, r.get_accessor_name())
        for r in model._meta.related_objects
        if r.one_to_many
    ]
    for label, accessor in related:
        columns.append(
            (
                str(label).capitalize(),
                lambda a, r=related_name, n=accessor: "; ".join(
                    str(o) for o in getattr(getattr(a, r), n).all()
                ),
            )
        )
    return columns


def _reader(related_name, field):
    """How a column reads one answer; labels and words translated once per export."""
    labels = {value: str(label) for value, label in field.flatchoices} if field.choices else {}
    yes, no = _("yes"), _("no")

    def read(application):
        value = getattr(getattr(application, related_name), field.attname)
        if labels and value not in (None, ""):
            return labels.get(value, value)
        if isinstance(value, bool):
            return yes if value else no
        if isinstance(value, datetime):
            return _paris(value)
        if value is None:
            return ""
        return value if isinstance(value, int | float) else str(value)

    return read


def _kinds_of(ids):
    return list(
        Application.objects.filter(pk__in=ids)
        .order_by("kind")
        .values_list("kind", flat=True)
        .distinct()
    )


def table_columns(ids, job=None):
    columns = _base_columns()
    kinds = [k for k in _kinds_of(ids) if k in _REGISTRY]
    for kind in kinds:
        prefix = f"[{spec_for(kind).kind}] " if len(kinds) > 1 else ""
        for header, read in _content_columns(kind):
            columns.append(
                (prefix + header, lambda a, read=read, kind=kind: read(a) if a.kind == kind else "")
            )
    for provider in COLUMN_PROVIDERS:
        columns.extend(provider(job, ids))
    return columns

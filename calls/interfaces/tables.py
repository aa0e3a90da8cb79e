"""The columns of the CSV and XLSX exports: the envelope's, each kind's answers, and those an
upper app registers (``register_column_provider``: the jury's scores, for staff only). Values
that a spreadsheet would read as a formula are neutralised."""

from datetime import datetime

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
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


def paris_time(value):
    """An instant in Paris time, "2024-01-12 12:00:00" (the same in every language)."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _base_columns():
    statuses = {value: str(label) for value, label in Status.choices}
    return [
        (_("Reference"), lambda a: a.reference),
        (_("Call"), lambda a: a.call.localized_title),
        (_("Applicant"), lambda a: a.applicant.name),
        (_("Status"), lambda a: statuses.get(a.status, a.status)),
        (_("Submitted at (Paris time)"), lambda a: paris_time(a.submitted_at)),
        (_("Submitted by"), lambda a: a.submitted_by.email if a.submitted_by else ""),
        (_("Fingerprint (SHA-256)"), lambda a: a.fingerprint),
        (_("Attachments"), lambda a: "; ".join(x.original_name for x in a.attachments.all())),
    ]


class KindColumn:
    """A column of the answers of one kind: ``read(content)`` reads the answers; called with
    an application, it reads its answers if the application is of that kind, else ""."""

    __slots__ = ("kind", "related_name", "read")

    def __init__(self, kind, related_name, read):
        self.kind, self.related_name, self.read = kind, related_name, read

    def __call__(self, application):
        if application.kind != self.kind:
            return ""
        return self.read(getattr(application, self.related_name))


def _content_columns(kind):
    """A column per answer of the content model of ``kind``, read generically from the
    answers: ``[(header, read(content))]``."""
    model = apps.get_model(spec_for(kind).content_model)
    columns = []
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name == "application":
            continue
        columns.append((str(field.verbose_name).capitalize(), _reader(field)))
    for field in model._meta.many_to_many:  # a few shared targets: their text read once
        label = str(field.verbose_name).capitalize()
        columns.append((label, _list_reader(field.name, field.name, {})))
    for relation in model._meta.related_objects:
        if relation.one_to_many:
            label = str(relation.related_model._meta.verbose_name_plural).capitalize()
            cache_name = relation.field.remote_field.cache_name
            columns.append((label, _list_reader(relation.get_accessor_name(), cache_name)))
    return columns


def _list_reader(accessor, cache_name, memo=None):
    """How a column reads a list of the answers (urban challenges, wishes, team…): what
    ``calls.interfaces.rows`` loaded where ``.all()`` reads it (``cache_name``), each item as
    text."""

    def text(item):
        if memo is None:
            return str(item)
        key = item.pk
        if key not in memo:
            memo[key] = str(item)
        return memo[key]

    def read(content):
        cache = content.__dict__.get("_prefetched_objects_cache") or {}
        items = cache[cache_name] if cache_name in cache else getattr(content, accessor).all()
        return "; ".join(text(item) for item in items)

    return read


def _reader(field):
    """How a column reads one answer; labels and words translated once per export."""
    labels = {value: str(label) for value, label in field.flatchoices} if field.choices else {}
    yes, no = _("yes"), _("no")
    attname = field.attname

    def read(content):
        value = getattr(content, attname)
        if labels and value not in (None, ""):
            return labels.get(value, value)
        if isinstance(value, bool):
            return yes if value else no
        if isinstance(value, datetime):
            return paris_time(value)
        if value is None:
            return ""
        return value if isinstance(value, int | float) else str(value)

    return read


def _kinds_of(ids, scope=None):
    """The kinds of the applications: of ``scope`` (a queryset, asked as a subquery) when
    given, else of ``ids`` (a list bound as parameters: slower by the thousand)."""
    applications = scope if scope is not None else Application.objects.filter(pk__in=ids)
    return list(applications.order_by("kind").values_list("kind", flat=True).distinct())


def table_columns(ids, job=None):
    columns = _base_columns()
    kinds = [k for k in _kinds_of(ids) if k in _REGISTRY]
    for kind in kinds:
        prefix = f"[{spec_for(kind).kind}] " if len(kinds) > 1 else ""
        related_name = spec_for(kind).related_name
        for header, read in _content_columns(kind):
            columns.append((prefix + header, KindColumn(kind, related_name, read)))
    for provider in COLUMN_PROVIDERS:
        columns.extend(provider(job, ids))
    return columns


def row_reader(columns):
    """``read(application)`` → the row of ``columns``, faster than calling each column: the
    answers of the application's kind are found once and read; the other kinds' columns are
    left empty without being asked."""
    width = len(columns)
    plain = [(i, read) for i, (_h, read) in enumerate(columns) if not isinstance(read, KindColumn)]
    by_kind = {}
    for i, (_header, read) in enumerate(columns):
        if isinstance(read, KindColumn):
            by_kind.setdefault(read.kind, (read.related_name, []))[1].append((i, read.read))

    def read_row(application):
        row = [""] * width
        for i, read in plain:
            row[i] = read(application)
        related_name, readers = by_kind.get(application.kind, (None, ()))
        if readers:
            try:
                content = getattr(application, related_name)
            except ObjectDoesNotExist:
                return row
            for i, read in readers:
                row[i] = read(content)
        return row

    return read_row

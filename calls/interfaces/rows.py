"""The applications of a table export, read in a fixed number of queries whatever their number
and in flat memory: one streamed query for the applications (with their call, applicant and
answers), and one streamed query per list they hold (attachments; the answers' many-to-many
and rows: urban challenges, wished districts, team…), each in the same order; the lists are
matched to their application as the streams advance together (a merge join), and put where
``.all()`` reads them, so the columns read an application as they would anywhere else.

Chunked prefetching costs a few queries per hundred applications (372 queries for 5,000);
this costs the same at 10 as at 10,000.
"""

from collections import namedtuple

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import F

from calls.domain.kinds import _REGISTRY
from calls.models import Application, Attachment

CURSOR_ROWS = 500  # rows fetched at a time from each stream
# What the columns read of the envelope, its call, applicant and submitter (the answers are
# read whole): fewer columns to convert, the dates above all.
ENVELOPE = (
    "reference",
    "kind",
    "status",
    "submitted_at",
    "fingerprint",
    "call__title",
    "call__title_en",
    "applicant__name",
    "submitted_by__email",
)


AttachedFile = namedtuple("AttachedFile", "slot original_name size sha256")


def _cache_name(model, accessor):
    """The name under which ``getattr(obj, accessor).all()`` of a ``model`` object reads its
    prefetched rows: a many-to-many field's name, a reverse foreign key's accessor."""
    field = model._meta.get_field(accessor) if accessor in _names(model) else None
    if field is not None and field.many_to_many and not field.auto_created:
        return field.name
    relation = next(r for r in model._meta.related_objects if r.get_accessor_name() == accessor)
    return relation.field.remote_field.cache_name


def _names(model):
    return {f.name for f in model._meta.get_fields()}


def _as_prefetched(instance, name, items):
    """Make the related manager whose prefetch cache is ``name`` answer ``items`` without a
    query (``.all()`` returns them; nothing else is asked of them here)."""
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    cache[name] = items


class _Stream:
    """Rows of one list, ordered as the applications, each tagged with its application's id
    (``_application``, or first in a tuple); ``take(pk)`` answers the rows of application
    ``pk`` (``convert``-ed) and moves on."""

    def __init__(self, queryset, *, convert=None):
        self._rows = queryset.iterator(chunk_size=CURSOR_ROWS)
        self._convert = convert or (lambda row: row)
        self._next = next(self._rows, None)

    @staticmethod
    def _owner(row):
        return row[0] if isinstance(row, tuple) else row._application

    def take(self, pk):
        items = []
        while self._next is not None and self._owner(self._next) == pk:
            items.append(self._convert(self._next))
            self._next = next(self._rows, None)
        return items


def _ordered(queryset, path, model):
    """``queryset`` of ``model`` tagged with the id of its application (at ``path``) and
    ordered as the applications (reference, then id), then as ``model`` orders itself."""
    own = [o for o in model._meta.ordering if isinstance(o, str)]
    return queryset.annotate(_application=F(f"{path}_id")).order_by(
        f"{path}__reference", f"{path}_id", *own, "pk"
    )


def _content_lists(spec, selected):
    """``[(accessor, stream factory)]`` of the lists of the answers of kind ``spec``: its
    many-to-many fields (through rows with their target) and the rows that point to it."""
    model = apps.get_model(spec.content_model)
    content_path = f"{model._meta.get_field('application').name}"
    lists = []
    for field in model._meta.many_to_many:
        through = field.remote_field.through
        source = next(
            f for f in through._meta.concrete_fields if f.related_model is model and f.is_relation
        )
        target = next(
            f
            for f in through._meta.concrete_fields
            if f.is_relation and f.related_model is field.related_model and f is not source
        )
        path = f"{source.name}__{content_path}"
        links = through.objects.filter(**{f"{path}__in": selected})
        # The targets (urban challenges…) are few: read once, shared by every row.
        targets = field.related_model._default_manager.filter(
            pk__in=links.values(target.attname)
        ).in_bulk()
        position = [
            f"{target.name}__{o}"
            for o in field.related_model._meta.ordering
            if isinstance(o, str) and not o.startswith("-")
        ]
        pairs = links.order_by(f"{path}__reference", f"{path}_id", *position, "pk").values_list(
            f"{path}_id", target.attname
        )
        lists.append((field.name, pairs, lambda pair, targets=targets: targets[pair[1]]))
    for relation in model._meta.related_objects:
        if not relation.one_to_many:
            continue
        related = relation.related_model
        fk = relation.field.name
        forward = [
            f.name
            for f in related._meta.concrete_fields
            if f.is_relation and f.many_to_one and f.name != fk
        ]
        rows = related.objects.filter(**{f"{fk}__{content_path}__in": selected})
        if forward:  # (select_related() without names would follow every relation)
            rows = rows.select_related(*forward)
        rows = _ordered(rows, f"{fk}__{content_path}", related)
        lists.append((relation.get_accessor_name(), rows, None))
    return lists


def applications(queryset):
    """The applications of ``queryset`` ordered by reference, each with its call, applicant,
    answers and lists loaded: a generator, in ``1 + number of lists`` queries."""
    selected = queryset.order_by().values("pk")
    related = [spec.related_name for spec in _REGISTRY.values()]
    answers = [
        f"{spec.related_name}__{f.name}"
        for spec in _REGISTRY.values()
        for f in apps.get_model(spec.content_model)._meta.concrete_fields
    ]
    main = (
        Application.objects.filter(pk__in=selected)
        .select_related("call", "applicant", "submitted_by", *related)
        .only(*ENVELOPE, *answers)
        .order_by("reference", "pk")
    )
    # What the table reads of an attachment (its name), without building a model per file.
    attachments = _Stream(
        Attachment.objects.filter(application__in=selected)
        .order_by("application__reference", "application_id", *Attachment._meta.ordering, "pk")
        .values_list("application_id", "slot", "original_name", "size", "sha256"),
        convert=lambda row: AttachedFile(*row[1:]),
    )
    attachments_cache = _cache_name(Application, "attachments")
    by_kind = {}
    for kind, spec in _REGISTRY.items():
        by_kind[kind] = (
            spec.related_name,
            [
                (accessor, _Stream(rows, convert=convert))
                for accessor, rows, convert in _content_lists(spec, selected.filter(kind=kind))
            ],
        )
    for application in main.iterator(chunk_size=CURSOR_ROWS):
        _as_prefetched(application, attachments_cache, attachments.take(application.pk))
        related_name, lists = by_kind.get(application.kind, (None, []))
        try:
            content = getattr(application, related_name) if related_name else None
        except ObjectDoesNotExist:
            content = None
        for name, stream in lists:
            items = stream.take(application.pk)
            if content is not None:
                _as_prefetched(content, name, items)
        yield application

"""The versions of what an applicant files — an application, a report of an experimentation —
at each submission, and what changed between two of them.

``record`` numbers and keeps the data of one submission under any model of versions
(``number``, ``data``, ``created_at``); ``compare`` lists what changed between two such data,
field by field, for any content model.

For applications, ``snapshot`` keeps the canonical data of the fingerprint
(``fingerprint.fingerprint_data``: the answers and the attachments) as an
``ApplicationVersion`` each time the application is submitted or resubmitted after a
correction; ``changes`` compares two of them in words staff can read (labels of the fields,
of the choices and of related objects).
"""

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.domain.fingerprint import fingerprint_data
from calls.domain.kinds import spec_for


def record(versions, data, *, now=None):
    """Keep ``data`` as the next version in ``versions`` (the related manager of the filed
    object's versions, e.g. ``application.versions``); returns the version."""
    last = versions.aggregate(last=Max("number"))["last"] or 0
    return versions.create(number=last + 1, data=data, created_at=now or timezone.now())


def snapshot(application, *, now=None):
    """Record what ``application`` files now as its next version; returns the version."""
    return record(application.versions, fingerprint_data(application), now=now)


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


def last_changes(application):
    """What changed between the last two versions of ``application``: ``(older, newer,
    [Change, …])``, or None when it was submitted once only."""
    model = apps.get_model(spec_for(application.kind).content_model)
    return last_changes_of(application.versions, model)


def last_changes_of(versions, model):
    """``(older, newer, [Change, …])`` between the last two of ``versions`` (data whose
    ``content`` is of ``model``), or None when there was one submission only."""
    pair = list(versions.order_by("-number")[:2])
    if len(pair) < 2:
        return None
    newer, older = pair
    return older, newer, compare(model, older.data, newer.data)


def changes(before, after, kind):
    """The differences between two version data of an application of ``kind``."""
    return compare(apps.get_model(spec_for(kind).content_model), before, after)


def compare(model, before, after):
    """The differences between two version data (``content``: the answers, of ``model``;
    ``attachments``: the files) as ``[Change, …]`` in the order of the form."""
    old, new = before.get("content", {}), after.get("content", {})
    rows = []
    for name in _ordered_keys(model, old, new):
        if old.get(name) == new.get(name):
            continue
        label, render = _describe(model, name)
        rows.append(Change(label, render(old.get(name)), render(new.get(name))))
    old_files, new_files = before.get("attachments", []), after.get("attachments", [])
    if _files_key(old_files) != _files_key(new_files):
        rows.append(Change(_("Attachments"), _render_files(old_files), _render_files(new_files)))
    return rows


def _files_key(files):
    return sorted((f.get("slot"), f.get("sha256")) for f in files)


def _render_files(files):
    return "; ".join(f"{f.get('name')} ({f.get('slot')})" for f in files) or "—"


def _ordered_keys(model, old, new):
    """The content keys in the order of the form: fields, many-to-many, related rows."""
    meta = model._meta
    known = [f.name for f in meta.concrete_fields] + [f.name for f in meta.many_to_many]
    known += [r.get_accessor_name() for r in meta.related_objects if r.one_to_many]
    names = [n for n in known if n in old or n in new]
    return names + sorted(k for k in {*old, *new} if k not in names)


def _describe(model, name):
    """(label, render function) of the content key ``name``."""
    field = next((f for f in model._meta.concrete_fields if f.name == name), None)
    if field is not None:
        return _label(field.verbose_name), lambda value: _render_value(field, value)
    m2m = next((f for f in model._meta.many_to_many if f.name == name), None)
    if m2m is not None:
        return _label(m2m.verbose_name), lambda value: _render_pks(m2m.related_model, value)
    relation = next(
        (r for r in model._meta.related_objects if r.one_to_many and r.get_accessor_name() == name),
        None,
    )
    if relation is not None:
        related = relation.related_model
        return _label(related._meta.verbose_name_plural), lambda value: _render_rows(related, value)
    return name, lambda value: "—" if value in (None, "", []) else str(value)


def _label(text):
    text = str(text)
    return text[:1].upper() + text[1:]


def _render_value(field, value):
    if value in (None, "", []):
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field.is_relation and field.related_model is not None:
        obj = field.related_model._default_manager.filter(pk=value).first()
        return str(obj) if obj is not None else str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def _pk(value):
    """A primary key as the canonical data stores it: ``"3"``, or ``"(3,)"`` as fingerprint
    version 1 writes many-to-many keys."""
    return str(value).strip("(),' ")


def _render_pks(model, pks):
    if not pks:
        return "—"
    keys = [_pk(pk) for pk in pks]
    names = {str(o.pk): str(o) for o in model._default_manager.filter(pk__in=keys)}
    return ", ".join(names.get(key, key) for key in keys)


def _render_rows(model, rows):
    if not rows:
        return "—"
    fields = {f.name: f for f in model._meta.concrete_fields}
    lines = []
    for row in rows:
        parts = []
        for key, value in row.items():
            field = fields.get(key)
            if field is None or value in (None, ""):
                continue
            parts.append(f"{_label(field.verbose_name)}: {_render_value(field, value)}")
        lines.append("; ".join(parts))
    return "\n".join(lines)

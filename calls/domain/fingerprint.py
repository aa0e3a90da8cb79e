"""The fingerprint of what an application files: a SHA-256 of a canonical JSON of its answers
and of its attachments' own SHA-256, the same for both calls.

The deposit receipt prints it, so it proves what was submitted: anyone holding the data can
recompute it with ``fingerprint(application)``. A content model may expose
``as_fingerprint_data()`` to say itself what it files; otherwise every concrete field, every
many-to-many (as sorted primary keys) and every row that points to it (a team, ranked
wishes…) is taken, generically.
"""

import datetime
import decimal
import hashlib
import json
import uuid

from django.db import models

VERSION = 1  # change when the canonical form changes: older receipts keep their own


def _value(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile
        return value.name or ""
    if hasattr(value, "code") and not isinstance(value, str | int | float | bool):
        return str(value.code)  # django-countries' Country
    return value


def _row(obj, skip=()):
    data = {}
    for field in obj._meta.concrete_fields:
        if field.name in skip or (field.primary_key and field.auto_created):
            continue
        data[field.name] = _value(field.value_from_object(obj))
    for field in obj._meta.many_to_many:
        data[field.name] = sorted(
            str(pk) for pk in getattr(obj, field.name).values_list("pk", flat=True)
        )
    return data


def content_data(content):
    """What the content model of an application files, as plain JSON-able data."""
    if hasattr(content, "as_fingerprint_data"):
        return content.as_fingerprint_data()
    data = _row(content, skip={"application"})
    for relation in content._meta.related_objects:
        if not relation.one_to_many:
            continue
        rows = [
            _row(related, skip={relation.field.name})
            for related in getattr(content, relation.get_accessor_name()).all()
        ]
        data[relation.get_accessor_name()] = sorted(rows, key=_canonical)
    return data


def fingerprint_data(application):
    """The data the fingerprint is computed on."""
    attachments = [
        {"slot": a.slot, "name": a.original_name, "size": a.size, "sha256": a.sha256}
        for a in application.attachments.all()
    ]
    return {
        "version": VERSION,
        "reference": application.reference,
        "call": application.call.slug,
        "kind": application.kind,
        "content": content_data(application.content),
        "attachments": sorted(attachments, key=_canonical),
    }


def _canonical(data):
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def digest(data):
    return hashlib.sha256(_canonical(data).encode("utf-8")).hexdigest()


def fingerprint(application):
    """SHA-256 (hex) of what ``application`` files now."""
    return digest(fingerprint_data(application))

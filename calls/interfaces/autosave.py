"""The server side of the autosave script (``static/js/autosave.js``), one for every draft the
portal keeps — an application, a report of an experimentation: save what is well-formed,
say which fields to correct, answer JSON."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.http import JsonResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _


def saved_now():
    now = timezone.localtime()
    return {"saved_at": now.isoformat(), "saved_at_display": date_format(now, "H:i")}


def refused(message):
    """The draft can no longer change (state, deadline): the page keeps what was typed."""
    return JsonResponse({"ok": False, "message": message}, status=409)


def autosave(bind, save):
    """Save a draft while its author types.

    ``bind()`` answers the draft's form bound to the posted data (without file fields: files
    go with the form's own submission); ``save(form)`` saves a valid form in one transaction.
    When some fields or rows are malformed, every other field and list of rows is saved and the
    malformed ones stay as they were in the database; the answer names them.
    """
    form = bind()
    if form.is_valid():
        save(form)
        return JsonResponse({"ok": True, **saved_now()})
    errors = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
    # Rows of a formset (a team, indicators…) with a problem: the formset is kept as saved.
    formsets = getattr(form, "formsets", {})
    bad_rows = {
        prefix
        for prefix in formsets
        if form.formset_messages.get(prefix) or any(k.startswith(f"{prefix}-") for k in errors)
    }
    known = set(form.fields) | {k for k in errors if k.split("-", 1)[0] in bad_rows}
    if bad_rows:
        known.add(NON_FIELD_ERRORS)  # where the form sums up the rows' problems
    rest = bind()
    for name in errors:
        rest.fields.pop(name, None)
    rest.formsets = {p: f for p, f in getattr(rest, "formsets", {}).items() if p not in bad_rows}
    if set(errors) <= known and (rest.fields or rest.formsets) and rest.is_valid():
        save(rest)
        return JsonResponse(
            {
                "ok": False,
                "partial": True,
                "message": _("correct the fields marked; everything else is saved."),
                "errors": errors,
                **saved_now(),
            },
            status=400,
        )
    return JsonResponse(
        {"ok": False, "message": _("Not saved: correct the fields marked."), "errors": errors},
        status=400,
    )

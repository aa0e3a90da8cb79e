"""The server side of the autosave script (``static/js/autosave.js``), one for every draft the
portal keeps — an application, a report of an experimentation: save what is well-formed,
say which fields to correct, answer JSON."""

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
    When some fields are malformed, every other field is saved and the malformed ones stay as
    they were in the database; the answer names them.
    """
    form = bind()
    if form.is_valid():
        save(form)
        return JsonResponse({"ok": True, **saved_now()})
    errors = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
    rest = bind()
    for name in errors:
        rest.fields.pop(name, None)
    if set(errors) <= set(form.fields) and rest.fields and rest.is_valid():
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

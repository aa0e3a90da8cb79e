"""Which applications a user reads as staff or reviewer: the querysets behind the rules
``calls.read_dossier`` and ``calls.read_files`` (``calls.rules``), for lists, packs and exports.

Staff read every application. A jury member reads only the applications assigned to them on
which they declared no conflict of interest (``jury_scope``); every dossier download, pack and
export goes through ``dossier_scope``.

``calls`` does not know the jury: an upper app registers the applications a user reads as a
reviewer (``register_reviewer_scope``, done by ``evaluation`` in its ``AppConfig.ready``).
"""

from django.db.models import Q

from calls.models import Application
from qmi.permissions import allowed

_REVIEWER_SCOPES = []


def register_reviewer_scope(scope):
    """``scope(user)`` answers a queryset of the ids of the applications ``user`` reads as a
    reviewer. Registered once, at start-up."""
    if scope not in _REVIEWER_SCOPES:
        _REVIEWER_SCOPES.append(scope)


def jury_scope(user):
    """The applications ``user`` reads as a reviewer: the union of the registered scopes
    (none registered: nothing)."""
    if not _REVIEWER_SCOPES:
        return Application.objects.none()
    condition = Q()
    for scope in _REVIEWER_SCOPES:
        condition |= Q(pk__in=scope(user))
    return Application.objects.filter(condition)


def dossier_scope(user):
    """The applications whose dossier ``user`` may download, pack or export."""
    if not allowed("qmi.signed_in", user):
        return Application.objects.none()
    if allowed("qmi.is_staff", user):
        return Application.objects.all()
    return jury_scope(user)

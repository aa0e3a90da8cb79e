"""Who may read application dossiers and put them in packs and exports.

Staff read every application. A jury member reads only the applications assigned to them on
which they declared no conflict of interest (``jury_scope``, from ``evaluation``); every
dossier download, pack and export goes through ``dossier_scope``.
"""

from calls.models import Application


def jury_scope(user):
    """The applications ``user`` reviews as a jury member and declared no conflict on
    (``evaluation``: ``Assignment.objects.visible_to``)."""
    from evaluation.models import Assignment

    return Application.objects.filter(
        pk__in=Assignment.objects.visible_to(user).values("application_id")
    )


def dossier_scope(user):
    """The applications whose dossier ``user`` may download, pack or export."""
    if not user.is_authenticated or not user.is_active:
        return Application.objects.none()
    if user.is_staff:
        return Application.objects.all()
    return jury_scope(user)


def may_request_exports(user):
    """Staff, and jury members with at least one application to read."""
    return user.is_authenticated and (user.is_staff or jury_scope(user).exists())

"""Admin building blocks every app uses (kept apart from the apps' admin modules, which
import each other)."""


class ReadOnlyInline:
    """An inline shown for the record: no row added, changed or deleted from it."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

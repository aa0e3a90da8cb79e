"""Admin building blocks every app uses (kept apart from the apps' admin modules, which
import each other)."""

from django.contrib import admin


class ReadOnlyInline:
    """An inline shown for the record: no row added, changed or deleted from it."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class JoinedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """The admin's filter on a related object, its choices read in one query with what their
    names show (``select_related`` of their required relations: a district and its commune),
    rather than one more query a choice."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        choices = field.related_model._default_manager.select_related()
        if ordering:
            choices = choices.order_by(*ordering)
        return [(choice.pk, str(choice)) for choice in choices]

"""Formsets of rows saved with an application's answers, for any kind of call."""

from django.forms import BaseFormSet


class PostedRowsFormSet(BaseFormSet):
    """A formset saved as a whole list: what the user posted is exactly what is saved.

    The page autosaves without reloading, so its management form goes stale: a row added
    and saved since the page was loaded is still posted as an "extra" row. Every posted row
    is therefore cleaned, whatever ``INITIAL_FORMS`` says (no "unchanged extra row" is
    skipped), and a bound formset has no ``initial``: the rows in the database are not what
    the posted rows are compared with. A row left entirely empty is ignored by ``rows``.
    """

    label = ""
    related_name = ""  # the rows of the project the posted rows replace

    def _construct_form(self, i, **kwargs):
        if self.is_bound:
            kwargs.setdefault("empty_permitted", False)
        return super()._construct_form(i, **kwargs)

    def rows(self, project):
        """The unsaved rows of ``project`` posted, in the order posted."""
        raise NotImplementedError

    def save_to(self, project):
        related = getattr(project, self.related_name)
        related.all().delete()
        related.model.objects.bulk_create(self.rows(project))

"""The base of every application content form, for both calls."""

from django import forms
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from calls.models import UrbanChallenge


class ApplicationContentForm(forms.ModelForm):
    """A draft form whose fields are grouped in titled sections.

    ``SECTIONS`` is a sequence of ``(key, title, field names)``. The form can be limited to
    one section (a step), so a long form is filled and saved step by step. Subclasses that
    hold formsets override ``limit_to`` and the validation/saving hooks.
    """

    SECTIONS: tuple = ()
    # What must be filled before the application can be submitted (the names ``missing_items``
    # of the content model reports), marked "*" on the form. Not HTML-required: a draft is
    # saved with any of them empty.
    REQUIRED_TO_SUBMIT: frozenset = frozenset()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.REQUIRED_TO_SUBMIT:
            if name in self.fields:
                # Read by templates/bootstrap5/field.html (the label's mark).
                self.fields[name].required_to_submit = True

    def sections(self):
        """The sections with their bound fields (only the fields the form still has)."""
        for key, title, names in self.SECTIONS:
            fields = [self[name] for name in names if name in self.fields]
            if fields or self.extra_section_content(key):
                yield key, title, fields

    def extra_section_content(self, key):
        """Something else the template shows in section ``key`` (e.g. a formset)."""
        return None

    def limit_to(self, names):
        """Keep only the fields ``names``: what one step shows, validates and saves."""
        for name in list(self.fields):
            if name not in names:
                del self.fields[name]

    def show_missing(self, missing):
        """Mark each missing item next to its field, on a form showing the saved answers."""
        self._errors = ErrorDict()
        self.cleaned_data = {}
        for name, message in missing:
            if name in self.fields:
                errors = self._errors.setdefault(
                    name, self.error_class(renderer=self.renderer, field_id=self[name].auto_id)
                )
                errors.append(message)

    def drop_file_fields(self):
        for name in [n for n, f in self.fields.items() if isinstance(f, forms.FileField)]:
            del self.fields[name]

    @classmethod
    def section_keys(cls):
        return [key for key, _title, _names in cls.SECTIONS]

    @classmethod
    def section_of(cls, field_name):
        for key, _title, names in cls.SECTIONS:
            if field_name in names:
                return key
        return None

    @classmethod
    def fields_of(cls, key):
        for k, _title, names in cls.SECTIONS:
            if k == key:
                return list(names)
        raise KeyError(key)


def challenges_field():
    """The urban challenges an application addresses: the same question in both calls."""
    return forms.ModelMultipleChoiceField(
        label=_("Urban challenges addressed"),
        queryset=UrbanChallenge.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Choose one or more."),
    )

"""The base of every application content form, for both calls."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms import formset_factory
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from calls.models import UrbanChallenge


class ApplicationContentForm(forms.ModelForm):
    """A draft form whose fields are grouped in titled sections.

    ``SECTIONS`` is a sequence of ``(key, title, field names)``. The form can be limited to
    one section (a step), so a long form is filled and saved step by step.

    Rows saved with the answers (a team, wishes, indicators…) are formsets: a subclass puts
    them in ``self.formsets`` by prefix (``make_formset``), names the prefix in a section, and
    the form validates them with its fields, shows their problems next to them and saves them
    (``PostedRowsFormSet.save_to``).
    """

    SECTIONS: tuple = ()
    # What must be filled before the application can be submitted (the names ``missing_items``
    # of the content model reports), marked "*" on the form. Not HTML-required: a draft is
    # saved with any of them empty.
    REQUIRED_TO_SUBMIT: frozenset = frozenset()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.formsets = {}
        self.formset_messages = {}
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

    def limit_to(self, names):
        """Keep only the fields ``names``: what one step shows, validates and saves."""
        for name in list(self.fields):
            if name not in names:
                del self.fields[name]
        self.formsets = {p: fs for p, fs in self.formsets.items() if p in names}

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
        for name, message in missing:
            if name in self.formsets:
                self._add_formset_message(self.formsets[name], [message])

    def drop_file_fields(self):
        for name in [n for n, f in self.fields.items() if isinstance(f, forms.FileField)]:
            del self.fields[name]

    def make_formset(self, form, formset, prefix, initial, *, extra, max_num, **kwargs):
        """A formset of rows of the instance. ``initial``: the rows in the database, for an
        unbound form only; bound, the posted rows are the whole list (see
        ``PostedRowsFormSet``), not changes to the rows in the database."""
        formset_class = formset_factory(
            form,
            formset=formset,
            extra=extra,
            max_num=max_num,
            absolute_max=max_num,
            validate_max=True,
        )
        return formset_class(
            self.data if self.is_bound else None, initial=initial, prefix=prefix, **kwargs
        )

    @property
    def formsets_by_section(self):
        """``{section key: [formset, …]}`` for the template."""
        return {key: self.extra_section_content(key) or [] for key in self.section_keys()}

    def extra_section_content(self, key):
        """The formsets of section ``key`` (None when it has none)."""
        names = self.fields_of(key)
        return [formset for prefix, formset in self.formsets.items() if prefix in names] or None

    def full_clean(self):
        super().full_clean()
        if not self.is_bound:
            return
        for formset in self.formsets.values():
            if formset.is_valid():
                continue
            for form in formset.forms:
                for name, errors in form.errors.items():
                    key = form.prefix if name == NON_FIELD_ERRORS else form.add_prefix(name)
                    self._errors[key] = errors
            problems = [str(m) for m in formset.non_form_errors()]
            if any(form.errors for form in formset.forms):
                problems.insert(0, str(_("Correct the rows marked below.")))
            self._add_formset_message(formset, problems)

    def _add_formset_message(self, formset, messages):
        """Show ``messages`` next to the formset and, labelled, in the summary at the top."""
        errors = self._errors.setdefault(
            NON_FIELD_ERRORS, self.error_class(error_class="nonfield", renderer=self.renderer)
        )
        for message in messages:
            errors.append(f"{formset.label}: {message}")
        self.formset_messages.setdefault(formset.prefix, []).extend(str(m) for m in messages)

    def save(self, commit=True):
        instance = super().save(commit=commit)
        for formset in self.formsets.values():
            formset.save_to(instance)
        return instance

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

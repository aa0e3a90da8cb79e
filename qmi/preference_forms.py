"""The choices of ``/compte/notifications/``: one set of radio buttons per topic offered to the
person (``qmi.preferences``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import preferences

IGNORED = {"csrfmiddlewaretoken"}


class EmailPreferencesForm(forms.Form):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        current = preferences.choices_of(user)
        for topic in preferences.topics_for(user):
            modes = topic.modes_for(user)
            invalid = _("Choose one of the options shown.")
            if topic.digest and preferences.Mode.DIGEST not in modes:
                invalid = _(
                    "Choose immediately or never: the daily digest is offered to Paris&Co staff "
                    "and jury members only."
                )
            self.fields[topic.name] = forms.ChoiceField(
                label=topic.label,
                help_text=topic.help,
                choices=[(mode.value, mode.label) for mode in modes],
                initial=current[topic.name],
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choose how you receive these e-mails."),
                    "invalid_choice": invalid,
                },
            )

    def clean(self):
        cleaned = super().clean()
        unknown = sorted(set(self.data) - set(self.fields) - IGNORED)
        if unknown:
            raise forms.ValidationError(
                _("These e-mails are not among those you can choose: %(names)s.")
                % {"names": ", ".join(unknown)},
                code="unknown_topic",
            )
        return cleaned

    def save(self):
        preferences.save(self.user, self.cleaned_data)

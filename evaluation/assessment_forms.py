"""The forms of a side of an assessment, on the applications' ``ApplicationContentForm``
(sections, rows saved as a whole list, problems next to their fields, the autosave): the
experimenter's protocol (rows), evidence, outcome and grid; the municipality's and the project
manager's grid and comment on the protocol. The grid: one score (radio buttons, 1 to the
criterion's highest) and one justification per criterion, by axis, in ``GridAnswer`` rows; and
the questionnaire on the programme."""

import re
from decimal import Decimal
from types import SimpleNamespace

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from calls.interfaces.forms import ApplicationContentForm
from calls.interfaces.formsets import PostedRowsFormSet

from .assessment.filling import MAX_EVIDENCE
from .assessment.grid import answers_of
from .assessment.protocol import achievement
from .models import Assessment, AssessmentSide, GridAnswer, ProgrammeFeedback, ProtocolIndicator

MAX_INDICATORS = 20
NUMBER_FIELDS = ("baseline", "target", "measured")
TEXT_FIELDS = ("name", "unit", "method", "frequency")
FIGURES = ("contracts", "contracts_amount", "jobs_created", "funds_raised", "users_reached")
OUTCOME_FIELDS = ("outcome", "outcome_details", *FIGURES)
LARGEST = Decimal(10) ** 12
SPACES = re.compile(r"[\s\u00a0\u202f]")
NUMBER = re.compile(r"[-+]?\d+(\.\d+)?")


def parse_number(raw):
    """A decimal typed the French or the English way ("1 234,5", "1234.5"), or None when
    empty; ``ValueError`` when it is not a number (letters, a unit)."""
    text = SPACES.sub("", str(raw or "")).replace(",", ".")
    if not text:
        return None
    if not NUMBER.fullmatch(text):
        raise ValueError(text)
    value = Decimal(text)
    if abs(value) >= LARGEST:
        raise ValueError(text)
    return value.quantize(Decimal("0.01"))


def show_number(value):
    """A stored decimal as typed back: "80" rather than "80.00"."""
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _number_input():
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})


def _typed_number(label):
    """A number of an indicator: checked by ``IndicatorForm.clean``, which knows its unit."""
    return forms.CharField(label=label, max_length=40, required=False, widget=_number_input())


class NumberField(forms.DecimalField):
    """A decimal typed with a comma or a point, spaces allowed between thousands."""

    def to_python(self, value):
        try:
            return parse_number(value)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


# --- The protocol ----------------------------------------------------------------------------


class IndicatorForm(forms.Form):
    name = forms.CharField(label=_("Indicator"), max_length=200, required=False)
    unit = forms.CharField(
        label=_("Unit"), max_length=40, required=False, help_text=_("e.g. %, kg, users")
    )
    baseline = _typed_number(_("Baseline"))
    target = _typed_number(_("Target"))
    measured = _typed_number(_("Value measured"))
    method = forms.CharField(label=_("How it is measured"), max_length=300, required=False)
    frequency = forms.CharField(label=_("How often"), max_length=100, required=False)
    source = forms.ChoiceField(
        choices=ProtocolIndicator.Source.choices, required=False, widget=forms.HiddenInput
    )

    def clean(self):
        unit = (self.cleaned_data.get("unit") or "").strip()
        for name in NUMBER_FIELDS:
            raw = self.cleaned_data.get(name)
            try:
                self.cleaned_data[name] = parse_number(raw)
            except ValueError:
                if unit:
                    message = gettext(
                        "Type a number only, in the indicator's unit (%(unit)s), without "
                        "letters: “%(value)s” is not a number."
                    )
                else:
                    message = gettext(
                        "Type a number only, without letters: “%(value)s” is not a number."
                    )
                params = {"unit": unit, "value": raw}
                self.add_error(name, ValidationError(message % params, code="invalid"))
        return self.cleaned_data

    def achievement(self):
        """What the values shown compute to, once a value is measured (None before)."""
        values = {}
        for name in NUMBER_FIELDS:
            try:
                values[name] = parse_number(self[name].value())
            except ValueError:
                values[name] = None
        if values["measured"] is None:
            return None
        return achievement(SimpleNamespace(**values))


def _text(form, name):
    return (form.cleaned_data.get(name) or "").strip()


class BaseProtocolFormSet(PostedRowsFormSet):
    label = _("Indicators of your protocol")
    related_name = "indicators"

    def clean(self):
        for form in self.forms:
            if "name" in form.errors:
                continue
            filled = any(_text(form, n) for n in TEXT_FIELDS[1:]) or any(
                form.cleaned_data.get(n) is not None for n in NUMBER_FIELDS
            )
            if not _text(form, "name") and filled:
                form.add_error("name", _("Name this indicator."))

    def filled_forms(self):
        return [form for form in self.forms if _text(form, "name")]

    def rows(self, assessment):
        return [
            ProtocolIndicator(
                assessment=assessment,
                position=position,
                source=form.cleaned_data.get("source") or ProtocolIndicator.Source.ADDED,
                **{n: _text(form, n) for n in TEXT_FIELDS},
                **{n: form.cleaned_data.get(n) for n in NUMBER_FIELDS},
            )
            for position, form in enumerate(self.filled_forms(), start=1)
        ]


# --- The grid --------------------------------------------------------------------------------


def score_name(criterion):
    return f"answer-{criterion.pk}-score"


def justification_name(criterion):
    return f"answer-{criterion.pk}-justification"


class SideForm(ApplicationContentForm):
    """What every side holds: the grid. ``side_form`` makes the class of a side, its sections
    being the campaign's axes."""

    def __init__(self, *args, side, answers, **kwargs):
        super().__init__(*args, **kwargs)
        self.side = side
        self.answers = answers
        for answer in answers:
            criterion = answer.criterion
            self.fields[score_name(criterion)] = forms.TypedChoiceField(
                label=criterion.localized_title,
                choices=[(str(n), str(n)) for n in criterion.scale],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                initial=answer.score,
                error_messages={
                    "invalid_choice": gettext(
                        "The score of “%(criterion)s” is a whole number from 1 to %(max)d."
                    )
                    % {"criterion": criterion.localized_title, "max": criterion.scale_max}
                },
            )
            self.fields[justification_name(criterion)] = forms.CharField(
                label=gettext("Justification of “%(criterion)s”")
                % {"criterion": criterion.localized_title},
                max_length=3000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
                initial=answer.justification,
            )
            self.fields[score_name(criterion)].required_to_submit = True
            self.fields[justification_name(criterion)].required_to_submit = True

    @property
    def grids(self):
        """``{section key: [(criterion, score, justification)]}``: the criteria of each axis
        as bound fields, each tied to its error message (``aria-describedby``)."""
        rows = {}
        for answer in self.answers:
            score = self[score_name(answer.criterion)]
            justification = self[justification_name(answer.criterion)]
            for bound in (score, justification):
                if bound.errors:
                    attrs = bound.field.widget.attrs
                    attrs.update(
                        {"aria-invalid": "true", "aria-describedby": f"{bound.auto_id}_error"}
                    )
                    if bound is justification:
                        attrs["class"] = "form-control is-invalid"
            rows.setdefault(f"axis-{answer.criterion.axis_id}", []).append(
                (answer.criterion, score, justification)
            )
        return rows

    def save_grid(self):
        changed = []
        for answer in self.answers:
            before = (answer.score, answer.justification)
            for part, name in (
                ("score", score_name(answer.criterion)),
                ("justification", justification_name(answer.criterion)),
            ):
                if name in self.fields and name in self.cleaned_data:
                    setattr(answer, part, self.cleaned_data[name])
            if (answer.score, answer.justification) != before:
                changed.append(answer)
        GridAnswer.objects.bulk_update(changed, ["score", "justification"])

    def save(self, commit=True):
        instance = super().save(commit=commit)
        self.save_grid()
        return instance

    def show_missing(self, missing):
        """Mark each missing item next to its field, on the saved answers (unbound) or on
        what was just posted (bound: its own problems first)."""
        if self.is_bound:
            self.is_valid()
            for name, message in missing:
                if name in self.fields:
                    if name not in self._errors:
                        self.add_error(name, message)
                elif name in self.formsets:
                    self._add_formset_message(self.formsets[name], [message])
        else:
            super().show_missing(missing)
        for name, message in missing:
            if name not in self.fields and name not in self.formsets:
                self._row_error(name, message)

    def _row_error(self, key, message):
        """A missing item of a row of a formset (none on this side)."""


def _row(indicator):
    return {n: getattr(indicator, n) for n in (*TEXT_FIELDS, "source")} | {
        n: show_number(getattr(indicator, n)) for n in NUMBER_FIELDS
    }


class ExperimenterSideForm(SideForm):
    """The experimenter's side: the protocol, its evidence, the outcome, the grid."""

    evidence = forms.FileField(
        label=_("Add a file"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf,.pdf,image/png,image/jpeg"}
        ),
    )

    class Meta:
        model = Assessment
        fields = list(OUTCOME_FIELDS)
        widgets = {"outcome_details": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].help_text = gettext(
            "PDF, PNG or JPEG, 10 MB at most, up to %(max)d files added one at a time."
        ) % {"max": MAX_EVIDENCE}
        self.fields["outcome"].required_to_submit = True
        for name in ("contracts_amount", "funds_raised"):
            self.fields[name] = NumberField(
                label=self.fields[name].label,
                required=False,
                max_digits=12,
                decimal_places=2,
                widget=_number_input(),
            )
        self.indicators = list(self.instance.indicators.all())
        initial = [] if self.is_bound else [_row(i) for i in self.indicators]
        self.formsets = {
            "indicators": self.make_formset(
                IndicatorForm,
                BaseProtocolFormSet,
                "indicators",
                initial,
                extra=min(1 if initial else 2, MAX_INDICATORS - len(initial)),
                max_num=MAX_INDICATORS,
            )
        }

    def _row_error(self, key, message):
        """``indicator-<id>``: the value measured of that row (the rows in the order saved)."""
        ids = [str(i.pk) for i in self.indicators]
        pk = key.removeprefix("indicator-")
        if not key.startswith("indicator-") or pk not in ids:
            return
        formset = self.formsets["indicators"]
        forms_shown = formset.filled_forms() if self.is_bound else formset.forms
        position = ids.index(pk)
        if position < len(forms_shown):
            row = forms_shown[position]
            if self.is_bound:
                row.add_error("measured", message)
            else:
                row.errors.setdefault("measured", row.error_class()).append(message)
            self._add_formset_message(formset, [message])  # and in the summary


class PartySideForm(SideForm):
    """The municipality's and the project manager's side: the grid and a comment on the
    protocol."""

    class Meta:
        model = AssessmentSide
        fields = ["protocol_comment"]
        widgets = {"protocol_comment": forms.Textarea(attrs={"rows": 4})}


def side_form(side, *, data=None, files=None, answers=None):
    """The form of ``side`` (bound to ``data`` when given), its sections: the protocol, the
    outcome for the experimenter, then each axis of the campaign's grid."""
    answers = answers if answers is not None else answers_of(side)
    axes = {}
    for criterion in (answer.criterion for answer in answers):
        names = axes.setdefault(criterion.axis_id, (criterion.axis.localized_title, []))[1]
        names += [score_name(criterion), justification_name(criterion)]
    grid_sections = tuple(
        (f"axis-{pk}", title, tuple(names)) for pk, (title, names) in axes.items()
    )
    if side.party == "experimenter":
        base, instance = ExperimenterSideForm, side.assessment
        sections = (
            ("indicators", _("Your protocol"), ("indicators",)),
            ("evidence", _("Evidence"), ("evidence",)),
            ("outcome", _("Outcome of the solution"), OUTCOME_FIELDS),
        )
    else:
        base, instance = PartySideForm, side
        sections = (("protocol", _("Your comment on the protocol"), ("protocol_comment",)),)
    form_class = type(base.__name__, (base,), {"SECTIONS": sections + grid_sections})
    args = (data, files) if data is not None else ()
    return form_class(*args, instance=instance, side=side, answers=answers)


# --- The programme questionnaire ---------------------------------------------------------


RATING_CHOICES = [("", _("Not concerned"))] + [(str(n), str(n)) for n in range(1, 6)]


class FeedbackForm(forms.ModelForm):
    class Meta:
        model = ProgrammeFeedback
        fields = ["support", "training", "network", "worked_well", "to_change"]
        widgets = {
            "worked_well": forms.Textarea(attrs={"rows": 4}),
            "to_change": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        refused = _("Choose a rating from 1 to 5, or “Not concerned”.")
        for name in ("support", "training", "network"):
            self.fields[name] = forms.TypedChoiceField(
                label=self.fields[name].label,
                choices=RATING_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                help_text=_("From 1 (poor) to 5 (excellent)."),
                error_messages={"invalid_choice": refused},
            )

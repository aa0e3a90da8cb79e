"""Forms of the jury space (declarations of interests, the review) and of the staff's decisions."""

from collections import Counter

from django import forms
from django.forms import formset_factory
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from calls.domain.workflow import Status

from .models import Decision, Recommendation
from .placement.wishes import wishes_of
from .services import decision_applies


class DeclarationForm(forms.Form):
    has_conflict = forms.TypedChoiceField(
        label=_("Do you have a conflict of interest with this applicant?"),
        choices=[
            ("no", _("No: I have no link with this applicant")),
            ("yes", _("Yes: I have a conflict of interest")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason, if you have a conflict"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "E.g. you work or worked for them, you advise them, a relative is involved. "
            "You will no longer see this dossier."
        ),
    )

    def __init__(self, *args, prefix_id="", **kwargs):
        super().__init__(*args, **kwargs)
        if prefix_id:
            self.auto_id = f"id_{prefix_id}_%s"

    def clean(self):
        data = super().clean()
        if data.get("has_conflict") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say briefly why you have a conflict of interest."))
        return data


class ReviewForm(forms.Form):
    """A score and a comment per criterion, then the overall opinion, the recommendation and
    abstention. The fields of criterion ``c`` are ``score_<c.pk>`` and ``comment_<c.pk>``."""

    overall_opinion = forms.CharField(
        label=_("Overall opinion"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    recommendation = forms.ChoiceField(
        label=_("Recommendation"),
        choices=Recommendation.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    abstain = forms.BooleanField(
        label=_("I abstain on this application"),
        required=False,
        help_text=_("An abstention is kept but does not count in the ranking."),
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        fields = {}
        for criterion in self.criteria:
            fields[f"score_{criterion.pk}"] = forms.IntegerField(
                label=_("Score from 0 to %(max)d") % {"max": criterion.scale_max},
                min_value=0,
                max_value=criterion.scale_max,
                required=False,
                error_messages={
                    "max_value": _("Give a score from 0 to %(max)d.")
                    % {"max": criterion.scale_max},
                    "min_value": _("Give a score from 0 to %(max)d.")
                    % {"max": criterion.scale_max},
                },
                widget=forms.NumberInput(attrs={"class": "form-control qmi-score"}),
            )
            fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment"),
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
            )
        self.fields = {**fields, **self.fields}

    @classmethod
    def initial_from(cls, review):
        if review is None:
            return {}
        initial = {
            "overall_opinion": review.overall_opinion,
            "recommendation": review.recommendation,
            "abstain": review.abstain,
        }
        for score in review.scores.all():
            initial[f"score_{score.criterion_id}"] = score.value
            initial[f"comment_{score.criterion_id}"] = score.comment
        return initial

    def sections(self):
        """(key, title, fields) per criterion: the error summary names a score's criterion."""
        return [
            (c.pk, c.localized_label, [self[f"score_{c.pk}"], self[f"comment_{c.pk}"]])
            for c in self.criteria
        ]

    def rows(self):
        """(criterion, score field, comment field) for the template."""
        return [(c, self[f"score_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]

    def scores(self):
        return {
            c.pk: (self.cleaned_data.get(f"score_{c.pk}"), self.cleaned_data.get(f"comment_{c.pk}"))
            for c in self.criteria
        }


class DecisionRowForm(forms.Form):
    """One row of the ranking page's decision form."""

    application = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[("", _("— none —")), *Decision.Outcome.choices],
        required=False,
    )
    district = forms.TypedChoiceField(
        label=_("Innovation district"), choices=(), coerce=int, empty_value=None, required=False
    )
    reason_shared = forms.CharField(
        label=_("Reason shared with the applicant"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, district_choices=None, status=None, current="", **kwargs):
        """``district_choices``: ``[(id, name), …]`` of the call's districts (experimenters),
        read once for every row; None for a call for municipalities. ``status``: the
        application's, which limits the decisions offered to those its state allows (an
        eligible application can only be not selected until it is shortlisted); ``current``:
        the outcome already recorded, kept so the row shows it."""
        super().__init__(*args, **kwargs)
        if district_choices is None:
            del self.fields["district"]
        else:
            self.fields["district"].choices = [("", _("— none —")), *district_choices]
        if status is not None:
            outcome = self.fields["outcome"]
            outcome.choices = [("", _("— none —"))] + [
                (value, label)
                for value, label in Decision.Outcome.choices
                if value == current or decision_applies(value, status)
            ]
            outcome.error_messages["invalid_choice"] = refusal_for(status)


def refusal_for(status):
    """What a row says when staff chose a decision its application's state does not allow."""
    if status == Status.ELIGIBLE:
        return _(
            "This application is only eligible: it can only be not selected. Shortlist it "
            "first to select it or put it on the waiting list."
        )
    return _("This application is %(status)s: this decision is not possible.") % {
        "status": Status(status).label.lower() if status in Status.values else status
    }


class _QuickSelect(forms.Select):
    """A select rendered in Python: the placement page shows one per laureate, each with every
    district, and the widget templates cost most of the page's time (measured in
    ``bench/placement.py``)."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        selected = str(value) if value not in (None, "") else ""
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, mark_safe(" selected") if str(key) == selected else "", label)
                for key, label in self.choices
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(attrs), options)


class _QuickCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes rendered in Python, each with its label (see ``_QuickSelect``)."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        base = attrs.pop("id", name)
        checked = {str(v) for v in (value or [])}
        return format_html_join(
            "",
            '<div><input type="checkbox" name="{}" value="{}" id="{}_{}"{}> '
            '<label for="{}_{}">{}</label></div>',
            (
                (
                    name,
                    key,
                    base,
                    i,
                    mark_safe(" checked") if str(key) in checked else "",
                    base,
                    i,
                    label,
                )
                for i, (key, label) in enumerate(self.choices)
            ),
        )


class PlacementRowForm(forms.Form):
    """One laureate on the placement page: its district (moving it pins it), pinned, any
    district allowed, districts ruled out."""

    application = forms.IntegerField(widget=forms.HiddenInput)
    district = forms.TypedChoiceField(
        label=_("District"),
        choices=(),
        coerce=int,
        empty_value=None,
        required=False,
        widget=_QuickSelect,
    )
    pinned = forms.BooleanField(label=_("Pinned"), required=False)
    allow_unwished = forms.BooleanField(label=_("Any district"), required=False)
    excluded = forms.TypedMultipleChoiceField(
        label=_("Ruled out"),
        choices=(),
        coerce=int,
        required=False,
        widget=_QuickCheckboxes,
    )

    def __init__(self, *args, district_choices=(), **kwargs):
        """``district_choices``: ``[(id, name), …]`` of the call's districts, read once."""
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [("", _("— not placed —")), *district_choices]
        self.fields["excluded"].choices = list(district_choices)


class _DecisionFormSet(formset_factory(DecisionRowForm, extra=0)):
    """The ranking's decision rows; ``row_choices`` gives each row its own district choices
    (its wishes first, with each district's count)."""

    def __init__(self, *args, row_choices=None, row_statuses=None, **kwargs):
        """``row_statuses``: ``[(status, current outcome), …]`` of each row's application."""
        self.row_choices = row_choices
        self.row_statuses = row_statuses
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if self.row_choices is not None and index is not None and index < len(self.row_choices):
            kwargs["district_choices"] = self.row_choices[index]
        if self.row_statuses is not None and index is not None and index < len(self.row_statuses):
            kwargs["status"], kwargs["current"] = self.row_statuses[index]
        return kwargs


DecisionFormSet = _DecisionFormSet


def district_choices_by_row(call, districts, application_ids):
    """For each application, the call's districts as choices: the ones it wished first, in
    its order ("1. Quartier de la gare — 5 of 6–8"), then the others, marked as not wished;
    the count is every call's laureates already in the district (pending or published)."""
    wishes = wishes_of(call, application_ids)
    counts = Counter(
        Decision.objects.filter(
            outcome=Decision.Outcome.SELECTED, district__in=list(districts)
        ).values_list("district_id", flat=True)
    )

    def label(district, prefix=""):
        return _("%(prefix)s%(name)s — %(n)d of %(min)d–%(max)d") % {
            "prefix": prefix,
            "name": district.name,
            "n": counts.get(district.pk, 0),
            "min": district.capacity_min,
            "max": district.capacity_max,
        }

    rows = []
    for application_id in application_ids:
        wished = wishes.get(application_id, {})
        first = sorted(wished.items(), key=lambda item: item[1])
        rows.append(
            [(d, label(districts[d], f"{rank}. ")) for d, rank in first if d in districts]
            + [
                (pk, label(district, _("not wished: ")))
                for pk, district in districts.items()
                if pk not in wished
            ]
        )
    return rows

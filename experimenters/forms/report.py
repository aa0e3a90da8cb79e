"""The report of an experimentation: its answers, the indicators of the protocol (rows saved
with the answers, as the team of an application) and its photos and documents."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from calls.interfaces.forms import ApplicationContentForm
from calls.interfaces.formsets import PostedRowsFormSet

from ..models import MAX_REPORT_DOCUMENTS, MAX_REPORT_PHOTOS, Report, ReportIndicator

MAX_INDICATORS = 15
INDICATOR_FIELDS = ("name", "unit", "baseline", "target", "value", "method")


class IndicatorForm(forms.Form):
    name = forms.CharField(label=_("Indicator"), max_length=200, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=40, required=False)
    baseline = forms.CharField(label=_("Baseline"), max_length=60, required=False)
    target = forms.CharField(label=_("Target"), max_length=60, required=False)
    value = forms.CharField(label=_("Value measured"), max_length=60, required=False)
    method = forms.CharField(label=_("How it is measured"), max_length=300, required=False)


def _text(form, name):
    return (form.cleaned_data.get(name) or "").strip()


class BaseIndicatorFormSet(PostedRowsFormSet):
    label = _("Indicators of your protocol")
    related_name = "indicators"

    def clean(self):
        for form in self.forms:
            if "name" in form.errors:
                continue
            if not _text(form, "name") and any(_text(form, n) for n in INDICATOR_FIELDS[1:]):
                form.add_error("name", _("Name this indicator."))

    def rows(self, report):
        return [
            ReportIndicator(report=report, **{n: _text(form, n) for n in INDICATOR_FIELDS})
            for form in self.forms
            if _text(form, "name")
        ]


def previous_indicators(report):
    """The indicators of the experimentation's last filed report, without their values: what
    a new report starts from."""
    previous = (
        Report.objects.filter(experimentation=report.experimentation, submitted_at__isnull=False)
        .exclude(pk=report.pk)
        .order_by("-due_at")
        .first()
    )
    if previous is None:
        return []
    return [
        {n: getattr(i, n) for n in INDICATOR_FIELDS if n != "value"}
        for i in previous.indicators.all()
    ]


class ReportForm(ApplicationContentForm):
    REQUIRED_TO_SUBMIT = frozenset(("progress", "indicators"))
    SECTIONS = (
        ("progress", _("Progress"), ("progress", "next_steps")),
        ("indicators", _("Indicators"), ("indicators",)),
        ("difficulties", _("Difficulties and needs"), ("difficulties", "needs")),
        ("files", _("Photos and documents"), ("photos", "documents")),
    )

    photos = forms.FileField(
        label=_("Add a photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    documents = forms.FileField(
        label=_("Add a document"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    class Meta:
        model = Report
        fields = ["progress", "next_steps", "difficulties", "needs"]
        widgets = {
            "progress": forms.Textarea(attrs={"rows": 6}),
            "next_steps": forms.Textarea(attrs={"rows": 3}),
            "difficulties": forms.Textarea(attrs={"rows": 4}),
            "needs": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "photos" in self.fields:
            self.fields["photos"].help_text = gettext(
                "PNG or JPEG, 10 MB at most, up to %(max)d photos added one at a time."
            ) % {"max": MAX_REPORT_PHOTOS}
        if "documents" in self.fields:
            self.fields["documents"].help_text = gettext(
                "PDF, 10 MB at most, up to %(max)d documents added one at a time."
            ) % {"max": MAX_REPORT_DOCUMENTS}
        if self.is_bound:
            initial = []
        else:
            initial = [
                {n: getattr(i, n) for n in INDICATOR_FIELDS} for i in self.instance.indicators.all()
            ] or previous_indicators(self.instance)
        self.formsets = {
            "indicators": self.make_formset(
                IndicatorForm,
                BaseIndicatorFormSet,
                "indicators",
                initial,
                extra=min(1 if initial else 2, MAX_INDICATORS - len(initial)),
                max_num=MAX_INDICATORS,
            )
        }

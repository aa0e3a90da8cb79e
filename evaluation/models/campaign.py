"""The 2026 assessment's campaign and its common grid.

A campaign assesses the experimentations of one edition between two dates (the deadline rule
of the calls: open from ``opens_at`` up to and including ``closes_at``, to the second, Paris
time). Its grid is data: axes (efficacy, feasibility, durability and scalability), each with
criteria scored on a scale and justified. Staff edit both in the admin.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from calls.domain.offsets import parse_offsets
from calls.models import Edition
from qmi.i18n import localized

DEFAULT_ASSESSMENT_REMINDERS = "14d, 3d"


class PublicChart(models.TextChoices):
    """The charts of the results (``evaluation.assessment.charts``), which staff choose to show
    on the public summary."""

    AXES = "axes", _("Scores of the grid by axis and party")
    DISTRICTS = "districts", _("Scores of the grid by district")
    SPREAD = "spread", _("Spread between the parties")
    ACHIEVEMENT = "achievement", _("Achievement of the protocols' indicators")
    OUTCOMES = "outcomes", _("What became of the solutions")
    SATISFACTION = "satisfaction", _("Satisfaction with the programme")


def every_chart():
    return list(PublicChart.values)


def _valid_offsets(value):
    parse_offsets(value)


class AssessmentCampaign(models.Model):
    """The assessment of an edition's experimentations, open between two dates."""

    edition = models.ForeignKey(
        Edition,
        on_delete=models.PROTECT,
        related_name="assessment_campaigns",
        verbose_name=_("edition"),
    )
    title = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(
        _("closes at"), help_text=_("The last second at which a side can still be submitted.")
    )
    reminder_offsets = models.CharField(
        _("reminders before the close"),
        max_length=100,
        default=DEFAULT_ASSESSMENT_REMINDERS,
        validators=[_valid_offsets],
        help_text=_("E-mails to the parties that have not submitted, e.g. “14d, 3d”."),
    )
    summary = models.TextField(
        _("public summary (French)"),
        blank=True,
        help_text=_("What the public page of the assessment says, above the published figures."),
    )
    summary_en = models.TextField(_("public summary (English)"), blank=True)
    public_charts = models.JSONField(
        _("charts on the public summary"),
        default=every_chart,
        blank=True,
        help_text=_("The key figures are always shown; the charts only if ticked."),
    )
    published_at = models.DateTimeField(
        _("published at"),
        null=True,
        blank=True,
        help_text=_("Empty: the public page of the assessment does not exist yet."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("assessment campaign")
        verbose_name_plural = _("assessment campaigns")
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="assessment_campaign_closes_after_it_opens",
            )
        ]

    def __str__(self):
        return self.localized_title

    def get_absolute_url(self):
        return reverse("evaluation:assessment_summary", kwargs={"pk": self.pk})

    @property
    def localized_title(self):
        return localized(self, "title")

    @property
    def localized_summary(self):
        return localized(self, "summary")

    def clean(self):
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("The campaign must close after it opens.")})

    def has_opened(self, now=None):
        return (now or timezone.now()) >= self.opens_at

    def is_closed(self, now=None):
        """One second after ``closes_at``: closed for whoever has no extension."""
        return (now or timezone.now()) > self.closes_at

    @property
    def is_published(self):
        return self.published_at is not None


class GridAxis(models.Model):
    """An axis of the common grid (efficacy, feasibility, durability and scalability)."""

    campaign = models.ForeignKey(
        AssessmentCampaign,
        on_delete=models.CASCADE,
        related_name="axes",
        verbose_name=_("campaign"),
    )
    title = models.CharField(_("title (French)"), max_length=120)
    title_en = models.CharField(_("title (English)"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(pgettext_lazy("ordering", "position"), default=0)

    class Meta:
        verbose_name = _("axis of the grid")
        verbose_name_plural = _("axes of the grid")
        ordering = ["campaign", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "title"], name="grid_axis_unique_title")
        ]

    def __str__(self):
        return self.localized_title

    @property
    def localized_title(self):
        return localized(self, "title")


class GridCriterion(models.Model):
    """A criterion of an axis, scored from 1 to ``scale_max`` with a justification."""

    axis = models.ForeignKey(
        GridAxis, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("axis")
    )
    title = models.CharField(_("criterion (French)"), max_length=200)
    title_en = models.CharField(_("criterion (English)"), max_length=200, blank=True)
    help = models.TextField(_("what to consider (French)"), blank=True)
    help_en = models.TextField(_("what to consider (English)"), blank=True)
    scale_max = models.PositiveSmallIntegerField(
        _("highest score"),
        default=5,
        validators=[MinValueValidator(2), MaxValueValidator(10)],
        help_text=_("Scores go from 1 to this value."),
    )
    position = models.PositiveSmallIntegerField(pgettext_lazy("ordering", "position"), default=0)

    class Meta:
        verbose_name = _("criterion of the grid")
        verbose_name_plural = _("criteria of the grid")
        ordering = ["axis__position", "axis", "position", "pk"]

    def __str__(self):
        return self.localized_title

    @property
    def localized_title(self):
        return localized(self, "title")

    @property
    def localized_help(self):
        return localized(self, "help")

    @property
    def scale(self):
        return range(1, self.scale_max + 1)

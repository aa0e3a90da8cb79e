"""The programme's public content: editions, their key dates, the FAQ and the urban challenges."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qmi.i18n import localized

PARIS = ZoneInfo("Europe/Paris")


class Edition(models.Model):
    """One edition of the programme, e.g. "2e édition 2023–2026"."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    title = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    is_current = models.BooleanField(
        _("current edition"), default=False, help_text=_("Shown on the home page.")
    )

    class Meta:
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="edition_one_current"
            )
        ]

    def __str__(self):
        return self.localized_title

    @property
    def localized_title(self):
        return localized(self, "title")


class KeyDate(models.Model):
    """A step of the edition's public timeline."""

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="key_dates", verbose_name=_("edition")
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    start_time = models.TimeField(
        _("start time"),
        null=True,
        blank=True,
        help_text=_("Paris time, e.g. 9:00 for a webinar; empty for a whole day."),
    )
    end_time = models.TimeField(_("end time"), null=True, blank=True, help_text=_("Paris time."))
    label = models.CharField(_("label (French)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)
    description = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    class Meta:
        verbose_name = _("key date")
        verbose_name_plural = _("key dates")
        ordering = ["starts_on", "start_time", "pk"]

    def __str__(self):
        return f"{self.starts_on:%Y-%m-%d} {self.label}"

    def clean(self):
        super().clean()
        if self.end_time and not self.start_time:
            raise ValidationError({"start_time": _("Give the start time with the end time.")})
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end must not be before the start.")})
        same_day = not self.ends_on or self.ends_on == self.starts_on
        if same_day and self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": _("The end time must be after the start time.")})

    @property
    def starts_at(self):
        """The start as an instant in Paris time, when the key date has hours."""
        if self.start_time is None:
            return None
        return datetime.combine(self.starts_on, self.start_time, tzinfo=PARIS)

    @property
    def ends_at(self):
        if self.end_time is None:
            return None
        return datetime.combine(self.ends_on or self.starts_on, self.end_time, tzinfo=PARIS)

    @property
    def localized_label(self):
        return localized(self, "label")

    @property
    def localized_description(self):
        return localized(self, "description")


class FaqEntry(models.Model):
    """A question of the public FAQ, edited by staff."""

    question = models.CharField(_("question (French)"), max_length=300)
    question_en = models.CharField(_("question (English)"), max_length=300, blank=True)
    answer = models.TextField(_("answer (French)"))
    answer_en = models.TextField(_("answer (English)"), blank=True)
    position = models.PositiveSmallIntegerField(pgettext_lazy("ordering", "position"), default=0)
    is_published = models.BooleanField(_("published"), default=True)

    class Meta:
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.question

    @property
    def localized_question(self):
        return localized(self, "question")

    @property
    def localized_answer(self):
        return localized(self, "answer")


class UrbanChallenge(models.Model):
    """One of the eight urban challenges of the programme (reference data, seeded)."""

    class Code(models.TextChoices):
        PUBLIC_SPACES = "public-spaces", _("Public spaces and urban services")
        CLIMATE = "climate", _("Adapting to climate change")
        FLOWS = "flows", _("Flows, mobility and logistics")
        LOCAL_ACTIVITIES = "local-activities", _("Local activities and shops")
        RENEWAL = "renewal", _("Urban renewal and worksites")
        HOUSING = "housing", _("Housing and changing uses")
        CIRCULAR = "circular", _("Circular economy")
        SPORT = "sport", _("Sport in the city")

    code = models.SlugField(_("code"), max_length=40, unique=True, choices=Code.choices)
    position = models.PositiveSmallIntegerField(pgettext_lazy("ordering", "position"), default=0)

    class Meta:
        verbose_name = _("urban challenge")
        verbose_name_plural = _("urban challenges")
        ordering = ["position"]

    def __str__(self):
        return str(self.Code(self.code).label)


class KeyArea(models.TextChoices):
    """The five types of area an innovation district belongs to (programme vocabulary)."""

    RAILWAY_STATION = "railway-station", _("Railway station area")
    HOUSING_ESTATE = "housing-estate", _("Housing estate / suburban housing estate")
    LOGISTICS = "logistics", _("Logistics zone")
    SHOPPING = "shopping", _("Shopping area")
    URBAN_ENCLAVE = "urban-enclave", _("Urban enclave")

"""The programme's public content: editions, their key dates, the FAQ and the urban challenges."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qmi.i18n import localized


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
    label = models.CharField(_("label (French)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)
    description = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    class Meta:
        verbose_name = _("key date")
        verbose_name_plural = _("key dates")
        ordering = ["starts_on", "pk"]

    def __str__(self):
        return f"{self.starts_on:%Y-%m-%d} {self.label}"

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
    position = models.PositiveSmallIntegerField(_("position"), default=0)
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
    position = models.PositiveSmallIntegerField(_("position"), default=0)

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

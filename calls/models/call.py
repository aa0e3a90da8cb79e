"""A call for applications, of one kind (municipalities or experimenters)."""

from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from calls.domain.kinds import spec_for
from calls.domain.offsets import DEFAULT_OFFSETS, validate_offsets
from qmi.i18n import localized

from .programme import Edition


class CallQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def open_at(self, when):
        return self.filter(opens_at__lte=when, closes_at__gte=when)


class Call(models.Model):
    """A call for applications: for municipalities or for experimenters."""

    class Kind(models.TextChoices):
        MUNICIPALITIES = "municipalities", _("Call for municipalities")
        EXPERIMENTERS = "experimenters", _("Call for experimenters")

    edition = models.ForeignKey(
        Edition, on_delete=models.PROTECT, related_name="calls", verbose_name=_("edition")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    title = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description = models.TextField(_("description (French)"))
    description_en = models.TextField(_("description (English)"), blank=True)
    eligibility = models.TextField(_("eligibility (French)"), blank=True)
    eligibility_en = models.TextField(_("eligibility (English)"), blank=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(
        _("closes at"), help_text=_("Paris time. A submission after this instant is refused.")
    )
    max_selected = models.PositiveSmallIntegerField(
        _("maximum number selected"),
        default=4,
        help_text=_("Cap checked when results are published."),
    )
    is_published = models.BooleanField(_("published"), default=True)
    results_published_at = models.DateTimeField(_("results published at"), null=True, blank=True)
    reminder_offsets = models.CharField(
        _("deadline reminders"),
        max_length=100,
        default=DEFAULT_OFFSETS,
        blank=True,
        validators=[validate_offsets],
        help_text=_(
            "When drafts are reminded before the deadline: days (d) or hours (h), separated by "
            "commas, e.g. 14d, 7d, 2d, 1d. Empty: no reminder."
        ),
    )

    objects = CallQuerySet.as_manager()
    # Who changed the dates and settings of the call, and when (shown under "History")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="call_closes_after_opening"
            )
        ]

    def __str__(self):
        return self.localized_title

    def get_absolute_url(self):
        return reverse("calls:detail", kwargs={"slug": self.slug})

    @property
    def localized_title(self):
        return localized(self, "title")

    @property
    def localized_description(self):
        return localized(self, "description")

    @property
    def localized_eligibility(self):
        return localized(self, "eligibility")

    @property
    def kind_letter(self):
        return spec_for(self.kind).reference_letter

    def is_open(self, now=None):
        """True from ``opens_at`` up to and including ``closes_at``; one second later, False."""
        now = now or timezone.now()
        return self.opens_at <= now <= self.closes_at

    def has_closed(self, now=None):
        return (now or timezone.now()) > self.closes_at

    def time_left(self, now=None):
        return max(self.closes_at - (now or timezone.now()), timedelta(0))


def district_model():
    """The innovation districts: a model of ``municipalities``, related to the calls for
    experimenters that cover them (``Call.districts``). ``calls`` reaches it through that
    relation, never by importing the app."""
    return Call._meta.get_field("districts").related_model

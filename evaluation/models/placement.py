"""Where the placement assistant puts each laureate of a call for experimenters."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from calls.models import Application


class Placement(models.Model):
    """The district proposed for one laureate (or where staff moved it), and what staff fixed
    for the next proposal: pinned here, districts ruled out, unwished districts allowed.
    Accepting the placement copies ``district`` onto the laureate's pending decision."""

    application = models.OneToOneField(
        Application,
        on_delete=models.CASCADE,
        related_name="placement",
        verbose_name=_("application"),
    )
    district = models.ForeignKey(
        "municipalities.InnovationDistrict",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="placements",
        verbose_name=_("innovation district"),
    )
    wish_rank = models.PositiveSmallIntegerField(
        _("wish obtained"), null=True, blank=True, help_text=_("Empty: not a district it wished.")
    )
    pinned = models.BooleanField(
        _("pinned"), default=False, help_text=_("The next proposal keeps it in this district.")
    )
    allow_unwished = models.BooleanField(
        _("any district"),
        default=False,
        help_text=_("The proposal may place it in a district it did not wish."),
    )
    excluded = models.ManyToManyField(
        "municipalities.InnovationDistrict",
        blank=True,
        related_name="+",
        verbose_name=_("districts ruled out"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")

    def __str__(self):
        return f"{self.application_id} → {self.district_id or '—'}"

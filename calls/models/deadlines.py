"""A later deadline granted by staff to one applicant for one call."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .call import Call


class DeadlineExtension(models.Model):
    """The applicant's own deadline for the call, later than the call's: its applications
    follow it for submission, the countdown, the reminders and the receipt."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("call")
    )
    applicant = models.ForeignKey(
        "qmi.Applicant",
        on_delete=models.CASCADE,
        related_name="deadline_extensions",
        verbose_name=_("applicant"),
    )
    closes_at = models.DateTimeField(_("own deadline"))
    reason = models.TextField(_("reason"))
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    # Who granted, moved or withdrew the extension, and why (shown under "History")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        ordering = ["-granted_at"]
        constraints = [
            models.UniqueConstraint(fields=["call", "applicant"], name="one_extension_per_call")
        ]

    def __str__(self):
        return f"{self.applicant} — {self.call}"

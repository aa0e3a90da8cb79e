"""What the portal sent about an application: notifications and deadline reminders."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calls.domain.offsets import offset_label

from .application import Application


class ReminderSent(models.Model):
    """A deadline reminder that went out: at most one per application and offset.

    The row is written in the same transaction as the sending, so the unique constraint is
    what makes a reminder go out once even when a worker dies mid-batch.
    """

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("application"),
    )
    offset = models.PositiveIntegerField(_("hours before the deadline"))
    deadline = models.DateTimeField(_("deadline"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    recipients = models.TextField(_("recipients"), blank=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        ordering = ["sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "offset", "deadline"],
                name="reminder_once_per_application_offset_deadline",
            )
        ]

    def __str__(self):
        return f"{self.application_id} -{self.offset}h"

    @property
    def offset_label(self):
        return offset_label(self.offset)


class Notification(models.Model):
    """One message sent through ``notifications.send``: to whom, what, when, and whether the
    mail server took it."""

    class State(models.TextChoices):
        PENDING = "pending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=60, db_index=True)
    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("application"),
    )
    recipients = models.TextField(_("recipients"))
    subject = models.CharField(_("subject"), max_length=255)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    status = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["application", "kind"])]

    def __str__(self):
        return f"{self.kind} → {self.recipients}"

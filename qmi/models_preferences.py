"""What a person chose to receive by e-mail beyond the messages that always go, and the messages
kept for their daily digest (``qmi.preferences``; imported by ``qmi.models``)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EmailPreference(models.Model):
    """How ``user`` receives the optional e-mails of ``topic``; no row: immediately."""

    class Mode(models.TextChoices):
        IMMEDIATE = "immediate", _("Immediately, one e-mail each time")
        DIGEST = "digest", _("Grouped in one e-mail a day (daily digest)")
        OFF = "off", _("Never")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="email_preferences",
        verbose_name=_("user"),
    )
    topic = models.CharField(_("topic"), max_length=60)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.IMMEDIATE)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("e-mail preference")
        verbose_name_plural = _("e-mail preferences")
        ordering = ["user", "topic"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "topic"], name="email_preference_once_per_topic"
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.topic}: {self.mode}"


class DigestItem(models.Model):
    """A message kept for ``user``'s daily digest instead of being sent at once; ``sent_at``
    once the digest that listed it went (``qmi.mail.send_digests``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="digest_items",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=60)
    subject = models.TextField(_("subject"))
    body = models.TextField(_("body"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message kept for the daily digest")
        verbose_name_plural = _("messages kept for the daily digest")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["sent_at", "user"], name="digest_item_pending")]

    def __str__(self):
        return f"{self.user} — {self.kind} ({self.created_at:%Y-%m-%d %H:%M})"

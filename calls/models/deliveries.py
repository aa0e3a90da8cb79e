"""The ledger of the e-mails sent in bulk (reminders, notices, decisions): each one is claimed,
then sent, then marked sent — see ``calls.domain.deliveries``."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DeliveryQuerySet(models.QuerySet):
    def unsent(self):
        """Claimed, to be sent (not held in the outbox, not given up)."""
        return self.filter(sent_at__isnull=True, failed_at__isnull=True, held=False)

    def held_back(self):
        """In the outbox: waiting for staff to read and release them."""
        return self.filter(held=True, sent_at__isnull=True)


class Delivery(models.Model):
    """One e-mail of a bulk sending (a reminder, a notice…), written — claimed — in the
    transaction that records it as due no more, *before* it goes, with the messages as they will
    leave; marked sent right after the mail server took them.

    A delivery claimed and never marked sent is one whose sender died mid-send: it is sent again,
    the same messages with the same ``Message-ID``, so that at most one duplicate per death is
    possible and recognisable.
    """

    key = models.CharField(_("key"), max_length=200, unique=True)
    source = models.CharField(_("source"), max_length=40, db_index=True)
    messages = models.JSONField(_("messages"), default=list)
    recipients = models.TextField(_("recipients"), blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("given up at"), null=True, blank=True)
    error = models.TextField(_("last error"), blank=True)
    held = models.BooleanField(_("held in the outbox"), default=False, db_index=True)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("edited by"),
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("released by"),
    )

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("e-mail delivery")
        verbose_name_plural = _("e-mail deliveries")
        ordering = ["-claimed_at", "-pk"]
        indexes = [
            models.Index(
                fields=["claimed_at"],
                name="delivery_unsent",
                condition=Q(sent_at__isnull=True, failed_at__isnull=True, held=False),
            )
        ]

    def __str__(self):
        return self.key

    @property
    def state(self):
        if self.sent_at:
            return _("Sent")
        if self.failed_at:
            return _("Given up")
        if self.held:
            return _("Held in the outbox")
        return _("Being sent")


class OutboxRule(models.Model):
    """Whether the e-mails of one kind (``calls.domain.deliveries.KINDS``) wait in the outbox
    for staff to read and release them; a kind without a rule follows its default."""

    kind = models.CharField(_("kind of e-mail"), max_length=40, unique=True)
    hold = models.BooleanField(_("hold for review before sending"), default=False)

    class Meta:
        verbose_name = _("outbox rule")
        verbose_name_plural = _("outbox rules")

    def __str__(self):
        return self.kind

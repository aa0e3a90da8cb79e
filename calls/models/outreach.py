"""The audience before the calls: the people who asked to be kept informed, and the one "a call
is open" notice each of them receives per call."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .call import Call
from .programme import UrbanChallenge


class ContactQuerySet(models.QuerySet):
    def confirmed(self):
        """Confirmed and still subscribed: the contacts the portal writes to."""
        return self.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)


class Contact(models.Model):
    """Someone who asked, without an account, to be told when a call opens (double opt-in:
    nothing is sent to them but the confirmation link until they follow it)."""

    class Profile(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        STARTUP = "startup", _("Startup")
        ASSOCIATION = "association", _("Association")
        SME = "sme", _("SME")
        OTHER = "other", _("Other")

    class Language(models.TextChoices):
        FRENCH = "fr", _("French")
        ENGLISH = "en", _("English")

    email = models.EmailField(_("e-mail address"), unique=True)
    profile = models.CharField(_("profile"), max_length=20, choices=Profile.choices)
    organisation = models.CharField(_("organisation"), max_length=255, blank=True)
    commune_code = models.CharField(
        _("commune (INSEE code)"),
        max_length=5,
        blank=True,
        db_index=True,
        help_text=_("For a municipality: one of the member communes."),
    )
    challenges = models.ManyToManyField(
        UrbanChallenge, blank=True, related_name="contacts", verbose_name=_("urban challenges")
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.FRENCH
    )
    consent = models.TextField(_("consent given"), help_text=_("The text the person agreed to."))
    token = models.UUIDField(_("token"), default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("signed up at"), default=timezone.now, db_index=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("interested contact")
        verbose_name_plural = _("interested contacts")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["profile", "confirmed_at"])]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    @property
    def is_confirmed(self):
        return self.confirmed_at is not None and self.unsubscribed_at is None


class CallNotice(models.Model):
    """The "a call is open" e-mail a contact received: at most one per contact and call,
    recorded in the transaction that sends it (the reminders' exactly-once step)."""

    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="notices", verbose_name=_("contact")
    )
    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="contact_notices", verbose_name=_("call")
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("call notice sent")
        verbose_name_plural = _("call notices sent")
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["contact", "call"], name="call_notice_once"),
        ]

    def __str__(self):
        return f"{self.call_id} → {self.contact_id}"

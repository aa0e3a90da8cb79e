"""Sessions: the webinars presenting a call, the information meetings and the training days of
the selected municipalities and laureates — one model, another audience — and who registered."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qmi.i18n import localized

from .call import Call
from .programme import Edition, FaqEntry


class SessionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def public(self):
        return self.published().filter(audience=Session.Audience.PUBLIC)

    def upcoming(self, now=None):
        return self.filter(ends_at__gt=now or timezone.now())


class Session(models.Model):
    """A dated session people register for."""

    class Kind(models.TextChoices):
        WEBINAR = "webinar", _("Webinar")
        TRAINING = "training", _("Training day")
        MEETING = "meeting", _("Information meeting")

    class Audience(models.TextChoices):
        PUBLIC = "public", _("Public")
        MUNICIPALITIES = "municipalities", _("Municipalities of the edition")
        LAUREATES = "laureates", _("Laureates")
        BOTH = "both", _("Municipalities of the edition and laureates")

    class Language(models.TextChoices):
        FRENCH = "fr", _("French")
        ENGLISH = "en", _("English")

    edition = models.ForeignKey(
        Edition, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("edition")
    )
    call = models.ForeignKey(
        Call,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("call presented"),
        help_text=_("A webinar about a call is also listed on the call's page."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.PUBLIC
    )
    title = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    starts_at = models.DateTimeField(_("starts at"), help_text=_("Paris time."))
    ends_at = models.DateTimeField(_("ends at"), help_text=_("Paris time."))
    place = models.CharField(
        _("place"), max_length=300, blank=True, help_text=_("Address, for a session in person.")
    )
    online_url = models.URLField(
        _("online link"),
        blank=True,
        help_text=_("Shown only to the people registered."),
    )
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("Seats; past them, registrations go to the waiting list. Empty: no limit."),
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.FRENCH
    )
    is_published = models.BooleanField(_("published"), default=True)
    replay_url = models.URLField(_("replay link"), blank=True)
    slides_url = models.URLField(_("slides link"), blank=True)
    material_published_at = models.DateTimeField(
        _("replay and slides sent at"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            )
        ]

    def __str__(self):
        return f"{timezone.localtime(self.starts_at):%Y-%m-%d %H:%M} {self.localized_title}"

    def get_absolute_url(self):
        return reverse("calls:session", kwargs={"pk": self.pk})

    @property
    def localized_title(self):
        return localized(self, "title")

    @property
    def localized_description(self):
        return localized(self, "description")

    @property
    def is_public(self):
        return self.audience == self.Audience.PUBLIC

    def has_started(self, now=None):
        return (now or timezone.now()) >= self.starts_at


class RegistrationQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=Registration.Status.CONFIRMED)

    def waiting(self):
        return self.filter(status=Registration.Status.WAITING).order_by("created_at", "pk")

    def active(self):
        return self.exclude(status=Registration.Status.CANCELLED)


class Registration(models.Model):
    """One person registered for a session: a seat, or a place on its waiting list."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Registered")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("session")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="session_registrations",
        verbose_name=_("account"),
    )
    applicant = models.ForeignKey(
        "qmi.Applicant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="session_registrations",
        verbose_name=_("on behalf of"),
        help_text=_("The municipality or organisation, for a training day."),
    )
    email = models.EmailField(_("e-mail address"))
    name = models.CharField(_("name"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=255, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Session.Language.choices, default="fr"
    )
    question = models.TextField(_("question asked in advance"), blank=True)
    faq_entry = models.ForeignKey(
        FaqEntry,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("FAQ entry made of the question"),
    )
    status = models.CharField(
        _("state"), max_length=10, choices=Status.choices, default=Status.CONFIRMED
    )
    token = models.UUIDField(_("token"), default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    promoted_at = models.DateTimeField(_("given a seat from the waiting list at"), null=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    material_sent_at = models.DateTimeField(_("replay sent at"), null=True, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["session", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "email"],
                condition=~Q(status="cancelled"),
                name="registration_once_per_session",
            )
        ]
        indexes = [models.Index(fields=["session", "status", "created_at"])]

    def __str__(self):
        return f"{self.name} <{self.email}>"

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("calls:registration", kwargs={"token": self.token})

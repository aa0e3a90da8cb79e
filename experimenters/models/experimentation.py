"""The experimentation of a selected project: placed in an innovation district, followed by a
Paris&Co project manager and the municipality's referents for about 18 months within the two
years of support, from the agreement to the assessment. Its workflow is declared as data in
``experimenters.experimentation``; the documents of the agreement are checked private files.
"""

import calendar
import uuid
from datetime import date
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calls.domain.offsets import validate_offsets
from calls.models import Application, Edition
from calls.models.files import PrivateFile, private_storage
from qmi.models import StatusHistory


class ExperimentationStatus(models.TextChoices):
    AGREEMENT = "agreement", _("Agreement to sign")
    PREPARATION = "preparation", _("Preparation")
    DEPLOYMENT = "deployment", _("Deployment")
    RUNNING = "running", _("Running")
    ENDED = "ended", _("Ended")
    ASSESSED = "assessed", _("Assessed")
    SUSPENDED = "suspended", _("Suspended")
    ABANDONED = "abandoned", _("Abandoned")


class ProgrammeSettings(models.Model):
    """What an edition sets for its experimentations (defaults when it sets nothing)."""

    edition = models.OneToOneField(
        Edition,
        on_delete=models.CASCADE,
        related_name="experimentation_settings",
        verbose_name=_("edition"),
    )
    duration_months = models.PositiveSmallIntegerField(
        _("length of an experimentation (months)"), default=18
    )
    extra_documents = models.TextField(
        _("other documents required before deployment"),
        blank=True,
        help_text=_(
            "One per line, besides the signed agreement and the insurance certificate, "
            "e.g. “Safety plan of the site”."
        ),
    )

    report_reminders = models.CharField(
        _("reminders before a report is due"),
        max_length=100,
        default="14d, 3d",
        blank=True,
        validators=[validate_offsets],
        help_text=_(
            "Comma-separated, e.g. “14d, 3d” (days) or “12h” (hours). A notice also goes "
            "once when a report is late."
        ),
    )

    class Meta:
        verbose_name = _("experimentation settings")
        verbose_name_plural = _("experimentation settings")

    def __str__(self):
        return str(self.edition)

    @classmethod
    def for_edition(cls, edition):
        """The settings of ``edition``, or the defaults when it has none (not saved)."""
        return cls.objects.filter(edition=edition).first() or cls(edition=edition)


def add_months(day, months):
    """``day`` plus ``months`` months, the last day of the month when it is shorter."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class Experimentation(models.Model):
    """A selected project's experimentation in its innovation district."""

    application = models.OneToOneField(
        Application,
        on_delete=models.PROTECT,
        related_name="experimentation",
        verbose_name=_("project"),
    )
    district = models.ForeignKey(
        "municipalities.InnovationDistrict",
        on_delete=models.PROTECT,
        related_name="experimentations",
        verbose_name=_("innovation district"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ExperimentationStatus.choices,
        default=ExperimentationStatus.AGREEMENT,
        db_index=True,
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_experimentations",
        limit_choices_to={"is_staff": True},
        verbose_name=_("Paris&Co project manager"),
    )
    referents = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="referred_experimentations",
        verbose_name=_("municipal referents"),
    )
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("experimentation")
        verbose_name_plural = _("experimentations")
        ordering = ["district__name", "application__reference"]

    def __str__(self):
        return f"{self.application.reference} — {self.district.name}"

    @property
    def applicant(self):
        """The organisation's applicant: whom the rules of ``qmi.rules`` ask about."""
        return self.application.applicant


class ExperimentationStatusChange(StatusHistory):
    """One row per move of an experimentation: who, when, from, to and why."""

    experimentation = models.ForeignKey(
        Experimentation,
        on_delete=models.CASCADE,
        related_name="history",
        verbose_name=_("experimentation"),
    )
    from_status = models.CharField(_("from"), max_length=20, choices=ExperimentationStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=ExperimentationStatus.choices)

    class Meta(StatusHistory.Meta):
        verbose_name = _("experimentation status change")
        verbose_name_plural = _("experimentation history")

    def __str__(self):
        return f"{self.experimentation_id} {self.from_status} → {self.to_status}"


def _document_path(instance, filename):
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"experimentations/{instance.experimentation_id}/{uuid.uuid4().hex}{suffix}"


class AgreementDocument(PrivateFile):
    """A document of the agreement, uploaded by the experimenter, accepted by staff or sent
    back for a new version. The latest upload of each kind counts."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("To check")
        ACCEPTED = "accepted", _("Accepted")
        NEW_VERSION = "new_version", _("New version requested")

    experimentation = models.ForeignKey(
        Experimentation,
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("experimentation"),
    )
    kind = models.CharField(_("document"), max_length=120)
    file = models.FileField(_("file"), storage=private_storage, upload_to=_document_path)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.SUBMITTED
    )
    review_note = models.TextField(_("what to change"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked by"),
    )
    reviewed_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("agreement document")
        verbose_name_plural = _("agreement documents")
        ordering = ["kind", "-uploaded_at", "-pk"]

    def __str__(self):
        return f"{self.kind} ({self.get_state_display()})"


def _message_path(instance, filename):
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"experimentations/{instance.experimentation_id}/messages/{uuid.uuid4().hex}{suffix}"


class Message(models.Model):
    """A message of an experimentation's conversation between its experimenter, its
    municipality and Paris&Co staff, with an optional file (checked, kept privately)."""

    experimentation = models.ForeignKey(
        Experimentation,
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("experimentation"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    body = models.TextField(_("message"), max_length=10_000, blank=True)
    file = models.FileField(_("file"), storage=private_storage, upload_to=_message_path, blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("type"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.experimentation_id}: {self.body[:40]}"


class MessageRead(models.Model):
    """Until when a user has read an experimentation's conversation (the unread counts)."""

    experimentation = models.ForeignKey(Experimentation, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["experimentation", "user"], name="message_read_once")
        ]

    def __str__(self):
        return f"{self.user_id} read {self.experimentation_id} at {self.read_at}"

"""Packs of dossiers and table exports built in the background."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .files import _private_storage


def _export_path(instance, filename):
    return f"exports/{instance.pk}/{PurePath(filename).name}"


class ExportJob(models.Model):
    """A pack of dossiers or an export built in the background, and its file while it lasts.

    Its ``subject`` says what it exports: the applications, or what another app registered
    (``calls.interfaces.exports.register_subject``)."""

    class Format(models.TextChoices):
        PDF = "pdf", _("One PDF of all dossiers")
        ZIP = "zip", _("ZIP: a folder per application")
        CSV = "csv", _("CSV table")
        XLSX = "xlsx", _("Excel table (XLSX)")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Being built")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="export_jobs",
        verbose_name=_("requested by"),
    )
    subject = models.CharField(
        _("subject"),
        max_length=40,
        default="applications",
        help_text=_("What the job exports: the applications or another subject."),
    )
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    total = models.PositiveIntegerField(_("applications"), default=0)
    done = models.PositiveIntegerField(_("applications done"), default=0)
    file = models.FileField(
        _("file"), storage=_private_storage, upload_to=_export_path, blank=True, max_length=255
    )
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last progress at"), auto_now=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "updated_at"])]

    def __str__(self):
        return f"{self.get_format_display()} ({self.created_at:%Y-%m-%d %H:%M})"

    def get_absolute_url(self):
        return reverse("calls:export", kwargs={"pk": self.pk})

    @property
    def progress(self):
        """Percentage done, 0 to 100."""
        if self.state == self.State.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def is_finished(self):
        return self.state in (self.State.DONE, self.State.FAILED, self.State.EXPIRED)

    def is_expired(self, now=None):
        return self.state == self.State.EXPIRED or bool(
            self.expires_at and self.expires_at <= (now or timezone.now())
        )

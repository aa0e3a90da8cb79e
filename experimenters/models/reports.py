"""The reports of an experimentation: the edition's schedule (offsets from the actual start),
each report the experimenter's members write and file by its due date, its indicators, photos
and documents, its versions, its history and the reminders sent about it."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from calls.models import Edition
from calls.models.application import FiledVersion
from calls.models.files import PrivateFile, private_storage
from qmi.i18n import localized
from qmi.models import StatusHistory

from .experimentation import Experimentation, ExperimentationStatus

MAX_REPORT_PHOTOS = 10
MAX_REPORT_DOCUMENTS = 5


class ReportMilestone(models.Model):
    """One report of an edition's schedule, due at an offset from the experimentation's
    actual start (its planned start until it has started)."""

    edition = models.ForeignKey(
        Edition,
        on_delete=models.CASCADE,
        related_name="report_milestones",
        verbose_name=_("edition"),
    )
    title = models.CharField(_("title (French)"), max_length=120)
    title_en = models.CharField(_("title (English)"), max_length=120, blank=True)
    months = models.PositiveSmallIntegerField(
        _("months after the start"), help_text=_("0 for a report due in the first month.")
    )
    days = models.PositiveSmallIntegerField(
        _("and days"), default=0, help_text=_("Added to the months, e.g. 15 for a kick-off.")
    )

    class Meta:
        verbose_name = _("report of the schedule")
        verbose_name_plural = _("schedule of the reports")
        ordering = ["edition", "months", "days", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "title"], name="milestone_unique_title")
        ]

    def __str__(self):
        return self.localized_title

    @property
    def localized_title(self):
        return localized(self, "title")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("To write")
    SUBMITTED = "submitted", pgettext_lazy("a report", "Submitted")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    ACCEPTED = "accepted", pgettext_lazy("a report", "Accepted")


# The reports their members may still change.
OPEN_REPORT = (ReportStatus.DRAFT, ReportStatus.CHANGES_REQUESTED)
# The experimentations whose open reports fall due: reminded, and flagged once late.
REPORTS_FALL_DUE = (ExperimentationStatus.RUNNING, ExperimentationStatus.ENDED)


class Report(models.Model):
    """A report of an experimentation for one milestone of the schedule."""

    experimentation = models.ForeignKey(
        Experimentation,
        on_delete=models.CASCADE,
        related_name="reports",
        verbose_name=_("experimentation"),
    )
    milestone = models.ForeignKey(
        ReportMilestone, on_delete=models.PROTECT, related_name="reports", verbose_name=_("report")
    )
    due_at = models.DateTimeField(
        pgettext_lazy("a report", "due on"), db_index=True, help_text=_("Paris time.")
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ReportStatus.choices,
        default=ReportStatus.DRAFT,
        db_index=True,
    )
    progress = models.TextField(
        _("progress since the last report"),
        blank=True,
        max_length=10_000,
        help_text=_("What was done, with whom, where; the milestones reached."),
    )
    difficulties = models.TextField(
        _("difficulties met"),
        blank=True,
        max_length=10_000,
        help_text=_("What slowed you down or changed your plans."),
    )
    needs = models.TextField(
        _("what you need from the municipality"),
        blank=True,
        max_length=5_000,
        help_text=_("Authorisations, a site, contacts, communication…"),
    )
    next_steps = models.TextField(
        _("next steps"), blank=True, max_length=5_000, help_text=_("Until the next report.")
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    fingerprint = models.CharField(_("fingerprint (SHA-256)"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("last saved at"), auto_now=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["experimentation", "milestone"], name="report_once_per_milestone"
            )
        ]

    def __str__(self):
        return f"{self.experimentation.application.reference} — {self.milestone}"

    @property
    def applicant(self):
        """The organisation's applicant: whom the rules of ``qmi.rules`` ask about."""
        return self.experimentation.application.applicant

    @property
    def district(self):
        return self.experimentation.district

    @property
    def is_open(self):
        return self.status in OPEN_REPORT

    def is_late(self, now=None):
        """Due date passed and not filed, the experimentation running or ended."""
        return (
            self.is_open
            and self.experimentation.status in REPORTS_FALL_DUE
            and (now or timezone.now()) > self.due_at
        )

    @property
    def submitted_late(self):
        return self.submitted_at is not None and self.submitted_at > self.due_at

    def as_fingerprint_data(self):
        """What a report files: its answers and its indicators (``calls.domain.fingerprint``)."""
        return {
            "milestone": self.milestone.title,
            "progress": self.progress,
            "difficulties": self.difficulties,
            "needs": self.needs,
            "next_steps": self.next_steps,
            "indicators": [
                {
                    name: getattr(indicator, name)
                    for name in ("name", "unit", "baseline", "target", "value", "method")
                }
                for indicator in self.indicators.all()
            ],
        }


class ReportIndicator(models.Model):
    """An indicator of the experimenter's protocol, as measured for one report."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("report")
    )
    name = models.CharField(_("indicator"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    baseline = models.CharField(_("baseline"), max_length=60, blank=True)
    target = models.CharField(_("target"), max_length=60, blank=True)
    value = models.CharField(_("value measured"), max_length=60, blank=True)
    method = models.CharField(_("how it is measured"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["report", "pk"]

    def __str__(self):
        return self.name


def _report_file_path(instance, filename):
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"reports/{instance.report_id}/{uuid.uuid4().hex}{suffix}"


class ReportFile(PrivateFile):
    """A photo or a document of a report (checked, kept privately)."""

    PHOTOS = "photos"
    DOCUMENTS = "documents"
    SLOTS = {PHOTOS: ("image", MAX_REPORT_PHOTOS), DOCUMENTS: ("pdf", MAX_REPORT_DOCUMENTS)}

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="files", verbose_name=_("report")
    )
    slot = models.CharField(
        _("kind"),
        max_length=20,
        choices=[(PHOTOS, _("Photo")), (DOCUMENTS, _("Document"))],
    )
    file = models.FileField(_("file"), storage=private_storage, upload_to=_report_file_path)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("file of a report")
        verbose_name_plural = _("files of the report")
        ordering = ["slot", "uploaded_at", "pk"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("experimenters:report_file", args=[self.report_id, self.pk])

    @property
    def delete_url(self):
        return reverse("experimenters:report_file_delete", args=[self.report_id, self.pk])


class ReportStatusChange(StatusHistory):
    """One row per move of a report: who, when, from, to and why."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="history", verbose_name=_("report")
    )
    from_status = models.CharField(_("from"), max_length=20, choices=ReportStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=ReportStatus.choices)

    class Meta(StatusHistory.Meta):
        verbose_name = _("report status change")
        verbose_name_plural = _("report history")

    def __str__(self):
        return f"{self.report_id} {self.from_status} → {self.to_status}"


class ReportVersion(FiledVersion):
    """What a report filed at one submission (its answers, indicators and files)."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="versions", verbose_name=_("report")
    )

    class Meta:
        verbose_name = _("submitted version of a report")
        verbose_name_plural = _("submitted versions")
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="report_version_unique")
        ]

    def __str__(self):
        return f"{self.report_id} v{self.number}"


class ReportReminder(models.Model):
    """A reminder about a report that went out: at most one per report, due date and offset
    (hours before the due date; 0 is the notice that it is late). A new due date (changes
    requested) has its own reminders."""

    LATE = 0

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("report")
    )
    due_at = models.DateTimeField(pgettext_lazy("a report", "due on"))
    offset = models.PositiveIntegerField(_("hours before the due date"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    recipients = models.TextField(_("recipients"), blank=True)

    class Meta:
        verbose_name = _("reminder about a report")
        verbose_name_plural = _("reminders about reports")
        ordering = ["sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "due_at", "offset"], name="report_reminder_once"
            )
        ]

    def __str__(self):
        return f"{self.report_id} -{self.offset}h"

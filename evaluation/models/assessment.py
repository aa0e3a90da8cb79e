"""The assessment of one experimentation: its three sides, the experimenter's protocol, the
outcome of the solution, extensions granted and reminders sent — and the programme
questionnaire each municipality and organisation answers once per campaign.

Three parties fill the common grid separately (``Party``): the experimenter (self-assessment),
the municipality hosting the district and the Paris&Co project manager. Each fills its own
``AssessmentSide``; the experimenter's side also carries the protocol (level 1) and the outcome.
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from calls.models.files import PrivateFile, private_storage

from .campaign import AssessmentCampaign, GridCriterion


class Party(models.TextChoices):
    EXPERIMENTER = "experimenter", _("Experimenter")
    MUNICIPALITY = "municipality", _("Municipality")
    MANAGER = "manager", _("Paris&Co project manager")


class Outcome(models.TextChoices):
    CONTINUED = "continued", _("Continued in the district")
    EXTENDED = "extended", _("Extended to other municipalities")
    COMMERCIALISED = "commercialised", _("Commercialised")
    STOPPED = "stopped", _("Stopped")


class Assessment(models.Model):
    """One experimentation assessed in a campaign, and what became of its solution."""

    campaign = models.ForeignKey(
        AssessmentCampaign,
        on_delete=models.CASCADE,
        related_name="assessments",
        verbose_name=_("campaign"),
    )
    experimentation = models.ForeignKey(
        "experimenters.Experimentation",
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("experimentation"),
    )
    # What became of the solution (filled by the experimenter with its side)
    outcome = models.CharField(
        _("what became of the solution"), max_length=20, blank=True, choices=Outcome.choices
    )
    outcome_details = models.TextField(
        _("details"),
        blank=True,
        max_length=5000,
        help_text=_(
            "Where it continues, which municipalities, which contracts, or why it stopped."
        ),
    )
    contracts = models.PositiveIntegerField(_("contracts signed"), null=True, blank=True)
    contracts_amount = models.DecimalField(
        _("amount of the contracts (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    jobs_created = models.PositiveIntegerField(_("jobs created"), null=True, blank=True)
    funds_raised = models.DecimalField(
        _("funds raised (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    users_reached = models.PositiveIntegerField(_("users reached"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = [
            "campaign",
            "experimentation__district__name",
            "experimentation__application__reference",
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "experimentation"], name="assessment_once_per_campaign"
            )
        ]

    def __str__(self):
        return str(self.experimentation)

    @property
    def applicant(self):
        """The experimenter's applicant: whom ``qmi.rules.is_member`` asks about."""
        return self.experimentation.application.applicant


class AssessmentSide(models.Model):
    """What one party says of an experimentation: its grid, and its comment on the protocol
    (the municipality and the project manager) — submitted once, then read-only."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="sides", verbose_name=_("assessment")
    )
    party = models.CharField(_("party"), max_length=20, choices=Party.choices)
    protocol_comment = models.TextField(
        _("comment on the protocol"),
        blank=True,
        max_length=5000,
        help_text=_("What you think of the indicators, their measures and their evidence."),
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
    updated_at = models.DateTimeField(_("last saved at"), auto_now=True)

    class Meta:
        verbose_name = _("side of an assessment")
        verbose_name_plural = _("sides of the assessments")
        ordering = ["assessment", "party"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "party"], name="assessment_side_once")
        ]

    def __str__(self):
        return f"{self.assessment} — {self.get_party_display()}"

    @property
    def is_submitted(self):
        return self.submitted_at is not None


class GridAnswer(models.Model):
    """A party's score of one criterion, with its justification."""

    side = models.ForeignKey(
        AssessmentSide, on_delete=models.CASCADE, related_name="answers", verbose_name=_("side")
    )
    criterion = models.ForeignKey(
        GridCriterion, on_delete=models.CASCADE, related_name="answers", verbose_name=_("criterion")
    )
    score = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    justification = models.TextField(_("justification"), blank=True, max_length=3000)

    class Meta:
        verbose_name = _("answer of the grid")
        verbose_name_plural = _("answers of the grid")
        ordering = ["side", "criterion__axis__position", "criterion__position", "criterion"]
        constraints = [
            models.UniqueConstraint(fields=["side", "criterion"], name="grid_answer_once")
        ]

    def __str__(self):
        return f"{self.criterion}: {self.score or '—'}"


class ProtocolIndicator(models.Model):
    """An indicator of the experimenter's own protocol (level 1), measured against its target.

    Its achievement is computed (``evaluation.assessment.protocol.achievement``), never typed."""

    class Source(models.TextChoices):
        FOLLOW_UP = "follow_up", _("Declared during the follow-up")
        ADDED = "added", _("Added for the assessment")

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="indicators",
        verbose_name=_("assessment"),
    )
    name = models.CharField(_("indicator"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40, blank=True, help_text=_("e.g. %, kg, users"))
    baseline = models.DecimalField(
        _("baseline"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    target = models.DecimalField(
        _("target"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    measured = models.DecimalField(
        _("value measured"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    method = models.CharField(_("how it is measured"), max_length=300, blank=True)
    frequency = models.CharField(_("how often"), max_length=100, blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.ADDED
    )
    position = models.PositiveSmallIntegerField(pgettext_lazy("ordering", "position"), default=0)

    class Meta:
        verbose_name = _("indicator of the protocol")
        verbose_name_plural = _("indicators of the protocol")
        ordering = ["assessment", "position", "pk"]

    def __str__(self):
        return self.name


def _evidence_path(instance, filename):
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"assessments/{instance.assessment_id}/{uuid.uuid4().hex}{suffix}"


class Evidence(PrivateFile):
    """A file proving the measures of the protocol (checked, kept privately)."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("assessment")
    )
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=_evidence_path, max_length=255
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["assessment", "uploaded_at", "pk"]

    def __str__(self):
        return self.original_name


class AssessmentExtension(models.Model):
    """A later close granted by staff to one party of one assessment, with its reason."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="extensions",
        verbose_name=_("assessment"),
    )
    party = models.CharField(_("party"), max_length=20, choices=Party.choices)
    closes_at = models.DateTimeField(_("new close"))
    reason = models.TextField(_("reason"), max_length=2000)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        ordering = ["assessment", "party", "-granted_at"]

    def __str__(self):
        return f"{self.assessment} — {self.get_party_display()}: {self.closes_at:%Y-%m-%d %H:%M}"


class AssessmentReminder(models.Model):
    """A reminder sent to one party before its close: once per side, close and offset."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("assessment")
    )
    party = models.CharField(_("party"), max_length=20, choices=Party.choices)
    closes_at = models.DateTimeField(_("close reminded of"))
    offset = models.PositiveIntegerField(_("hours before the close"))
    sent_at = models.DateTimeField(_("sent at"))
    recipients = models.TextField(_("recipients"), blank=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "party", "closes_at", "offset"],
                name="assessment_reminder_once",
            )
        ]

    def __str__(self):
        return f"{self.assessment} — {self.get_party_display()} ({self.sent_at:%Y-%m-%d})"


RATING = [MinValueValidator(1), MaxValueValidator(5)]


class ProgrammeFeedback(models.Model):
    """What a municipality or an organisation thought of the programme, once per campaign."""

    campaign = models.ForeignKey(
        AssessmentCampaign,
        on_delete=models.CASCADE,
        related_name="feedback",
        verbose_name=_("campaign"),
    )
    applicant = models.ForeignKey(
        "qmi.Applicant", on_delete=models.CASCADE, related_name="+", verbose_name=_("respondent")
    )
    support = models.PositiveSmallIntegerField(
        _("the support of Paris&Co"), null=True, blank=True, validators=RATING
    )
    training = models.PositiveSmallIntegerField(
        _("the training days"), null=True, blank=True, validators=RATING
    )
    network = models.PositiveSmallIntegerField(
        _("the network of the programme"), null=True, blank=True, validators=RATING
    )
    worked_well = models.TextField(_("what worked well"), blank=True, max_length=5000)
    to_change = models.TextField(_("what to change"), blank=True, max_length=5000)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    updated_at = models.DateTimeField(_("last saved at"), auto_now=True)

    class Meta:
        verbose_name = _("questionnaire on the programme")
        verbose_name_plural = _("questionnaires on the programme")
        ordering = ["campaign", "applicant__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "applicant"], name="programme_feedback_once"
            )
        ]

    def __str__(self):
        return f"{self.campaign} — {self.applicant}"

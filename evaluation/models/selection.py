"""The jury of a call, its criteria, the assignment of applications to jury members, their
declarations of conflict of interest, their reviews and scores, and the decisions staff
record before they publish the call's results."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from calls.models import Application, Call
from qmi.i18n import localized


class Phase(models.TextChoices):
    PREPARATION = "preparation", _("Preparation: declarations of conflicts, reading")
    SCORING = "scoring", _("Scoring")
    DELIBERATION = "deliberation", _("Deliberation: every member sees the others' scores")
    CLOSED = "closed", _("Closed")


class CallJury(models.Model):
    """The jury settings of a call: its phase, how many members review each application and
    when a disagreement is worth discussing."""

    call = models.OneToOneField(
        Call, on_delete=models.CASCADE, related_name="jury", verbose_name=_("call")
    )
    phase = models.CharField(
        _("phase"), max_length=20, choices=Phase.choices, default=Phase.PREPARATION
    )
    reviewers_per_application = models.PositiveSmallIntegerField(
        _("jury members per application"),
        default=2,
        validators=[MinValueValidator(1)],
        help_text=_("How many members the automatic assignment gives each application."),
    )
    disagreement_threshold = models.DecimalField(
        _("disagreement threshold"),
        max_digits=5,
        decimal_places=2,
        default=1.5,
        help_text=_(
            "An application is flagged for discussion when the standard deviation of its "
            "jury totals is above this many points of the scale."
        ),
    )

    class Meta:
        verbose_name = _("jury of a call")
        verbose_name_plural = _("juries")

    def __str__(self):
        return str(self.call)

    @property
    def allows_scoring(self):
        return self.phase == Phase.SCORING

    @property
    def shows_others_scores(self):
        return self.phase in (Phase.DELIBERATION, Phase.CLOSED)

    @property
    def allows_declarations(self):
        return self.phase != Phase.CLOSED


class JuryMemberQuerySet(models.QuerySet):
    def of(self, user):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(user=user)


class JuryMember(models.Model):
    """A person on the jury of a call; ordinary users (not staff) added by staff. Limited to
    some innovation districts when ``districts`` is set."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="jury_members", verbose_name=_("call")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="jury_seats",
        verbose_name=_("user"),
    )
    districts = models.ManyToManyField(
        "municipalities.InnovationDistrict",
        blank=True,
        related_name="+",
        verbose_name=_("limited to the districts"),
        help_text=_("Empty: every application of the call."),
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    objects = JuryMemberQuerySet.as_manager()
    history = HistoricalRecords()  # who added or removed a member, and when (deletions kept)

    class Meta:
        verbose_name = _("jury member")
        verbose_name_plural = _("jury members")
        ordering = ["call", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["call", "user"], name="jury_member_once_per_call")
        ]

    def __str__(self):
        return f"{self.user} ({self.call})"


class Criterion(models.Model):
    """A criterion of a call's jury: a weight and a scale from 0 to ``scale_max``."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("call")
    )
    label = models.CharField(_("label (French)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)
    guidance = models.TextField(_("guidance (French)"), blank=True)
    guidance_en = models.TextField(_("guidance (English)"), blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(1)]
    )
    scale_max = models.PositiveSmallIntegerField(
        _("scale"),
        default=5,
        validators=[MinValueValidator(1)],
        help_text=_("Scores go from 0 to this value, e.g. 5 or 10."),
    )
    position = models.PositiveSmallIntegerField(pgettext_lazy("ordering", "position"), default=0)
    history = HistoricalRecords()  # who changed a weight or a scale, and when

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["call", "position", "pk"]

    def __str__(self):
        return self.localized_label

    @property
    def localized_label(self):
        return localized(self, "label")

    @property
    def localized_guidance(self):
        return localized(self, "guidance")


class AssignmentQuerySet(models.QuerySet):
    def of(self, user):
        """Every assignment of ``user``, declared or not (the list where they declare)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(jury_member__user=user)

    def visible_to(self, user):
        """The assignments whose dossier ``user`` may open: theirs, with a declaration of no
        conflict of interest. Lists use it, so they never show what the dossier page refuses."""
        return self.of(user).filter(conflict__has_conflict=False)


class Assignment(models.Model):
    """An application given to a jury member to review (by staff or automatically)."""

    jury_member = models.ForeignKey(
        JuryMember,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("jury member"),
    )
    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("application"),
    )
    automatic = models.BooleanField(_("assigned automatically"), default=False)
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["application__reference", "jury_member__user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["jury_member", "application"], name="assignment_once_per_member"
            )
        ]

    def __str__(self):
        return f"{self.application} → {self.jury_member.user}"

    def get_absolute_url(self):
        return reverse("evaluation:dossier", kwargs={"reference": self.application.reference})


class ConflictDeclaration(models.Model):
    """What a jury member declared about an assigned application. Kept for the record: its
    assignment cannot be deleted, and a conflict once declared is never withdrawn."""

    assignment = models.OneToOneField(
        Assignment,
        on_delete=models.PROTECT,
        related_name="conflict",
        verbose_name=_("assignment"),
    )
    has_conflict = models.BooleanField(_("conflict of interest"))
    reason = models.TextField(_("reason"), blank=True)
    declared_at = models.DateTimeField(_("declared at"))

    class Meta:
        verbose_name = _("declaration of interests")
        verbose_name_plural = _("declarations of interests")
        ordering = ["-declared_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(has_conflict=False) | ~Q(reason=""),
                name="conflict_has_a_reason",
            )
        ]

    def __str__(self):
        state = _("conflict of interest") if self.has_conflict else _("no conflict")
        return f"{self.assignment}: {state}"


class Recommendation(models.TextChoices):
    SELECT = "select", _("Select")
    WAITLIST = "waitlist", _("Waiting list")
    REJECT = "reject", _("Do not select")


class ReviewQuerySet(models.QuerySet):
    def counted(self):
        """The reviews that count in the ranking: final, not abstained, by a member who
        declared no conflict."""
        return self.filter(
            status=Review.Status.FINAL,
            abstain=False,
            total__isnull=False,
            assignment__conflict__has_conflict=False,
        )


class Review(models.Model):
    """A jury member's evaluation of an assigned application: a draft, then final."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        FINAL = "final", _("Final")

    assignment = models.OneToOneField(
        Assignment, on_delete=models.CASCADE, related_name="review", verbose_name=_("assignment")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    overall_opinion = models.TextField(_("overall opinion"), blank=True)
    recommendation = models.CharField(
        _("recommendation"), max_length=10, choices=Recommendation.choices, blank=True
    )
    abstain = models.BooleanField(_("I abstain"), default=False)
    total = models.FloatField(
        _("weighted total"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Σ weight × score / Σ weight, on the scale; set when the review is final."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last saved at"), auto_now=True)
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["assignment__application__reference", "pk"]
        indexes = [models.Index(fields=["status", "abstain"])]

    def __str__(self):
        return str(self.assignment)

    @property
    def is_final(self):
        return self.status == self.Status.FINAL


class Score(models.Model):
    """The score a review gives on one criterion, with a comment."""

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="scores", verbose_name=_("review")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="scores", verbose_name=_("criterion")
    )
    value = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="score_once_per_criterion")
        ]

    def __str__(self):
        return f"{self.criterion}: {self.value}"


class Decision(models.Model):
    """The outcome staff record for an application: pending, invisible to the applicant, until
    the call's results are published (``evaluation.publication.publish_results``)."""

    class Outcome(models.TextChoices):
        SELECTED = "selected", _("Selected")
        WAITLISTED = "waitlisted", _("Waitlisted")
        REJECTED = "rejected", _("Not selected")

    application = models.OneToOneField(
        Application,
        on_delete=models.CASCADE,
        related_name="decision",
        verbose_name=_("application"),
    )
    outcome = models.CharField(_("decision"), max_length=20, choices=Outcome.choices)
    district = models.ForeignKey(
        "municipalities.InnovationDistrict",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("innovation district"),
        help_text=_("Call for experimenters: the district the project is assigned to."),
    )
    reason_shared = models.TextField(
        _("reason shared with the applicant"),
        blank=True,
        help_text=_("Quoted in the decision e-mail."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    history = HistoricalRecords()  # every change of a decision before its publication

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["application__reference"]

    def __str__(self):
        return f"{self.application}: {self.get_outcome_display()}"

    @property
    def applied_at(self):
        """When the decision was applied: the publication of the call's results (None before)."""
        return self.application.call.results_published_at

    @property
    def is_pending(self):
        return self.applied_at is None

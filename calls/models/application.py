"""The application envelope shared by both calls, its status history, correction requests
and the versions filed at each submission."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from calls.domain.kinds import content_for, spec_for
from calls.domain.workflow import DECISIONS, STATES, UNDER_REVIEW, Status
from qmi.models import StatusHistory

from .call import Call
from .deadlines import DeadlineExtension
from .programme import Edition


class ReferenceSequence(models.Model):
    """The last number handed out for an edition and a kind of call (``QMI2-M-0007``)."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Call.Kind.choices)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["edition", "kind"], name="reference_sequence_unique")
        ]

    def __str__(self):
        return f"{self.edition_id}-{self.kind}: {self.last}"


class ApplicationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Applications the user may open on the applicant side: those of the applicants they
        are a confirmed member of."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            applicant__memberships__user=user, applicant__memberships__confirmed_at__isnull=False
        )

    def with_deadline(self):
        """Each application with ``own_deadline``: the later deadline staff granted its
        applicant for its call (``DeadlineExtension``), or None — one subquery, no query per
        row for ``Application.deadline``."""
        return self.annotate(
            own_deadline=models.Subquery(
                DeadlineExtension.objects.filter(
                    call=models.OuterRef("call"), applicant=models.OuterRef("applicant")
                ).values("closes_at")[:1]
            )
        )

    def active(self):
        return self.exclude(status=Status.WITHDRAWN)


class Application(models.Model):
    """The envelope of what an applicant submits to a call, the same for both calls.

    The answers live in a content model of the call's kind (``municipalities`` or
    ``experimenters``), one-to-one with this envelope.
    """

    call = models.ForeignKey(
        Call, on_delete=models.PROTECT, related_name="applications", verbose_name=_("call")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Call.Kind.choices, editable=False)
    applicant = models.ForeignKey(
        "qmi.Applicant",
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("applicant"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
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
    fingerprint = models.CharField(
        _("fingerprint (SHA-256)"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("Of the content submitted, shown on the deposit receipt."),
    )
    one_per_applicant = models.BooleanField(
        _("one per applicant"),
        default=False,
        editable=False,
        help_text=_("The kind of call takes one active application per applicant and call."),
    )
    decision_told_at = models.DateTimeField(
        _("decision told early at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("An ineligibility told to the applicant before the call's results."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last saved at"), auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "applicant"],
                condition=Q(one_per_applicant=True) & ~Q(status=Status.WITHDRAWN),
                name="application_one_per_applicant_and_call",
            )
        ]
        indexes = [
            models.Index(fields=["call", "status"]),
            models.Index(fields=["applicant", "-created_at"]),
            # The staff list's default order, so a page of 100 never sorts the whole table.
            models.Index(fields=["-created_at", "-id"], name="application_recent_first"),
            models.Index(fields=["kind", "-created_at", "-id"], name="application_kind_recent"),
        ]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return self.urls.edit

    @cached_property
    def urls(self):
        return ApplicationUrls(self)

    @property
    def state(self):
        return STATES[self.status]

    @property
    def public_status(self):
        """The status as the applicant may know it: a decision only once the call's results
        are published (or an ineligibility staff chose to tell early), "under_review" for every
        internal step before that."""
        if self.status in DECISIONS and self.decision_is_public:
            return self.status
        if self.state.public_label is UNDER_REVIEW:
            return "under_review"
        return self.status

    @property
    def decision_is_public(self):
        """The applicant may know its decision: the results are out, or staff told it early."""
        return bool(self.call.results_published_at or self.decision_told_at)

    @property
    def public_status_label(self):
        """What the applicant sees: decisions only once the call's results are published."""
        if self.status in DECISIONS and self.decision_is_public:
            return self.get_status_display()
        return self.state.public_label

    @property
    def has_receipt(self):
        """Submitted (and not a draft again): the receipt proves what it files now."""
        return self.status != Status.DRAFT and bool(self.fingerprint)

    @property
    def spec(self):
        """The registration of the kind of call (``calls.domain.kinds.KindSpec``)."""
        return spec_for(self.kind)

    @property
    def content(self):
        """The answers of this application, in the content model of its kind."""
        return content_for(self)

    @cached_property
    def deadline(self):
        """The applicant's own deadline for the call: the later one staff granted it
        (``DeadlineExtension``), or the call's."""
        if hasattr(self, "own_deadline"):  # annotated by ``with_deadline``
            own = self.own_deadline
        else:
            own = (
                DeadlineExtension.objects.filter(
                    call_id=self.call_id, applicant_id=self.applicant_id
                )
                .values_list("closes_at", flat=True)
                .first()
            )
        return own or self.call.closes_at

    @property
    def has_extension(self):
        return self.deadline != self.call.closes_at

    def is_open(self, now=None):
        """The call is open for this application: from its opening up to and including the
        applicant's own deadline; one second later, False."""
        now = now or timezone.now()
        return self.call.opens_at <= now <= self.deadline

    def deadline_passed(self, now=None):
        return (now or timezone.now()) > self.deadline

    def open_correction(self):
        """The correction request the applicant has still to answer, or None."""
        return self.correction_requests.filter(resolved_at__isnull=True).first()


class ApplicationUrls:
    """URLs of an application, so templates, e-mails and tests never rebuild them."""

    def __init__(self, application):
        self._ref = application.reference

    def _r(self, name):
        return reverse(f"calls:{name}", kwargs={"reference": self._ref})

    @property
    def edit(self):
        return self._r("application")

    @property
    def autosave(self):
        return self._r("autosave")

    @property
    def review(self):
        return self._r("review")

    @property
    def submit(self):
        return self._r("submit")

    @property
    def reopen(self):
        return self._r("reopen")

    @property
    def withdraw(self):
        return self._r("withdraw")

    @property
    def place(self):
        return self._r("place")

    @property
    def done(self):
        return self._r("submitted")

    @property
    def absolute_edit(self):
        return settings.SITE_URL + self.edit

    @property
    def receipt(self):
        return self._r("receipt")

    @property
    def dossier(self):
        return self._r("dossier")


class StatusChange(StatusHistory):
    """One row per status change of an application: who, when, from, to and why."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="history", verbose_name=_("application")
    )
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices)

    class Meta(StatusHistory.Meta):
        verbose_name = _("status change")
        verbose_name_plural = _("status history")

    def __str__(self):
        return f"{self.application} {self.from_status} → {self.to_status}"


class CorrectionRequest(models.Model):
    """Staff sent the application back to its applicant: what to correct, and by when.

    Written by ``services.transition`` ("request_correction"); resolved when the applicant
    resubmits. The open request's due date is the deadline of the corrections.
    """

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="correction_requests",
        verbose_name=_("application"),
    )
    message = models.TextField(_("what to correct"))
    due_at = models.DateTimeField(_("due at"), help_text=_("Paris time."))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resubmitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(resolved_at__isnull=True),
                name="correction_one_open_per_application",
            )
        ]

    def __str__(self):
        return f"{self.application} ({self.due_at:%Y-%m-%d})"

    def is_overdue(self, now=None):
        return (now or timezone.now()) > self.due_at


class FiledVersion(models.Model):
    """What was filed at one submission — answers and files as JSON — numbered from 1
    (``calls.domain.versions.record``), so staff can see what changed between two. Each
    filed thing (an application, a report) has its own model of versions on this one."""

    number = models.PositiveIntegerField(_("version"))
    data = models.JSONField(_("answers"))
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        abstract = True


class ApplicationVersion(FiledVersion):
    """What the application filed at one submission (its answers and attachments)."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name=_("application"),
    )

    class Meta:
        verbose_name = _("submitted version")
        verbose_name_plural = _("submitted versions")
        ordering = ["application", "number"]
        constraints = [
            models.UniqueConstraint(fields=["application", "number"], name="version_unique_number")
        ]

    def __str__(self):
        return f"{self.application} v{self.number}"

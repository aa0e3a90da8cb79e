"""Editions, key dates, calls, the application envelope shared by both calls, its status
history and its attachments."""

import uuid
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.db import models
from django.db.models import Q
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import LazyObject, cached_property, empty
from django.utils.translation import gettext_lazy as _

from qmi.i18n import localized

from .offsets import DEFAULT_OFFSETS, validate_offsets
from .workflow import DECISIONS, STATES, UNDER_REVIEW, Status


class Edition(models.Model):
    """One edition of the programme, e.g. "2e édition 2023–2026"."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    title = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    is_current = models.BooleanField(
        _("current edition"), default=False, help_text=_("Shown on the home page.")
    )

    class Meta:
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="edition_one_current"
            )
        ]

    def __str__(self):
        return self.localized_title

    @property
    def localized_title(self):
        return localized(self, "title")


class KeyDate(models.Model):
    """A step of the edition's public timeline."""

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="key_dates", verbose_name=_("edition")
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    label = models.CharField(_("label (French)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)
    description = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    class Meta:
        verbose_name = _("key date")
        verbose_name_plural = _("key dates")
        ordering = ["starts_on", "pk"]

    def __str__(self):
        return f"{self.starts_on:%Y-%m-%d} {self.label}"

    @property
    def localized_label(self):
        return localized(self, "label")

    @property
    def localized_description(self):
        return localized(self, "description")


class CallQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def open_at(self, when):
        return self.filter(opens_at__lte=when, closes_at__gte=when)


class Call(models.Model):
    """A call for applications: for municipalities or for experimenters."""

    class Kind(models.TextChoices):
        MUNICIPALITIES = "municipalities", _("Call for municipalities")
        EXPERIMENTERS = "experimenters", _("Call for experimenters")

    edition = models.ForeignKey(
        Edition, on_delete=models.PROTECT, related_name="calls", verbose_name=_("edition")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    title = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description = models.TextField(_("description (French)"))
    description_en = models.TextField(_("description (English)"), blank=True)
    eligibility = models.TextField(_("eligibility (French)"), blank=True)
    eligibility_en = models.TextField(_("eligibility (English)"), blank=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(
        _("closes at"), help_text=_("Paris time. A submission after this instant is refused.")
    )
    max_selected = models.PositiveSmallIntegerField(
        _("maximum number selected"),
        default=4,
        help_text=_("Cap checked when results are published."),
    )
    is_published = models.BooleanField(_("published"), default=True)
    results_published_at = models.DateTimeField(_("results published at"), null=True, blank=True)
    reminder_offsets = models.CharField(
        _("deadline reminders"),
        max_length=100,
        default=DEFAULT_OFFSETS,
        blank=True,
        validators=[validate_offsets],
        help_text=_(
            "When drafts are reminded before the deadline: days (d) or hours (h), separated by "
            "commas, e.g. 14d, 7d, 2d, 1d. Empty: no reminder."
        ),
    )

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="call_closes_after_opening"
            )
        ]

    def __str__(self):
        return self.localized_title

    def get_absolute_url(self):
        return reverse("calls:detail", kwargs={"slug": self.slug})

    @property
    def localized_title(self):
        return localized(self, "title")

    @property
    def localized_description(self):
        return localized(self, "description")

    @property
    def localized_eligibility(self):
        return localized(self, "eligibility")

    @property
    def kind_letter(self):
        return "M" if self.kind == self.Kind.MUNICIPALITIES else "E"

    def is_open(self, now=None):
        """True from ``opens_at`` up to and including ``closes_at``; one second later, False."""
        now = now or timezone.now()
        return self.opens_at <= now <= self.closes_at

    def has_closed(self, now=None):
        return (now or timezone.now()) > self.closes_at

    def time_left(self, now=None):
        return max(self.closes_at - (now or timezone.now()), timedelta(0))


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
                condition=Q(kind="municipalities") & ~Q(status=Status.WITHDRAWN),
                name="application_one_per_municipality_and_call",
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
        are published, "under_review" for every internal step before that."""
        if self.status in DECISIONS and self.call.results_published_at:
            return self.status
        if self.state.public_label is UNDER_REVIEW:
            return "under_review"
        return self.status

    @property
    def public_status_label(self):
        """What the applicant sees: decisions only once the call's results are published."""
        if self.status in DECISIONS and self.call.results_published_at:
            return self.get_status_display()
        return self.state.public_label

    @property
    def has_receipt(self):
        """Submitted (and not a draft again): the receipt proves what it files now."""
        return self.status != Status.DRAFT and bool(self.fingerprint)

    @property
    def content(self):
        """The answers of this application, in the content model of its kind."""
        from .kinds import content_for

        return content_for(self)


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


class StatusChange(models.Model):
    """One row per status change: who, when, from, to and why."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="history", verbose_name=_("application")
    )
    transition = models.CharField(_("transition"), max_length=40)
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status history")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.application} {self.from_status} → {self.to_status}"


class _PrivateStorage(LazyObject):
    """The "private" storage of ``STORAGES``, looked up when first used and again after the
    setting changes (tests point it at a temporary folder)."""

    def _setup(self):
        self._wrapped = storages["private"]


PRIVATE_STORAGE = _PrivateStorage()


@receiver(setting_changed)
def _reset_private_storage(*, setting, **kwargs):
    if setting == "STORAGES":
        PRIVATE_STORAGE._wrapped = empty


def _private_storage():
    return PRIVATE_STORAGE


def _attachment_path(instance, filename):
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"applications/{instance.application_id}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """A file attached to an application, stored privately under a random name."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("application"),
    )
    slot = models.CharField(_("document"), max_length=40)
    file = models.FileField(_("file"), storage=_private_storage, upload_to=_attachment_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["slot", "uploaded_at"]
        indexes = [models.Index(fields=["application", "slot"])]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse(
            "calls:attachment",
            kwargs={"reference": self.application.reference, "pk": self.pk},
        )


class FaqEntry(models.Model):
    """A question of the public FAQ, edited by staff."""

    question = models.CharField(_("question (French)"), max_length=300)
    question_en = models.CharField(_("question (English)"), max_length=300, blank=True)
    answer = models.TextField(_("answer (French)"))
    answer_en = models.TextField(_("answer (English)"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_published = models.BooleanField(_("published"), default=True)

    class Meta:
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.question

    @property
    def localized_question(self):
        return localized(self, "question")

    @property
    def localized_answer(self):
        return localized(self, "answer")


class UrbanChallenge(models.Model):
    """One of the eight urban challenges of the programme (reference data, seeded)."""

    class Code(models.TextChoices):
        PUBLIC_SPACES = "public-spaces", _("Public spaces and urban services")
        CLIMATE = "climate", _("Adapting to climate change")
        FLOWS = "flows", _("Flows, mobility and logistics")
        LOCAL_ACTIVITIES = "local-activities", _("Local activities and shops")
        RENEWAL = "renewal", _("Urban renewal and worksites")
        HOUSING = "housing", _("Housing and changing uses")
        CIRCULAR = "circular", _("Circular economy")
        SPORT = "sport", _("Sport in the city")

    code = models.SlugField(_("code"), max_length=40, unique=True, choices=Code.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("urban challenge")
        verbose_name_plural = _("urban challenges")
        ordering = ["position"]

    def __str__(self):
        return str(self.Code(self.code).label)


class ReminderSent(models.Model):
    """A deadline reminder that went out: at most one per application and offset.

    The row is written in the same transaction as the sending, so the unique constraint is
    what makes a reminder go out once even when a worker dies mid-batch.
    """

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("application"),
    )
    offset = models.PositiveIntegerField(_("hours before the deadline"))
    deadline = models.DateTimeField(_("deadline"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    recipients = models.TextField(_("recipients"), blank=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        ordering = ["sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "offset"], name="reminder_once_per_application_offset"
            )
        ]

    def __str__(self):
        return f"{self.application_id} -{self.offset}h"

    @property
    def offset_label(self):
        from .offsets import offset_label

        return offset_label(self.offset)


def _export_path(instance, filename):
    return f"exports/{instance.pk}/{PurePath(filename).name}"


class ExportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Jobs the user may follow and download: staff all, others their own."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(requested_by=user)


class ExportJob(models.Model):
    """A pack of dossiers or an export built in the background, and its file while it lasts."""

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

    objects = ExportJobQuerySet.as_manager()

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


class ApplicationVersion(models.Model):
    """What the application filed at one submission (its answers and attachments as JSON), so
    staff can see what changed between two submissions."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name=_("application"),
    )
    number = models.PositiveIntegerField(_("version"))
    data = models.JSONField(_("answers"))
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        verbose_name = _("submitted version")
        verbose_name_plural = _("submitted versions")
        ordering = ["application", "number"]
        constraints = [
            models.UniqueConstraint(fields=["application", "number"], name="version_unique_number")
        ]

    def __str__(self):
        return f"{self.application} v{self.number}"


class Notification(models.Model):
    """One message sent through ``notifications.send``: to whom, what, when, and whether the
    mail server took it."""

    class State(models.TextChoices):
        PENDING = "pending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=60, db_index=True)
    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("application"),
    )
    recipients = models.TextField(_("recipients"))
    subject = models.CharField(_("subject"), max_length=255)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    status = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["application", "kind"])]

    def __str__(self):
        return f"{self.kind} → {self.recipients}"

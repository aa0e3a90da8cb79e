"""The place offered to a laureate once the results are out: accepted or declined by a due
date; a decline frees the place for the waiting list."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from .application import Application


class Offer(models.Model):
    """A selected application's place, waiting for its applicant's answer until ``due_at``
    (``calls.domain.offers``). Opened at the publication of the results, or when staff
    promote an application from the waiting list."""

    class Answer(models.TextChoices):
        WAITING = "", _("Waiting for the answer")
        ACCEPTED = "accepted", pgettext_lazy("the answer to a place", "Accepted")
        DECLINED = "declined", pgettext_lazy("the answer to a place", "Declined")

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="offer", verbose_name=_("application")
    )
    due_at = models.DateTimeField(_("answer due by"))
    answer = models.CharField(
        _("answer"), max_length=10, choices=Answer.choices, blank=True, default=Answer.WAITING
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    note = models.TextField(_("reason given"), blank=True)
    reminded_for = models.DateTimeField(
        _("reminded before"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The due date the applicant was reminded of (again if staff move it)."),
    )
    created_at = models.DateTimeField(_("offered at"), default=timezone.now)
    history = HistoricalRecords()  # a due date moved by staff, the answer

    class Meta:
        verbose_name = _("offer of a place")
        verbose_name_plural = _("offers of a place")
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["answer", "due_at"])]

    def __str__(self):
        return f"{self.application}: {self.get_answer_display()}"

    @property
    def waiting(self):
        return self.answer == self.Answer.WAITING

    def is_overdue(self, now=None):
        return self.waiting and (now or timezone.now()) > self.due_at

    @property
    def answerable(self):
        """Waiting for its answer, and its due date not passed."""
        return self.waiting and not self.is_overdue()

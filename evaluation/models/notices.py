"""The decision e-mail sent to an applicant once its call's results are published: one per
application, whatever the retries and workers (``evaluation.announcements``)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calls.models import Application


class DecisionNotice(models.Model):
    """The decision e-mail of an application went out: written in the transaction that sends
    it, unique per application, so it goes once."""

    application = models.OneToOneField(
        Application,
        on_delete=models.CASCADE,
        related_name="decision_notice",
        verbose_name=_("application"),
    )
    kind = models.CharField(_("message"), max_length=60)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    recipients = models.TextField(_("recipients"), blank=True)

    class Meta:
        verbose_name = _("decision e-mail sent")
        verbose_name_plural = _("decision e-mails sent")

    def __str__(self):
        return f"{self.application_id}: {self.kind}"

"""What follows a change of the jury's set-up, whoever makes it (admin, shell, demo)."""

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .apps import JURY_SESSION_KEY
from .models import Criterion, JuryMember
from .services import refresh_totals


@receiver(post_save, sender=Criterion, dispatch_uid="evaluation.criterion_saved")
@receiver(post_delete, sender=Criterion, dispatch_uid="evaluation.criterion_deleted")
def criterion_changed(sender, instance, **kwargs):
    """A weight or scale changed, or a criterion went: the stored review totals follow."""
    refresh_totals(instance.call_id)


@receiver(user_logged_in, dispatch_uid="evaluation.jury_seat")
def remember_jury_seat(sender, request, user, **kwargs):
    """Keep in the session whether the user sits on a jury, so the menu shows the jury space
    without a query on every page."""
    if request is not None and hasattr(request, "session"):
        request.session[JURY_SESSION_KEY] = JuryMember.objects.filter(user=user).exists()

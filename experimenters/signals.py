"""What follows a sign-in for the experimentations."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .experimentation import followed_by

EXPERIMENTATIONS_SESSION_KEY = "qmi_experimentations"


@receiver(user_logged_in, dispatch_uid="experimenters.experimentations")
def remember_experimentations(sender, request, user, **kwargs):
    """Keep in the session whether the user follows an experimentation, so the menu shows
    them without a query on every page."""
    if request is not None and hasattr(request, "session"):
        request.session[EXPERIMENTATIONS_SESSION_KEY] = followed_by(user).exists()

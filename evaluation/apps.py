from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

JURY_SESSION_KEY = "qmi_jury"


class EvaluationConfig(AppConfig):
    name = "evaluation"
    demo = "evaluation.demo"  # demo data module for ``manage.py seed_demo``
    verbose_name = _("Evaluation")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from calls.interfaces.exports import register_column_provider

        from .exports import score_columns

        register_column_provider(score_columns)
        user_logged_in.connect(remember_jury_seat, dispatch_uid="evaluation.jury_seat")


def remember_jury_seat(sender, request, user, **kwargs):
    """Keep in the session whether the user sits on a jury, so the menu shows the jury space
    without a query on every page."""
    from .models import JuryMember

    if request is not None and hasattr(request, "session"):
        request.session[JURY_SESSION_KEY] = JuryMember.objects.filter(user=user).exists()

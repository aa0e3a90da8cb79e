from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

JURY_SESSION_KEY = "qmi_jury"


class EvaluationConfig(AppConfig):
    name = "evaluation"
    demo = "evaluation.demo"  # demo data module for ``manage.py seed_demo``
    verbose_name = _("Evaluation")

    def ready(self):
        from calls.interfaces.exports import register_column_provider

        from . import signals  # noqa: F401 — connects the receivers
        from .exports import score_columns

        register_column_provider(score_columns)


from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "calls"
    demo = "calls.demo"  # demo data module for ``manage.py seed_demo``
    verbose_name = _("Calls and applications")

    def ready(self):
        from qmi import mail

        from .domain import contacts, notifications, sessions  # noqa: F401 (their sources)

        mail.register_recorder(notifications.record)
        mail.register_message("acknowledgement", notifications.acknowledgement_message)
        mail.register_message("correction_requested", notifications.correction_message)

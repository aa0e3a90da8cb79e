from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QmiConfig(AppConfig):
    name = "qmi"
    verbose_name = _("Accounts and organisations")

    def ready(self):
        from . import mail, middleware, services  # noqa: F401 — middleware: its receiver

        mail.register_message("membership_confirmed", services.membership_confirmed_message)
        mail.register_message("invitation", services.invitation_message)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QmiConfig(AppConfig):
    name = "qmi"
    verbose_name = _("Accounts and organisations")

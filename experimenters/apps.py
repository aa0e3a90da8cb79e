from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExperimentersConfig(AppConfig):
    name = "experimenters"
    verbose_name = _("Experimenters")

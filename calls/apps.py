from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "calls"
    demo = "calls.demo"  # demo data module for ``manage.py seed_demo``
    verbose_name = _("Calls and applications")

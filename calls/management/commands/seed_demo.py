from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_module

from calls.demo import PASSWORD


def demo_modules():
    """The demo module of every app that declares one (``AppConfig.demo``), in the order of
    ``INSTALLED_APPS``: each has ``ACCOUNTS`` [(e-mail, role shown, …)] and ``seed()``, and
    may have ``follow_up()``, run once every module has seeded."""
    return [
        import_module(config.demo)
        for config in apps.get_app_configs()
        if getattr(config, "demo", "")
    ]


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Allow outside DEBUG.")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError("Demo data is for development only (DEBUG is off).")
        modules = demo_modules()
        for module in modules:
            module.seed()
        # What builds on the other apps' demo data (e.g. experimentations once results are
        # published), in the same order.
        for module in modules:
            if hasattr(module, "follow_up"):
                module.follow_up()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Demo accounts (password: {PASSWORD}):")
        )
        for module in modules:
            for email, label, *_ in module.ACCOUNTS:
                self.stdout.write(f"  {email:<24} {label}")
        self.stdout.write("Admin: http://127.0.0.1:8000/admin/  Portal: http://127.0.0.1:8000/")

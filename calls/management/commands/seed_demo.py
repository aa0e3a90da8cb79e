from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from django.utils.module_loading import import_module

from calls.demo import PASSWORD

CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"
# What the demo's e-mails go to while it seeds, instead of the console: nothing (each is still
# recorded as a Notification by the portal)
QUIET_BACKEND = "django.core.mail.backends.dummy.EmailBackend"


def demo_modules():
    """The demo module of every app that declares one (``AppConfig.demo``), in the order of
    ``INSTALLED_APPS``: each has ``ACCOUNTS`` [(e-mail, role shown, …)] and ``seed()``, and
    may have ``follow_up()``, run once every module has seeded."""
    return [
        import_module(config.demo)
        for config in apps.get_app_configs()
        if getattr(config, "demo", "")
    ]


def seeding_backend():
    """The e-mail backend while the demo seeds: the console one (``make run``) prints
    every message, hundreds of lines above the demo accounts, so its messages are not
    printed then; the console stays for what the developer does next. Any other backend
    is kept (the tests' outbox, a real server)."""
    return QUIET_BACKEND if settings.EMAIL_BACKEND == CONSOLE_BACKEND else settings.EMAIL_BACKEND


class Command(BaseCommand):
    help = (
        "Load the demo data (idempotent) and print the demo accounts, last. The e-mails the "
        "demo sends are not printed by the console e-mail backend."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Allow outside DEBUG.")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError("Demo data is for development only (DEBUG is off).")
        modules = demo_modules()
        backend = seeding_backend()
        with override_settings(EMAIL_BACKEND=backend):
            for module in modules:
                module.seed()
            # What builds on the other apps' demo data (e.g. experimentations once results
            # are published), in the same order.
            for module in modules:
                if hasattr(module, "follow_up"):
                    module.follow_up()
        if backend == QUIET_BACKEND:
            self.stdout.write("The demo's e-mails are recorded in the admin, not printed.")
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Demo accounts (password: {PASSWORD}):")
        )
        for module in modules:
            for email, label, *_ in module.ACCOUNTS:
                self.stdout.write(f"  {email:<24} {label}")
        self.stdout.write("Admin: http://127.0.0.1:8000/admin/  Portal: http://127.0.0.1:8000/")
        if not settings.MFA_REQUIRED:
            self.stdout.write(
                "Two-step verification, required of staff and jury in production, is off in "
                "this demo (MFA_REQUIRED=False): the password is enough."
            )

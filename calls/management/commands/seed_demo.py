from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from calls.demo import ACCOUNTS, PASSWORD, seed
from evaluation import demo as evaluation_demo
from experimenters import demo as experimenters_demo


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Allow outside DEBUG.")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError("Demo data is for development only (DEBUG is off).")
        seed()
        experimenters_demo.seed()
        evaluation_demo.seed()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Demo accounts (password: {PASSWORD}):")
        )
        accounts = [*ACCOUNTS, *experimenters_demo.ACCOUNTS, *evaluation_demo.ACCOUNTS]
        for email, label, *_ in accounts:
            self.stdout.write(f"  {email:<24} {label}")
        self.stdout.write("Admin: http://127.0.0.1:8000/admin/  Portal: http://127.0.0.1:8000/")

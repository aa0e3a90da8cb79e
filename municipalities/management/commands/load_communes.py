from django.core.management.base import BaseCommand

from municipalities.models import Commune
from municipalities.reference import load_communes


class Command(BaseCommand):
    help = "Load or refresh the member communes of the Métropole from the reference file."

    def handle(self, *args, **options):
        created, updated = load_communes(Commune)
        self.stdout.write(
            f"Communes: {created} created, {updated} updated, {Commune.objects.count()} in all."
        )

"""``manage.py check_pdf``: can WeasyPrint make the portal's PDFs here? ``make run`` asks it
first; it warns (and says what to install) but does not stop the portal, unless ``--strict``."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from qmi.pdf_check import pdf_problem


class Command(BaseCommand):
    help = "Check that WeasyPrint, Pango and fonts can make the portal's PDFs."

    def add_arguments(self, parser):
        parser.add_argument(
            "--strict", action="store_true", help="Fail (exit status 1) if PDFs cannot be made."
        )

    def handle(self, *args, strict=False, **options):
        problem = pdf_problem()
        if problem is None:
            self.stdout.write(self.style.SUCCESS(_("PDFs: WeasyPrint works.")))
            return
        if strict:
            raise CommandError(problem)
        self.stderr.write(self.style.WARNING(_("Warning: %(problem)s") % {"problem": problem}))

"""Compile the portal's ``.po`` catalogues to ``.mo`` without GNU gettext.

Django's own ``compilemessages`` shells out to ``msgfmt``, which a fresh machine or a slim
container image may lack. This command does the same job with ``polib``: like ``msgfmt``
(without ``--use-fuzzy``) it leaves out fuzzy, obsolete and untranslated entries, and keeps the
header so that ``Plural-Forms`` reaches Django.
"""

import os
import tempfile
from pathlib import Path

import polib
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def locale_dirs():
    """The ``locale/`` folders of the portal: ``LOCALE_PATHS`` and those of its own apps."""
    base_dir = Path(settings.BASE_DIR).resolve()
    seen = []
    candidates = [Path(p) for p in settings.LOCALE_PATHS]
    candidates += [Path(app.path) / "locale" for app in apps.get_app_configs()]
    for path in candidates:
        path = path.resolve()
        # Third-party apps ship their own compiled catalogues: only ours are compiled here.
        if not path.is_relative_to(base_dir) or ".venv" in path.relative_to(base_dir).parts:
            continue
        if path.is_dir() and path not in seen:
            seen.append(path)
    return seen


def compile_po(po_path: Path) -> Path:
    """Write ``<name>.mo`` beside ``po_path`` atomically and return its path."""
    mo_path = po_path.with_suffix(".mo")
    catalogue = polib.pofile(str(po_path), wrapwidth=0)
    fd, tmp_name = tempfile.mkstemp(dir=po_path.parent, prefix=".", suffix=".mo.tmp")
    os.close(fd)
    try:
        catalogue.save_as_mofile(tmp_name)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, mo_path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return mo_path


class Command(BaseCommand):
    help = "Compile the portal's locale/*/LC_MESSAGES/*.po files to .mo (no GNU gettext needed)."
    requires_system_checks = []

    def handle(self, *args, **options):
        compiled = 0
        for directory in locale_dirs():
            for po_path in sorted(directory.glob("*/LC_MESSAGES/*.po")):
                try:
                    mo_path = compile_po(po_path)
                except (OSError, ValueError) as exc:
                    raise CommandError(f"Cannot compile {po_path}: {exc}") from exc
                compiled += 1
                if options["verbosity"] >= 2:
                    self.stdout.write(f"  {mo_path.relative_to(settings.BASE_DIR)}")
        self.stdout.write(f"Compiled {compiled} translation file(s).")

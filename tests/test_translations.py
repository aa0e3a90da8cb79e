"""The French catalogue is complete and compiled, and the portal speaks French by default.

French is the canonical text of the portal (``LANGUAGE_CODE = "fr"``); the msgids are English.
``make test`` compiles the catalogues first; the module fixture compiles them again so that
this file also passes on its own.
"""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import trans_real

LOCALE = Path(settings.BASE_DIR) / "locale"
FR_PO = LOCALE / "fr" / "LC_MESSAGES" / "django.po"
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"

# printf placeholders (%(name)s, %(n)d, %s, %d) and the {name} fields read by the JavaScript.
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w+\}")


def placeholders(text):
    return set(PLACEHOLDER.findall(text.replace("%%", "")))


def live_entries(path):
    return [entry for entry in polib.pofile(str(path)) if not entry.obsolete]


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogues():
    call_command("compile_translations", verbosity=0)
    # Forget catalogues that earlier tests may have loaded before this compilation.
    trans_real._translations = {}
    trans_real._default = None
    yield


def test_french_catalogue_has_no_untranslated_or_fuzzy_entry():
    entries = live_entries(FR_PO)
    assert len(entries) > 500
    untranslated = [e.msgid for e in entries if not e.translated()]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert untranslated == []
    assert fuzzy == []


def test_french_plural_forms_header():
    catalogue = polib.pofile(str(FR_PO))
    assert catalogue.metadata["Language"] == "fr"
    assert catalogue.metadata["Plural-Forms"].replace(" ", "") == "nplurals=2;plural=(n>1);"


def test_french_translations_keep_the_placeholders():
    wrong = []
    for entry in live_entries(FR_PO):
        if entry.msgid_plural:
            allowed = (placeholders(entry.msgid), placeholders(entry.msgid_plural))
            forms = entry.msgstr_plural.values()
            if len(forms) != 2 or any(placeholders(form) not in allowed for form in forms):
                wrong.append(entry.msgid)
        elif placeholders(entry.msgstr) != placeholders(entry.msgid):
            wrong.append(entry.msgid)
    assert wrong == []


def test_english_catalogue_exists_and_is_complete():
    entries = live_entries(EN_PO)
    assert entries
    assert [e.msgid for e in entries if not e.translated()] == []
    assert {e.msgid for e in entries} == {e.msgid for e in live_entries(FR_PO)}


@pytest.mark.parametrize(
    ("msgid", "french"),
    [
        ("My space", "Mon espace"),
        ("Deadline:", "Date limite\u00a0:"),
        ("Legal notice", "Mentions légales"),
        ("Accessibility: non-compliant", "Accessibilité\u00a0: non conforme"),
    ],
)
def test_compiled_catalogue_is_used(msgid, french):
    with translation.override("fr"):
        assert translation.gettext(msgid) == french
    with translation.override("en"):
        assert translation.gettext(msgid) == msgid


def test_french_plural_is_chosen_by_french_rules():
    with translation.override("fr"):
        one = translation.ngettext("%(counter)s item missing", "%(counter)s items missing", 1)
        none = translation.ngettext("%(counter)s item missing", "%(counter)s items missing", 0)
        two = translation.ngettext("%(counter)s item missing", "%(counter)s items missing", 2)
    assert one == none == "%(counter)s élément manquant"
    assert two == "%(counter)s éléments manquants"


@pytest.mark.django_db
def test_home_page_is_french_by_default_and_english_on_request(client):
    page = client.get("/").content.decode()
    assert '<html lang="fr"' in page
    assert "Aller au contenu principal" in page
    assert "Mentions légales" in page
    assert "Skip to main content" not in page

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert '<html lang="en"' in page
    assert "Skip to main content" in page
    assert "Legal notice" in page
    assert "Aller au contenu principal" not in page

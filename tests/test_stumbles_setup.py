"""What users stumbled on when setting up and visiting the portal: an address with a language
prefix (``/en/...``), WeasyPrint's missing system libraries on ``make run``, and key dates that
could not hold a webinar's hours (and a demo calendar that contradicted the open calls)."""

import io
import re
import sys
import types
from datetime import date, time

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import strip_tags

from calls.models import Call, Edition, KeyDate
from tests.factories import EditionFactory

pytestmark = pytest.mark.django_db


def page_text(response):
    return re.sub(r"\s+", " ", strip_tags(response.content.decode()))


# --- 1. /en/... and /fr/... --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "target", "language"),
    [
        ("/en/", "/", "en"),
        ("/en", "/", "en"),
        ("/en/faq/", "/faq/", "en"),
        ("/en/calendrier/?from=newsletter", "/calendrier/?from=newsletter", "en"),
        ("/fr/faq/", "/faq/", "fr"),
        ("/fr/", "/", "fr"),
    ],
)
def test_a_language_prefix_redirects_to_the_page_in_that_language(client, path, target, language):
    response = client.get(path)

    assert (response.status_code, response["Location"]) == (302, target)
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert (cookie.value, cookie["path"]) == (language, settings.LANGUAGE_COOKIE_PATH)


def test_the_page_after_an_english_prefix_is_in_english(client):
    client.get("/en/faq/")

    response = client.get("/faq/")

    assert response.status_code == 200
    assert '<html lang="en"' in response.content.decode()


def test_a_french_prefix_switches_back_to_french(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    client.get("/fr/faq/")

    assert '<html lang="fr"' in client.get("/faq/").content.decode()


@pytest.mark.parametrize("path", ["/en//evil.example/", "/en/\\evil.example/"])
def test_a_language_prefix_never_redirects_to_another_site(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/")
    assert not response["Location"].startswith(("//", "/\\"))


# --- 2. make run checks WeasyPrint's system libraries ------------------------------------------


class WithoutPango(types.ModuleType):
    """WeasyPrint as it imports on a machine without Pango: loading the library fails."""

    def __getattr__(self, name):
        raise OSError("cannot load library 'libgobject-2.0-0'")


@pytest.mark.parametrize(
    ("module", "reason"),
    [
        (None, "(ModuleNotFoundError: "),  # `import weasyprint` fails
        (WithoutPango("weasyprint"), "(OSError: cannot load library 'libgobject-2.0-0')"),
    ],
)
def test_check_pdf_says_what_to_install_when_weasyprint_cannot_be_imported(
    monkeypatch, module, reason
):
    monkeypatch.setitem(sys.modules, "weasyprint", module)
    out, err = io.StringIO(), io.StringIO()

    with translation.override("en"):
        call_command("check_pdf", stdout=out, stderr=err)

    message = err.getvalue()
    assert "WeasyPrint cannot make PDFs on this machine " + reason in message
    assert "apt-get install libpango-1.0-0 libpangoft2-1.0-0" in message
    assert "fonts-dejavu-core" in message
    assert "brew install pango" in message
    assert out.getvalue() == ""


def test_check_pdf_strict_fails_when_weasyprint_cannot_be_imported(monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)

    with translation.override("en"), pytest.raises(CommandError, match="brew install pango"):
        call_command("check_pdf", "--strict", stdout=io.StringIO())


def test_check_pdf_renders_a_pdf_when_the_libraries_are_there():
    out, err = io.StringIO(), io.StringIO()

    with translation.override("en"):
        call_command("check_pdf", "--strict", stdout=out, stderr=err)

    assert "WeasyPrint works" in out.getvalue()
    assert err.getvalue() == ""


def test_make_run_checks_the_pdf_libraries_before_anything_else():
    makefile = (settings.BASE_DIR / "Makefile").read_text()
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]

    assert run.splitlines()[1].strip() == "$(DEV_ENV) $(MANAGE) check_pdf"


# --- 3. Key dates with hours; the demo calendar agrees with the open calls ---------------------


def test_the_timeline_shows_a_webinars_hours_in_paris_time(english):
    edition = EditionFactory()
    KeyDate.objects.create(
        edition=edition,
        starts_on=date(2025, 11, 14),
        start_time=time(9, 0),
        end_time=time(10, 0),
        label="Webinaire de présentation",
        label_en="Presentation webinar",
    )
    KeyDate.objects.create(
        edition=edition, starts_on=date(2025, 12, 1), label="Clôture", label_en="Closing"
    )

    response = english.get(reverse("calls:timeline"))

    text = page_text(response)
    assert "14 November 2025, 9:00–10:00" in text
    assert "1 December 2025 " in text and "1 December 2025," not in text
    assert 'datetime="2025-11-14T09:00:00+01:00"' in response.content.decode()


def test_a_key_date_cannot_end_before_it_starts():
    key_date = KeyDate(
        edition=EditionFactory(),
        starts_on=date(2025, 11, 14),
        start_time=time(12, 30),
        end_time=time(9, 0),
        label="Webinaire",
    )

    with pytest.raises(Exception, match="end time"):
        key_date.full_clean()


def test_the_demo_key_dates_of_the_open_calls_are_the_calls_dates(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())

    edition = Edition.objects.get(is_current=True)
    open_calls = [call for call in Call.objects.filter(edition=edition) if call.is_open()]
    assert {call.kind for call in open_calls} == {
        Call.Kind.MUNICIPALITIES,
        Call.Kind.EXPERIMENTERS,
    }
    spans = set(edition.key_dates.values_list("starts_on", "ends_on"))
    for call in open_calls:
        dates = (timezone.localdate(call.opens_at), timezone.localdate(call.closes_at))
        assert dates in spans, call.slug


def test_the_demo_presentation_webinars_have_their_hours(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())

    webinars = KeyDate.objects.filter(
        edition__is_current=True, label_en__startswith="Presentation webinar"
    )
    assert sorted(webinars.values_list("start_time", "end_time")) == [
        (time(9, 0), time(10, 0)),
        (time(12, 30), time(13, 30)),
    ]

"""Browser tests: Playwright (sync API) drives Debian's Chromium against pytest-django's
``live_server``; axe-core (bundled by the pinned ``axe-playwright-python``) checks every page.

- One browser for the whole session, one context (cookies, storage, trace) per test.
- Without ``/usr/bin/chromium`` (or without Playwright) the tests skip with the reason, unless
  ``CI=true``: then they fail, never skip.
- A failing test leaves its screenshot and its Playwright trace (``playwright show-trace``) in
  ``test-results/browser/<test>/`` (``BROWSER_ARTEFACTS`` to put them elsewhere).
"""

import contextlib
import os
import re
import shutil
from pathlib import Path

import pytest

from tests.browser.helpers import TIMEOUT_MS, close_twin
from tests.services import skip_or_fail

# Playwright's sync API runs an event loop in the test's thread: Django would refuse the ORM
# calls of the test (factories, outbox reads) with SynchronousOnlyOperation. Test-only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = Path(os.environ.get("BROWSER_ARTEFACTS", ROOT / "test-results" / "browser"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's report on the test, so the context fixture knows it failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def _playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the dev extras install it
        skip_or_fail("browser tests need Playwright: pip install -e '.[dev]'")
    if not Path(CHROMIUM).exists():
        skip_or_fail(
            f"browser tests need Chromium at {CHROMIUM}: apt-get install chromium "
            "(.ci/run installs it)"
        )
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(_playwright):
    """One headless Chromium for the whole session."""
    browser = _playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
    yield browser
    browser.close()


def _artefact_dir(item):
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", item.nodeid.split("::", 1)[-1])[:120]
    return ARTEFACTS / name


@pytest.fixture
def context(browser, live_server, request):
    """A fresh context (a new visitor: no cookies), French first as a Paris browser, traced;
    its screenshot and trace are kept when the test fails."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        timezone_id="Europe/Paris",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.tracing.start(screenshots=True, snapshots=True, sources=False)
    # What the Content-Security-Policy refused on any page of the journey: none may be. A
    # refusal whose source is no file comes from a script the test itself evaluated (axe-core
    # injects its own style elements while it checks), not from the portal.
    refused = []
    context.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => { if (e.sourceFile) "
        "console.error('Content Security Policy refused ' + e.violatedDirective + ' at ' +"
        " e.sourceFile + ':' + e.lineNumber + ' ' + e.sample); });"
    )
    context.on(
        "console",
        lambda message: (
            refused.append(f"{message.page and message.page.url}: {message.text}")
            if message.text.startswith("Content Security Policy refused")
            else None
        ),
    )
    yield context
    close_twin(context)
    report = getattr(request.node, "report_call", None)
    failed = report is None or report.failed
    if failed:
        folder = _artefact_dir(request.node)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
        for number, page in enumerate(context.pages):
            with contextlib.suppress(Exception):  # a closed page has no screenshot
                page.screenshot(path=folder / f"screenshot-{number}.png", full_page=True)
        context.tracing.stop(path=folder / "trace.zip")
    else:
        context.tracing.stop()
    context.close()
    if refused and not failed:
        pytest.fail("The Content-Security-Policy refused:\n" + "\n".join(refused))


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def outbox():
    from django.core import mail

    return mail.outbox


def pytest_terminal_summary(terminalreporter, config):
    """How much axe checked: every page pattern visited, in French and in English."""
    from tests.browser.helpers import CHECKED, STATS

    if not STATS["runs"]:
        return
    patterns = {key[1] for key in CHECKED}
    one_language = sorted(p for p in patterns if not {("fr", p), ("en", p)} <= CHECKED)
    terminalreporter.write_line(
        f"axe: {STATS['runs']} runs, {len(patterns)} page patterns checked in French and "
        f"English ({STATS['twins']} read again in the other language, "
        f"{STATS['twins_skipped']} not: already checked in it)"
        + (f"; in one language only: {one_language}" if one_language else "")
    )
    if config.option.verbose > 0:
        for pattern in sorted(patterns):
            terminalreporter.write_line(f"  {pattern}")

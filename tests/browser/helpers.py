"""What the browser journeys share: axe-core on each page in French and English, reflow at
320 px, keyboard-only moves, signing in (with the second step for staff and jury)."""

import time

from axe_playwright_python.sync_playwright import Axe

from tests.factories import PASSWORD

AXE = Axe()  # axe-core 4.12.1, bundled by the pinned axe-playwright-python 0.1.8
LANGUAGES = ("fr", "en")
REFLOW_WIDTH = 320


def _violations(page, allow):
    results = AXE.run(page).response["violations"]
    return [
        f"{violation['id']} ({violation['impact']}) {node['target']}: {violation['help']}"
        for violation in results
        if violation["id"] not in allow
        for node in violation["nodes"]
    ]


def audit(page, *, allow=(), both_languages=True, reflow=False):
    """axe-core on the page as it is (0 violations of any impact, but the rules in ``allow``),
    and on the same address read in the other language (a second context with the same
    session: the page in front is left as it is). ``reflow``: the page also fits 320 px."""
    found = {}
    page.wait_for_load_state("load")
    language = page.evaluate("document.documentElement.lang") or "fr"
    found[f"{language} {page.url}"] = _violations(page, allow)
    if reflow:
        found[f"{language} 320px {page.url}"] = _overflow(page)
    if both_languages:
        other = "en" if language.startswith("fr") else "fr"
        state = page.context.storage_state()
        state["cookies"] = [c for c in state["cookies"] if c["name"] != "django_language"]
        context = page.context.browser.new_context(storage_state=state, locale="fr-FR")
        try:
            context.add_cookies([{"name": "django_language", "value": other, "url": page.url}])
            twin = context.new_page()
            twin.goto(page.url)
            lang = twin.evaluate("document.documentElement.lang")
            assert lang == other, f"{twin.url} in {lang}, not {other}: {context.cookies()}"
            found[f"{other} {twin.url}"] = _violations(twin, allow)
            if reflow:
                found[f"{other} 320px {twin.url}"] = _overflow(twin)
        finally:
            context.close()
    problems = {where: lines for where, lines in found.items() if lines}
    assert not problems, "\n".join(
        f"{where}:\n  " + "\n  ".join(lines) for where, lines in problems.items()
    )


def _overflow(page):
    """Reflow (WCAG 1.4.10): at 320 CSS px the page scrolls vertically only."""
    size = page.viewport_size
    page.set_viewport_size({"width": REFLOW_WIDTH, "height": 800})
    try:
        width = page.evaluate("document.documentElement.scrollWidth")
        if width <= REFLOW_WIDTH:
            return []
        wide = page.evaluate(
            """(limit) => [...document.querySelectorAll('body *')]
                .filter(el => el.getBoundingClientRect().right > limit + 1
                              && getComputedStyle(el).position !== 'fixed')
                .slice(0, 5)
                .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                           + (el.className && typeof el.className === 'string'
                              ? '.' + el.className.trim().split(/\\s+/).join('.') : ''))""",
            REFLOW_WIDTH,
        )
        return [f"scrollWidth {width} > {REFLOW_WIDTH}: {wide}"]
    finally:
        page.set_viewport_size(size)


# --- Keyboard -------------------------------------------------------------------------------


def focused(locator):
    return locator.evaluate("el => el === document.activeElement")


def tab_to(page, locator, *, limit=120, backwards=False):
    """Press Tab (Shift+Tab) until ``locator`` has the focus; checks the focus is visible."""
    key = "Shift+Tab" if backwards else "Tab"
    target = locator.first
    target.wait_for(state="visible")
    for _ in range(limit):
        page.keyboard.press(key)
        if focused(target):
            assert focus_visible(page), f"no visible focus on {target}"
            return target
    raise AssertionError(f"{limit} presses of {key} never reached {locator}")


def focus_visible(page):
    """The focused element shows it: an outline or a box shadow (the focus ring)."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            if (!el || el === document.body) return false;
            const style = getComputedStyle(el);
            const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
            return outline || (style.boxShadow && style.boxShadow !== 'none');
        }"""
    )


def type_into(page, locator, text):
    """Tab to a field, select what it holds and type ``text``."""
    tab_to(page, locator)
    page.keyboard.press("Control+a")
    page.keyboard.type(text)


# --- Signing in -----------------------------------------------------------------------------


def totp_code(secret):
    """The current code of an authenticator app with ``secret``."""
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))


def sign_in(page, user, *, secret=None, next_url="/accounts/login/", check=None):
    """Sign in through the login page, typing as a person; with ``secret``, the second step
    too. ``check`` audits the pages seen on the way."""
    page.goto(next_url)
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    if check:
        check(page)
    page.locator("input[name=password]").press("Enter")
    if secret:
        page.locator("input[name=code]").wait_for()
        if check:
            check(page)
        page.locator("input[name=code]").fill(totp_code(secret))
        page.locator("input[name=code]").press("Enter")
    page.wait_for_load_state("load")

"""What the browser journeys share: axe-core on each page in French and English, reflow at
320 px, keyboard-only moves, signing in (with the second step for staff and jury)."""

import json
import re
import time
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.factories import PASSWORD

AXE = Axe()  # axe-core 4.12.1, bundled by the pinned axe-playwright-python 0.1.8
LANGUAGES = ("fr", "en")
REFLOW_WIDTH = 320
TIMEOUT_MS = 10_000

# What axe has checked in this session, ``(language, page pattern)`` and, for reflow,
# ``(language, page pattern, REFLOW_WIDTH)``. Each page is checked as it is on every
# ``audit``; its pattern read in the other language only until that language is in here.
CHECKED = set()
STATS = {"runs": 0, "twins": 0, "twins_skipped": 0}


def _violations(page, allow):
    STATS["runs"] += 1
    results = AXE.run(page).response["violations"]
    return [
        f"{violation['id']} ({violation['impact']}) {node['target']}: {violation['help']}"
        for violation in results
        if violation["id"] not in allow
        for node in violation["nodes"]
    ]


def page_pattern(url):
    """The address with its numbers blanked (ids, references, sequences) and without ``next``
    (where to go afterwards): one page pattern per view and per kind of call, e.g.
    ``/candidatures/QMI0-E-0/?step=project``."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "next"]
    path = unquote(parts.path) + (f"?{urlencode(sorted(query))}" if query else "")
    return re.sub(r"\d+", "0", path)


def audit(page, *, allow=(), reflow=False):
    """axe-core on the page as it is (0 violations of any impact, but the rules in ``allow``),
    and, the first time its pattern is seen in the session, on the same address read in the
    other language (a second context with the same session: the page in front is left as it
    is). ``reflow``: the page also fits 320 px (in the other language too, that first time)."""
    found = {}
    page.wait_for_load_state("load")
    lang = page.evaluate("document.documentElement.lang") or "fr"
    language, other = ("en", "fr") if lang.startswith("en") else ("fr", "en")
    pattern = page_pattern(page.url)
    found[f"{language} {page.url}"] = _violations(page, allow)
    CHECKED.add((language, pattern))
    if reflow:
        found[f"{language} 320px {page.url}"] = _overflow(page)
        CHECKED.add((language, pattern, REFLOW_WIDTH))
    twin_axe = (other, pattern) not in CHECKED
    twin_reflow = reflow and (other, pattern, REFLOW_WIDTH) not in CHECKED
    if not (twin_axe or twin_reflow):
        STATS["twins_skipped"] += 1
    else:
        STATS["twins"] += 1
        twin = _twin_page(page, other)
        try:
            twin.goto(page.url)
            lang = twin.evaluate("document.documentElement.lang")
            assert lang == other, f"{twin.url} in {lang}, not {other}: {twin.context.cookies()}"
            if twin_axe:
                found[f"{other} {twin.url}"] = _violations(twin, allow)
                CHECKED.add((other, pattern))
            if twin_reflow:
                found[f"{other} 320px {twin.url}"] = _overflow(twin)
                CHECKED.add((other, pattern, REFLOW_WIDTH))
        finally:
            twin.close()
    problems = {where: lines for where, lines in found.items() if lines}
    assert not problems, "\n".join(
        f"{where}:\n  " + "\n  ".join(lines) for where, lines in problems.items()
    )


# Each test's context has one twin context for the other language, kept until the test ends
# (``close_twin``): its HTTP cache spares reloading the styles and scripts on every page.
_TWINS = {}

# The twin page starts with the local storage of the page in front (the autosave's copy).
_LOCAL_STORAGE = """(origins) => {
    localStorage.clear();
    for (const {name, value} of origins[location.origin] || []) localStorage.setItem(name, value);
}"""


def _twin_page(page, language):
    """A new page in the twin context, with the session of ``page`` (cookies, local storage)
    but the language cookie of ``language``."""
    context = page.context
    twin = _TWINS.get(id(context))
    if twin is None:
        twin = _TWINS[id(context)] = context.browser.new_context(locale="fr-FR")
        twin.set_default_timeout(TIMEOUT_MS)
    state = context.storage_state()
    twin.clear_cookies()
    twin.add_cookies(
        [c for c in state["cookies"] if c["name"] != "django_language"]
        + [{"name": "django_language", "value": language, "url": page.url}]
    )
    result = twin.new_page()
    origins = {o["origin"]: o["localStorage"] for o in state["origins"]}
    result.add_init_script(f"({_LOCAL_STORAGE})({json.dumps(origins)})")
    return result


def close_twin(context):
    twin = _TWINS.pop(id(context), None)
    if twin is not None:
        twin.close()


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


# One round trip a key press: is the focus on the target (any of ``targets``), does it show?
_FOCUS = """(targets) => {
    const el = document.activeElement;
    let visible = false;
    if (el && el !== document.body) {
        const style = getComputedStyle(el);
        visible = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
            || Boolean(style.boxShadow && style.boxShadow !== 'none');
    }
    const name = el ? el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + (el.name ? '[name=' + el.name + ']' : '') : '';
    return [targets.includes(el), visible, name];
}"""


def _press_until(page, key, targets, what, limit):
    """Press ``key`` until the focus is on one of ``targets`` (element handles); every element
    the focus lands on on the way must show it."""
    hidden = []
    for _ in range(limit):
        page.keyboard.press(key)
        reached, visible, name = page.evaluate(_FOCUS, targets)
        if not visible:
            hidden.append(name)
        if reached:
            assert not hidden, f"no visible focus on {hidden} (on the way to {what})"
            return
    raise AssertionError(f"{limit} presses of {key} never reached {what}")


def skip_to_main(page):
    """The first Tab stop is the skip link; Enter on it moves the focus into ``<main>``, where
    the next Tab goes on (past the header's links). A page opened at ``#main`` (a form posted
    from a page read from there keeps the fragment) starts there already."""
    if urlsplit(page.url).fragment == "main":
        return
    tab_to(page, page.locator("a[href='#main']"), limit=1)
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def tab_to(page, locator, *, limit=120, backwards=False):
    """Press Tab (Shift+Tab) until ``locator`` has the focus; checks the focus is visible at
    each press."""
    target = locator.first
    target.wait_for(state="visible")
    _press_until(
        page, "Shift+Tab" if backwards else "Tab", [target.element_handle()], locator, limit
    )
    return target


def focus_visible(page):
    """The focused element shows it: an outline or a box shadow (the focus ring)."""
    return page.evaluate(_FOCUS, [])[1]


def tab_into(page, locator, *, limit=120):
    """Press Tab until one of the elements of ``locator`` has the focus (a radio group takes a
    single Tab stop: the chosen radio, or the first); checks the focus is visible at each
    press."""
    locator.first.wait_for(state="visible")
    _press_until(page, "Tab", locator.element_handles(), locator, limit)


def choose(page, radio, *, limit=20):
    """Tab into the group of ``radio``, then move with the arrow keys until it is chosen (Space
    when the focus lands on it unchosen); the focus shows at each key."""
    name = radio.get_attribute("name")
    tab_into(page, page.locator(f"input[type=radio][name='{name}']"))
    handle = radio.element_handle()
    for _ in range(limit):
        reached, visible, where = page.evaluate(_FOCUS, [handle])
        assert visible, f"no visible focus on {where} (on the way to {radio})"
        if reached:
            if not handle.is_checked():
                page.keyboard.press("Space")
            assert handle.is_checked(), f"{radio} not chosen"
            return radio
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{limit} presses of ArrowDown never reached {radio}")


def tick(page, checkbox):
    """Tab to ``checkbox`` and tick it with Space (left as it is when already ticked)."""
    tab_to(page, checkbox)
    if not checkbox.is_checked():
        page.keyboard.press("Space")
    assert checkbox.is_checked(), f"{checkbox} not ticked"
    return checkbox


def type_into(page, locator, text):
    """Tab to a field, select what it holds and type ``text``."""
    tab_to(page, locator)
    page.keyboard.press("Control+a")
    page.keyboard.type(text)


# --- Signing in -----------------------------------------------------------------------------


def totp_code(secret):
    """The current code of an authenticator app with ``secret``. Like a person who sees the
    code about to change, it waits for the next one when fewer than five seconds are left:
    a code typed across the change of period is refused (no tolerance)."""
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    period = app_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < 5:
        time.sleep(left + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


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

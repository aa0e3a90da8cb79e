"""The autosave script when the session is gone: the server's 401, a save redirected to the
sign-in page, or one refused by the CSRF check (a stale page). Each way saving stops,
everything typed stays in this browser, and the sign-in link — which carries next = this
page — is shown. A 403 in JSON (the deadline passed) stays a refusal."""

import json

from tests.autosave_js import needs_node
from tests.autosave_js import run as run_harness

pytestmark = needs_node

PAGE = "/candidatures/QMI3-M-0001/?etape=2"
LOGIN = "/accounts/login/?next=%2Fcandidatures%2FQMI3-M-0001%2F%3Fetape%3D2"

HARNESS = r"""
function attributed(attributes) {
  return {
    attributes: attributes,
    getAttribute(name) {
      return this.attributes[name] === undefined ? null : this.attributes[name];
    },
    setAttribute(name, value) { this.attributes[name] = value; },
  };
}
const control = { name: "title", type: "text", value: "A", tagName: "INPUT" };
const status = Object.assign(attributed({
  "data-text-error": "Not saved: {message}",
  "data-text-signed-out": "You are signed out: what you typed is kept in this browser.",
  "data-text-stale": "This page is out of date: what you typed is kept in this browser.",
}), { textContent: "", classList: { toggle() {} } });
const login = Object.assign(attributed({ href: "__LOGIN__" }), { hidden: true });
const stored = {};
const form = Object.assign(attributed({ "data-autosave-url": "/autosave/", "data-saved-at": "" }), {
  elements: [control],
  querySelector(selector) {
    if (selector === "[data-autosave-status]") return status;
    if (selector === "[data-autosave-login]") return login;
    return null;
  },
  querySelectorAll() { return []; },
  addEventListener: on("form"),
});
global.window = global;
window.addEventListener = on("window");
window.location = { href: "http://127.0.0.1:8000__PAGE__" };
window.localStorage = {
  getItem(key) { return stored[key] || null; },
  setItem(key, value) { stored[key] = value; },
  removeItem(key) { delete stored[key]; },
};
global.document = {
  readyState: "complete",
  visibilityState: "visible",
  querySelector() { return null; },
  querySelectorAll(selector) { return selector === "form[data-autosave-url]" ? [form] : []; },
  addEventListener: on("document"),
  getElementById() { return null; },
};
global.FormData = function () {
  this.entries = [["title", control.value]];
  this.delete = function () {};
};
let posts = 0;
const answer = __ANSWER__;
global.fetch = function () {
  posts += 1;
  return Promise.resolve({
    status: answer.status,
    redirected: Boolean(answer.redirected_to),
    url: answer.redirected_to ? "http://127.0.0.1:8000" + answer.redirected_to : "",
    json: function () {
      return answer.json ? Promise.resolve(answer.json) : Promise.reject(new SyntaxError("html"));
    },
  });
};
eval(fs.readFileSync(process.argv[1], "utf8"));
(async function () {
  control.value = "Ce que j'ai tapé";
  fire("form", "input", { target: control });
  document.visibilityState = "hidden";
  fire("document", "visibilitychange");  // sends now
  await new Promise(function (resolve) { setTimeout(resolve, 10); });
  control.value = "Encore";
  fire("form", "input", { target: control });
  fire("document", "visibilitychange");
  await new Promise(function (resolve) { setTimeout(resolve, 10); });
  process.stdout.write(JSON.stringify({
    posts: posts,
    status: status.textContent,
    login_hidden: login.hidden,
    login_href: login.getAttribute("href"),
    kept: Object.values(stored).join(""),
  }));
  process.exit(0);
})();
"""


def run(answer):
    harness = (
        HARNESS.replace("__ANSWER__", json.dumps(answer))
        .replace("__LOGIN__", LOGIN)
        .replace("__PAGE__", PAGE)
    )
    return run_harness(harness)


def test_the_server_s_401_stops_saving_keeps_the_copy_and_shows_its_sign_in_link():
    given = "/accounts/login/?next=%2Fcandidatures%2FQMI3-M-0001%2F"
    outcome = run(
        {
            "status": 401,
            "json": {
                "ok": False,
                "signed_out": True,
                "message": "You are signed out: what you typed is kept in this browser.",
                "login_url": given,
            },
        }
    )

    assert outcome["posts"] == 1
    assert "You are signed out" in outcome["status"]
    assert outcome["login_hidden"] is False
    assert outcome["login_href"] == given
    assert "Encore" in outcome["kept"]


def test_a_save_redirected_to_the_sign_in_page_is_signed_out_and_keeps_the_copy():
    outcome = run({"status": 200, "redirected_to": LOGIN})

    assert outcome["posts"] == 1  # saving stops
    assert "You are signed out: what you typed is kept in this browser." in outcome["status"]
    assert outcome["login_hidden"] is False
    assert outcome["login_href"] == LOGIN  # back to this very page
    assert "Encore" in outcome["kept"]


def test_a_save_refused_by_the_csrf_check_shows_the_way_back_and_keeps_the_copy():
    outcome = run({"status": 403})  # Django's CSRF page: HTML, not JSON

    assert outcome["posts"] == 1
    assert "This page is out of date" in outcome["status"]
    assert outcome["login_hidden"] is False
    assert outcome["login_href"] == LOGIN
    assert "Encore" in outcome["kept"]


def test_a_redirect_elsewhere_is_not_taken_for_a_sign_out():
    outcome = run({"status": 200, "redirected_to": "/espace/"})

    assert outcome["login_hidden"] is True
    assert "signed out" not in outcome["status"]


def test_a_refusal_in_json_stays_a_refusal_without_the_sign_in_link():
    outcome = run({"status": 403, "json": {"ok": False, "message": "The deadline has passed."}})

    assert outcome["status"] == "Not saved: The deadline has passed."
    assert outcome["login_hidden"] is True
    assert "Ce que j'ai tapé" in outcome["kept"]  # the copy from before the refusal

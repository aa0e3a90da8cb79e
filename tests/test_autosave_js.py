"""The autosave script, run in Node with a minimal stand-in for the browser: a hidden page
sends its pending changes once, not once per event (visibilitychange, then pagehide); a copy
kept in the browser is offered back and restored. The ways a save finds the session gone are in
test_autosave_signed_out_js."""

from tests.autosave_js import needs_node, run

pytestmark = needs_node

HARNESS = r"""
const control = { name: "title", type: "text", value: "A", tagName: "INPUT" };
const form = {
  elements: [control],
  attributes: { "data-autosave-url": "/autosave/", "data-saved-at": "" },
  getAttribute(name) { return this.attributes[name] === undefined ? null : this.attributes[name]; },
  setAttribute(name, value) { this.attributes[name] = value; },
  querySelector() { return null; },
  querySelectorAll() { return []; },
  addEventListener: on("form"),
};
global.window = global;
window.addEventListener = on("window");
window.localStorage = { getItem() { return null; }, setItem() {}, removeItem() {} };
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
const sent = [];
const answers = [];
global.fetch = function (url, options) {
  sent.push({ title: options.body.entries[0][1], keepalive: options.keepalive });
  return new Promise(function (resolve) { answers.push(resolve); });
};
function answerAll() {
  answers.splice(0).forEach(function (resolve) {
    const payload = { ok: true, saved_at_display: "10:42" };
    resolve({ status: 200, json: function () { return Promise.resolve(payload); } });
  });
  return new Promise(function (resolve) { setTimeout(resolve, 0); });
}
function change(value) { control.value = value; fire("form", "input", { target: control }); }
function hide() {
  document.visibilityState = "hidden";
  fire("document", "visibilitychange");
  fire("window", "pagehide");
}
eval(fs.readFileSync(process.argv[1], "utf8"));
const steps = {};
(async function () {
  change("B");
  hide();  // the page is left: both events fire
  steps.one_change = sent.slice();
  change("C");  // typed while that save is on its way
  hide();
  steps.change_after_send = sent.slice();
  await answerAll();
  steps.answered = sent.slice();
  hide();  // nothing pending any more
  steps.nothing_pending = sent.slice();
  process.stdout.write(JSON.stringify(steps));
  process.exit(0);
})();
"""


def _run():
    return run(HARNESS)


def test_hidden_page_sends_its_pending_changes_once_and_keeps_a_later_change():
    steps = _run()

    assert steps["one_change"] == [{"title": "B", "keepalive": True}]
    assert steps["change_after_send"] == [
        {"title": "B", "keepalive": True},
        {"title": "C", "keepalive": True},
    ]
    assert steps["answered"] == steps["change_after_send"]
    assert steps["nothing_pending"] == steps["change_after_send"]


RESTORE = r"""
function element(tag) {
  return {
    tagName: tag, children: [], attributes: {}, listeners: {}, hidden: true, textContent: "",
    appendChild(child) { this.children.push(child); },
    setAttribute(name, value) { this.attributes[name] = value; },
    removeAttribute(name) { delete this.attributes[name]; },
    getAttribute(name) {
      return this.attributes[name] === undefined ? null : this.attributes[name];
    },
    addEventListener(name, callback) { this.listeners[name] = callback; },
    focus() {},
    remove() { this.removed = true; },
  };
}
const control = {
  name: "title", type: "text", value: "", tagName: "INPUT", dispatchEvent() {}, focus() {},
};
global.Event = function (name) { this.type = name; };
const banner = element("div");
banner.attributes = {
  "data-text-found": "Changes kept in this browser",
  "data-text-restore": "Restore them",
  "data-text-discard": "Discard them",
};
const form = {
  elements: [control],
  attributes: { "data-autosave-url": "/candidatures/QMI3-M-0001/autosave/",
                "data-saved-at": "2026-12-04T09:00:00+01:00" },
  getAttribute(name) { return this.attributes[name] === undefined ? null : this.attributes[name]; },
  setAttribute(name, value) { this.attributes[name] = value; },
  querySelector(selector) { return selector === "[data-autosave-restore]" ? banner : null; },
  querySelectorAll() { return []; },
  addEventListener: on("form"),
};
// Typed after the last save, while signed out: kept under the form's key.
const stored = {
  "qmi-autosave:/candidatures/QMI3-M-0001/autosave/": JSON.stringify({
    at: "2026-12-04T08:30:00Z", values: [["title", "Ce que j'ai tapé hors connexion"]],
  }),
};
global.window = global;
window.addEventListener = on("window");
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
  createElement: element,
};
global.FormData = function () {
  this.entries = [["title", control.value]];
  this.delete = function () {};
};
global.fetch = function () { return new Promise(function () {}); };
eval(fs.readFileSync(process.argv[1], "utf8"));
const offered = !banner.hidden;
const restore = banner.children.find(function (c) { return c.textContent === "Restore them"; });
if (restore && restore.listeners.click) restore.listeners.click({});
process.stdout.write(JSON.stringify({ offered: offered, value: control.value }));
process.exit(0);
"""


def test_back_on_the_page_after_signing_in_the_kept_copy_is_offered_and_restored():
    outcome = run(RESTORE)

    assert outcome == {"offered": True, "value": "Ce que j'ai tapé hors connexion"}

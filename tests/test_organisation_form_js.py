"""The identification toggle of the organisation profile, run in Node with a minimal
stand-in for the page: only the block chosen with "is_foreign" stays visible."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

NODE = shutil.which("node")
SCRIPT = Path(settings.BASE_DIR) / "static" / "js" / "organisation_form.js"

pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is not installed")

HARNESS = r"""
const fs = require("fs");
function radio(value, checked) {
  const listeners = [];
  return {
    value, checked, listeners,
    addEventListener(name, callback) { if (name === "change") listeners.push(callback); },
  };
}
function block(value) {
  return { hidden: false, getAttribute() { return value; } };
}
const checked = process.argv[2];
const radios = [radio("no", checked === "no"), radio("yes", checked === "yes")];
const blocks = [block("no"), block("yes")];
global.document = {
  readyState: "complete",
  querySelectorAll(selector) {
    return selector.indexOf("is_foreign") !== -1 ? radios : blocks;
  },
};
eval(fs.readFileSync(process.argv[1], "utf8"));
const visible = () => blocks.filter((b) => !b.hidden).map((b) => b.getAttribute());
const steps = { loaded: visible() };
radios[0].checked = false;
radios[1].checked = true;
radios[1].listeners.forEach((callback) => callback({}));
steps.outside_france = visible();
radios[1].checked = false;
radios[0].checked = true;
radios[0].listeners.forEach((callback) => callback({}));
steps.in_france = visible();
process.stdout.write(JSON.stringify(steps));
"""


def _run(checked):
    result = subprocess.run(  # noqa: S603 - our own script and harness, fixed arguments
        [NODE, "-e", HARNESS, str(SCRIPT), checked],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_only_the_block_chosen_is_visible_and_follows_the_choice():
    steps = _run("no")

    assert steps == {"loaded": ["no"], "outside_france": ["yes"], "in_france": ["no"]}


def test_both_blocks_visible_while_nothing_is_chosen():
    assert _run("none")["loaded"] == ["no", "yes"]

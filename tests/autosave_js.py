"""Running static/js/autosave.js in Node with a minimal stand-in for the browser: what every
harness of the script's tests shares (the listeners of the form, the document and the window,
and the run itself). Each test's harness adds its page (form, controls, storage, fetch)."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

NODE = shutil.which("node")
SCRIPT = Path(settings.BASE_DIR) / "static" / "js" / "autosave.js"

needs_node = pytest.mark.skipif(NODE is None, reason="Node.js is not installed")

# Before a harness's own page: `on(target)` registers listeners, `fire(target, name)` calls them.
LISTENERS = r"""
const fs = require("fs");
const listeners = { form: {}, document: {}, window: {} };
function on(target) {
  return function (name, callback) {
    (listeners[target][name] = listeners[target][name] || []).push(callback);
  };
}
function fire(target, name, event) {
  (listeners[target][name] || []).forEach(function (callback) { callback(event || {}); });
}
"""


def run(harness):
    """Run ``harness`` (after LISTENERS) with the script; returns the JSON it printed."""
    result = subprocess.run(  # noqa: S603 - our own script and harness, fixed arguments
        [NODE, "-e", LISTENERS + harness, str(SCRIPT)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)

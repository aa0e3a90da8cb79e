"""The shape of the code: dependencies point one way, kinds are data, modules stay small.

``docs/architecture.md`` describes the rules; these tests keep them. CI also runs
``lint-imports`` on its own, so a forbidden import fails there with its full report.
"""

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = ("qmi", "calls", "municipalities", "experimenters", "evaluation")
KIND_APPS = ("municipalities", "experimenters")
MAX_LINES = 400


def python_files(*folders):
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def relative(path):
    return str(path.relative_to(ROOT))


def test_import_contracts_are_kept():
    """The apps depend one way (evaluation, experimenters, municipalities → calls → qmi) and the
    two kinds of call never import each other (``[tool.importlinter]`` in pyproject.toml)."""
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(  # noqa: S603 — the linter of our own venv, fixed arguments
        [str(linter), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


# A branch on a kind's name: `kind == "…"`, `Call.Kind.EXPERIMENTERS`, `Applicant.Kind.…`, and
# the same in templates. Each kind answers through its ``KindSpec`` instead.
KIND_BRANCH = re.compile(
    r"""kind\s*[!=]=\s*["'](municipalit|experimenter|organisation)"""
    r"""|Kind\.(MUNICIPALITIES|EXPERIMENTERS|MUNICIPALITY|ORGANISATION)\b"""
)


def test_no_branch_on_a_kind_name_outside_its_own_app():
    shared = [*python_files("qmi", "calls", "evaluation"), *sorted((ROOT / "templates").rglob("*"))]
    found = []
    for path in shared:
        if path.suffix not in (".py", ".html", ".txt"):
            continue
        if path.parent.name in KIND_APPS:  # templates/municipalities/, templates/experimenters/
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if KIND_BRANCH.search(line) and "class Kind" not in line:
                found.append(f"{relative(path)}:{number}: {line.strip()}")
    assert found == []


def test_the_kind_branch_search_finds_a_branch():
    assert KIND_BRANCH.search('if call.kind == "municipalities":')
    assert KIND_BRANCH.search("if call.kind == Call.Kind.EXPERIMENTERS:")
    assert KIND_BRANCH.search('{% if applicant.kind == "organisation" %}')
    assert not KIND_BRANCH.search("if spec.one_per_applicant:")


def test_no_module_over_the_size_limit():
    too_long = [
        f"{relative(path)}: {lines} lines"
        for path in python_files(*APPS, "bench")
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    ]
    assert too_long == []


def _imports_inside_functions(tree):
    """(line, module) of every import of the project's own code made inside a function."""
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if node.level or module.split(".")[0] in APPS:
                    yield node.lineno, "." * node.level + module, function.name
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] in APPS:
                        yield node.lineno, alias.name, function.name


def test_no_import_of_the_project_hidden_inside_a_function():
    """An import inside a function is how a cycle hides. Allowed only where Django wants it:
    in ``AppConfig.ready``, where apps register with each other once every model is loaded."""
    hidden = [
        f"{relative(path)}:{line} {module}"
        for path in python_files(*APPS)
        for line, module, function in _imports_inside_functions(ast.parse(path.read_text()))
        if not (path.name == "apps.py" and function == "ready")
    ]
    assert hidden == []


@pytest.mark.parametrize(
    "source, expected",
    [
        ("def f():\n    from calls.models import Call\n", [(2, "calls.models", "f")]),
        ("def f():\n    from . import services\n", [(2, ".", "f")]),
        ("def f():\n    import pypdf\n", []),
        ("from calls.models import Call\n", []),
    ],
)
def test_hidden_import_search(source, expected):
    assert list(_imports_inside_functions(ast.parse(source))) == expected

"""The deployment files hold together: docker-compose.yml, the Dockerfile and the Makefile start
entry points that exist, production settings pass ``check --deploy``, the settings refuse to run
in production without a secret key, and translations compile without GNU gettext."""

import gettext
import importlib
import json
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command, get_commands

BASE_DIR = Path(settings.BASE_DIR)
COMPOSE = BASE_DIR / "docker-compose.yml"
SUBPROCESS_TIMEOUT = 120

# Options whose value is a local file: they may differ between compose and the Makefile.
LOCAL_FILE_OPTIONS = {"--schedule", "-s", "--pidfile", "--logfile", "-f"}


def interpolate(value: str) -> str:
    """Resolve compose's ``${VAR}``, ``${VAR:-default}`` and ``${VAR:?error}`` like compose."""

    def resolve(match):
        name, op, arg = match.group(1), match.group(2), match.group(3)
        current = os.environ.get(name, "")
        if op == ":-":
            return current or arg
        if op == ":?":
            return current or f"<{name}>"
        return current

    return re.sub(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}", resolve, value)


def load_compose():
    with COMPOSE.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def portal_services(compose):
    """Services built from the portal's own image (as opposed to postgres, redis)."""
    return {name: svc for name, svc in compose["services"].items() if "build" in svc}


def invocations(command) -> list[list[str]]:
    """The programs a compose command runs: a plain argv, or each part of ``sh -c "a && b"``."""
    argv = command if isinstance(command, list) else shlex.split(command)
    argv = [interpolate(str(arg)) for arg in argv]
    if len(argv) >= 3 and Path(argv[0]).name in {"sh", "bash"} and argv[1] == "-c":
        parts = re.split(r"&&|\|\||;", argv[2])
        return [shlex.split(part) for part in parts if part.strip()]
    return [argv]


def option_value(argv, *names):
    for i, arg in enumerate(argv):
        if arg in names and i + 1 < len(argv):
            return argv[i + 1]
        for name in names:
            if name.startswith("--") and arg.startswith(name + "="):
                return arg.split("=", 1)[1]
    return None


def celery_args(argv):
    """Arguments after ``celery``, without the options that only name a local file."""
    assert Path(argv[0]).name == "celery", argv
    args, skip = [], False
    for arg in argv[1:]:
        if skip:
            skip = False
            continue
        if arg in LOCAL_FILE_OPTIONS:
            skip = True
            continue
        if any(arg.startswith(opt + "=") for opt in LOCAL_FILE_OPTIONS if opt.startswith("--")):
            continue
        args.append(arg)
    return args


def celery_subcommand(argv):
    args = celery_args(argv)
    for i, arg in enumerate(args):
        if arg in {"-A", "--app"}:
            continue
        if i > 0 and args[i - 1] in {"-A", "--app"}:
            continue
        if not arg.startswith("-"):
            return arg
    return None


def check_entry_point(argv):
    """Assert that the program started by ``argv`` exists in the project."""
    program = Path(argv[0]).name
    if program == "gunicorn":
        targets = [a for a in argv[1:] if re.fullmatch(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*", a)]
        assert len(targets) == 1, f"gunicorn needs one module:attr, got {argv}"
        module_name, attr = targets[0].split(":")
        app = getattr(importlib.import_module(module_name), attr)
        assert callable(app), f"{targets[0]} is not a WSGI callable"
    elif program == "celery":
        from celery.app.utils import find_app

        import qmi.celery

        app_name = option_value(argv, "-A", "--app")
        assert app_name, f"celery without -A: {argv}"
        assert find_app(app_name) is qmi.celery.app, f"-A {app_name} is not qmi.celery.app"
        subcommand = celery_subcommand(argv)
        assert subcommand in {"worker", "beat"}, argv
        if subcommand == "worker":
            queue = option_value(argv, "-Q", "--queues")
            assert queue, "the worker must name the queue it listens to (-Q)"
            assert settings.CELERY_TASK_DEFAULT_QUEUE in queue.split(","), (
                f"worker listens to {queue!r}, tasks go to {settings.CELERY_TASK_DEFAULT_QUEUE!r}"
            )
    elif program.startswith("python") and len(argv) >= 3 and argv[1] == "manage.py":
        assert argv[2] in get_commands(), f"manage.py {argv[2]} is not a management command"
    else:
        pytest.fail(f"unknown entry point in docker-compose.yml: {argv}")


def make_dry_run(target):
    """The celery command line that ``make <target>`` runs (``make -n``, nothing executed)."""
    make = shutil.which("make")
    if make is None:
        pytest.skip("GNU make is not installed")
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [make, "--no-print-directory", "-n", target],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT,
    )
    assert result.returncode == 0, result.stderr
    lines = [shlex.split(line) for line in result.stdout.splitlines() if "celery" in line]
    lines = [argv for argv in lines if argv and Path(argv[0]).name == "celery"]
    assert len(lines) == 1, f"make {target} should run one celery command:\n{result.stdout}"
    return lines[0]


def compose_celery(compose, subcommand):
    found = []
    for svc in portal_services(compose).values():
        for argv in invocations(svc.get("command", [])):
            if argv and Path(argv[0]).name == "celery" and celery_subcommand(argv) == subcommand:
                found.append(argv)
    return found


# --- docker-compose.yml ---------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:No directory at")  # STATIC_ROOT is built by collectstatic
def test_compose_services_start_existing_entry_points():
    compose = load_compose()
    services = portal_services(compose)
    assert {"migrate", "web", "worker", "beat"} <= set(services), sorted(services)
    for name, svc in services.items():
        assert svc.get("command"), f"service {name} must say what it runs"
        for argv in invocations(svc["command"]):
            check_entry_point(argv)


def test_compose_backing_services_and_production_environment():
    compose = load_compose()
    services = compose["services"]
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    for name, svc in portal_services(compose).items():
        env = svc["environment"]
        assert env["DEBUG"] == "False", name
        assert env["DATABASE_URL"].startswith("postgres://"), name
        assert env["REDIS_URL"].startswith("redis://"), name
        for key in ("ALLOWED_HOSTS", "MEDIA_ROOT", "PRIVATE_MEDIA_ROOT"):
            assert env.get(key), f"{name}: {key} missing"
        assert svc.get("env_file"), f"{name}: secrets come from the env file"
    for name in ("web", "worker"):
        mounts = [str(v) for v in services[name].get("volumes", [])]
        assert any(m.endswith(":/app/media") for m in mounts), f"{name} must mount media"
    migrate_commands = [argv[2] for argv in invocations(services["migrate"]["command"])]
    assert "migrate" in migrate_commands
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name


def test_exactly_one_beat():
    compose = load_compose()
    beats = compose_celery(compose, "beat")
    assert len(beats) == 1, f"exactly one celery beat must be deployed, found {len(beats)}"
    beat_services = [
        svc
        for svc in portal_services(compose).values()
        if any(argv in beats for argv in invocations(svc["command"]))
    ]
    assert beat_services[0].get("deploy", {}).get("replicas", 1) == 1


@pytest.mark.parametrize("subcommand", ["worker", "beat"])
def test_makefile_runs_the_same_celery_as_compose(subcommand):
    compose = compose_celery(load_compose(), subcommand)
    assert len(compose) == 1
    make = make_dry_run(subcommand)
    check_entry_point(make)
    assert celery_args(make) == celery_args(compose[0])


@pytest.mark.filterwarnings("ignore:No directory at")
def test_dockerfile_default_command_is_the_web_process():
    dockerfile = (BASE_DIR / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim", dockerfile, re.M)
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.M), "the image must not run as root"
    cmd = re.search(r"^CMD (\[.*\])\s*$", dockerfile, re.M)
    assert cmd, "Dockerfile needs an exec-form CMD"
    check_entry_point(json.loads(cmd.group(1)))


def test_env_example_documents_every_setting_read_from_the_environment():
    source = (BASE_DIR / "qmi" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r"\benv(?:\.\w+)?\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']", source))
    assert read, "no environment variable found in settings.py?"
    example = (BASE_DIR / ".env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", example, re.M))
    assert not read - documented, f"undocumented in .env.example: {sorted(read - documented)}"


# --- Production settings --------------------------------------------------------------------


def production_env(tmp_path, **overrides):
    """A clean environment with production settings (nothing leaks from the test run)."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TMPDIR") if key in os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE="qmi.settings",
        DEBUG="False",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="portal.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    )
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def run_python(args, env):
    return subprocess.run(  # noqa: S603 - the test's own interpreter and arguments
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT,
    )


def test_check_deploy_reports_no_issue(tmp_path):
    env = production_env(tmp_path)
    assert len(env["SECRET_KEY"]) >= 50
    result = run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output and "ERRORS" not in output, output
    assert "no issues" in output, output


def dotenv_defines(name):
    path = BASE_DIR / ".env"
    if not path.exists():
        return False
    return bool(re.search(rf"^\s*(export\s+)?{name}\s*=\s*\S", path.read_text(), re.M))


STARTUP = "import qmi.wsgi; from django.conf import settings; print(len(settings.SECRET_KEY))"


def test_production_refuses_to_start_without_secret_key(tmp_path):
    if dotenv_defines("SECRET_KEY"):
        pytest.skip("this checkout's .env sets SECRET_KEY, so it cannot be missing here")
    result = run_python(["-c", STARTUP], production_env(tmp_path, SECRET_KEY=None))
    assert result.returncode != 0, result.stdout
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_an_empty_secret_key(tmp_path):
    result = run_python(["-c", STARTUP], production_env(tmp_path, SECRET_KEY=""))
    assert result.returncode != 0, result.stdout
    assert "SECRET_KEY" in result.stderr


def test_production_starts_with_a_secret_key(tmp_path):
    result = run_python(["-c", STARTUP], production_env(tmp_path))
    assert result.returncode == 0, result.stderr


# --- Translations ---------------------------------------------------------------------------

PO = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: fr\\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\\n"

msgid "Submit"
msgstr "Déposer"

#, fuzzy
msgid "Withdraw"
msgstr "Retirer (à revoir)"

msgid "Untranslated"
msgstr ""

msgid "%(count)s application"
msgid_plural "%(count)s applications"
msgstr[0] "%(count)s candidature"
msgstr[1] "%(count)s candidatures"

msgctxt "month"
msgid "May"
msgstr "Mai"
"""


def test_compile_translations_like_msgfmt(tmp_path, settings, capsys):
    messages = tmp_path / "locale" / "fr" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    (messages / "django.po").write_text(PO, encoding="utf-8")
    settings.BASE_DIR = tmp_path
    settings.LOCALE_PATHS = [tmp_path / "locale"]

    call_command("compile_translations")

    assert "Compiled 1 translation file" in capsys.readouterr().out
    with (messages / "django.mo").open("rb") as fh:
        catalogue = gettext.GNUTranslations(fh)
    assert catalogue.gettext("Submit") == "Déposer"
    assert catalogue.gettext("Withdraw") == "Withdraw"  # fuzzy: left out, as msgfmt does
    assert catalogue.gettext("Untranslated") == "Untranslated"
    assert catalogue.ngettext("%(count)s application", "%(count)s applications", 1) == (
        "%(count)s candidature"
    )
    assert catalogue.ngettext("%(count)s application", "%(count)s applications", 2) == (
        "%(count)s candidatures"
    )
    assert catalogue.pgettext("month", "May") == "Mai"
    assert [p.name for p in messages.iterdir() if p.name.startswith(".")] == []


def test_compile_translations_without_locale_folder(tmp_path, settings, capsys):
    settings.BASE_DIR = tmp_path
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    call_command("compile_translations")
    assert "Compiled 0 translation file" in capsys.readouterr().out


def test_compose_publishes_the_web_port_on_the_loopback_only():
    compose = load_compose()
    ports = [str(p) for p in compose["services"]["web"]["ports"]]
    assert ports and all(p.startswith("127.0.0.1:") for p in ports), ports


def test_compose_every_service_has_a_healthcheck():
    compose = load_compose()
    missing = [
        name
        for name, svc in compose["services"].items()
        if name != "migrate" and not svc.get("healthcheck", {}).get("test")
    ]
    assert missing == []
    assert "/sante/" in " ".join(compose["services"]["web"]["healthcheck"]["test"])
    assert "inspect ping" in " ".join(compose["services"]["worker"]["healthcheck"]["test"])


@pytest.mark.django_db
def test_the_health_page_answers_ok(client):
    response = client.get("/sante/")
    assert (response.status_code, response.content) == (200, b"ok")

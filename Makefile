# QMI portal — developer commands. Needs GNU make, Python 3.11, and for the PDFs Pango and fonts
# (`make run` checks them first and says what to install).
#
#   make run    install, migrate, load reference data and demo data, serve on 127.0.0.1:8000
#   make test   install the dev tools, compile the translations, run the test suite
#
# `make help` lists every target.

SHELL := /bin/bash
.DEFAULT_GOAL := help

BOOTSTRAP_PYTHON := $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
MANAGE := $(PY) manage.py
CELERY := $(VENV)/bin/celery

# Queue the worker listens to; the same as settings.CELERY_TASK_DEFAULT_QUEUE (env CELERY_QUEUE).
CELERY_QUEUE ?= qmi
# Celery beat reads its schedule from the database (django-celery-beat): staff edit it in the
# admin, under "Periodic tasks". The same scheduler as docker-compose.yml's beat service.
BEAT_SCHEDULER := django_celery_beat.schedulers:DatabaseScheduler

PYTEST_ARGS ?=

# `make run` is always the development mode, whatever the caller's environment or .env says:
# SQLite in the project, Celery tasks run eagerly in-process, e-mails printed to the console.
# The variables are set (empty where needed) rather than only unset, because the settings also
# read a .env file for every variable missing from the environment.
DEV_ENV := env \
	DEBUG=True \
	DATABASE_URL="sqlite:///$(CURDIR)/db.sqlite3" \
	REDIS_URL= \
	CELERY_TASK_ALWAYS_EAGER=True \
	EMAIL_URL= \
	EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend \
	ALLOWED_HOSTS=127.0.0.1,localhost,testserver \
	MFA_REQUIRED=False

MESSAGES_IGNORE := --ignore=.venv --ignore=staticfiles --ignore=media --ignore=build --ignore=tests --ignore=bench

.PHONY: help install install-dev run test lint format check worker beat bench bench-rush bench-reminders messages \
	compile-translations clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 24

# --- Virtualenv ----------------------------------------------------------------------------
$(PY):
	@test -n "$(BOOTSTRAP_PYTHON)" || { echo "python3.11 (or python3) is required"; exit 1; }
	$(BOOTSTRAP_PYTHON) -m venv $(VENV)

# Stamp files: reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PIP) install -e ".[dev]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed ## Create .venv and install the portal

install-dev: $(VENV)/.installed-dev ## Create .venv and install the portal with the dev tools

# --- Development server --------------------------------------------------------------------
run: install ## Check the PDFs' libraries, migrate, load communes and demo data, serve on http://127.0.0.1:8000
	$(DEV_ENV) $(MANAGE) check_pdf
	$(DEV_ENV) $(MANAGE) migrate --noinput
	$(DEV_ENV) $(MANAGE) compile_translations
	$(DEV_ENV) $(MANAGE) load_communes
	$(DEV_ENV) $(MANAGE) seed_demo
	$(DEV_ENV) $(MANAGE) runserver 127.0.0.1:8000

# --- Quality -------------------------------------------------------------------------------
test: install-dev ## Compile translations and run pytest (extra options: PYTEST_ARGS="...")
	$(MANAGE) compile_translations
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install-dev ## ruff check, ruff format --check, and the import contracts (lint-imports)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: install-dev ## Apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: install ## Django system checks; fails if a model change lacks its migration
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

bench: install-dev ## Run the benchmarks (pages, documents, reminders, exports, placement, experimentations)
	$(PY) bench/run.py
	$(PY) bench/documents.py
	$(PY) bench/exports.py
	$(PY) bench/placement.py
	$(PY) bench/experimentations.py
	$(PY) bench/assessment_dashboard.py
	$(PY) bench/assessment_report.py
	$(PY) bench/session_lists.py
	$(PY) bench/call_notices.py
	$(PY) bench/waitlist.py
	$(PY) bench/list_exports.py

bench-rush: install-dev ## The deadline rush: 300 sign in and submit in a minute (needs PostgreSQL and Redis)
	$(PY) bench/rush.py

bench-reminders: install-dev ## 10,000 reminders from one beat tick through a worker (needs PostgreSQL and Redis)
	$(PY) bench/reminder_burst.py

# --- Celery (with REDIS_URL set, e.g. REDIS_URL=redis://127.0.0.1:6379/0) ------------------
worker: install ## Run a Celery worker
	$(CELERY) -A qmi worker -l info -Q $(CELERY_QUEUE)

beat: install ## Run Celery beat (exactly one must run; the schedule is in the database)
	$(CELERY) -A qmi beat -l info --scheduler $(BEAT_SCHEDULER)

# --- Translations --------------------------------------------------------------------------
messages: install ## Update locale/*.po for French and English (needs GNU gettext)
	$(MANAGE) makemessages -l fr -l en $(MESSAGES_IGNORE)
	$(MANAGE) makemessages -d djangojs -l fr -l en $(MESSAGES_IGNORE)

compile-translations: install ## Compile locale/*.po to .mo (no gettext needed)
	$(MANAGE) compile_translations

clean: ## Remove caches and collected static files (keeps .venv and the database)
	rm -rf .pytest_cache .ruff_cache staticfiles
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

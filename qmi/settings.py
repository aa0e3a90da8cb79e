"""Settings of the QMI portal, read from the environment (django-environ).

Defaults are for development only: SQLite in the project, tasks run eagerly, e-mail to the
console. Production sets ``DEBUG=False``, ``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DATABASE_URL``,
``REDIS_URL`` and an e-mail backend.
"""

from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-never-used-in-production")
else:
    SECRET_KEY = env.str("SECRET_KEY")  # required: no default outside debug
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "qmi",
    "calls",
    "municipalities",
    "experimenters",
    "evaluation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "rules.apps.AutodiscoverRulesConfig",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
    "django_celery_beat",
    "simple_history",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "qmi.headers.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "qmi.upload_limits.UploadLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "qmi.upload_limits.UploadRateMiddleware",
    "qmi.middleware.SessionRenewalMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "qmi.security.RequireTwoStepMiddleware",
    # who made each change recorded in the history of calls, criteria, juries, decisions
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "qmi.urls"
WSGI_APPLICATION = "qmi.wsgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "qmi.context_processors.portal",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "qmi.User"

AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Argon2id at the OWASP minimum first (qmi/hashers.py: about 20 ms a sign-in here); the others
# check older hashes, which are upgraded at the next sign-in. Django's own Argon2PasswordHasher
# must not be listed: it shares the algorithm name "argon2", would be the one that checks every
# argon2 hash, and would find ours below its parameters — a new hash at every sign-in. Ours
# checks any argon2 hash (its parameters are in it) and upgrades those made with others.
PASSWORD_HASHERS = [
    "qmi.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "qmi.security.StrongPasswordValidator"},  # 12 characters for staff and jury
]

# --- Accounts (django-allauth): e-mail is the login, verified before use -------------------
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "qmi.forms.SignupForm"  # asks the first and last name too
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False  # never mail an address that has no account
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[QMI] "
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
# Two-step verification (allauth.mfa): an authenticator app with recovery codes, or a security
# key; required for staff and jury before the admin and the jury space (qmi/security.py).
# MFA_REQUIRED=False only for the local demo (`make run`).
MFA_REQUIRED = env.bool("MFA_REQUIRED", default=True)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "QMI Paris&Co"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG  # security keys on http://127.0.0.1 in development
# allauth's defaults, the portal's own public forms (qmi/ratelimit.py), then the environment's
ACCOUNT_RATE_LIMITS = {
    # "Keep me informed" sign-ups and session registrations, without an account: per client
    # address, and per e-mail address typed (the key)
    "keep_informed": "10/h/ip,3/h/key",
    "session_register": "20/h/ip,5/h/key",
    # Signed-in work: autosaves, uploads, export requests, invitations (per user)
    "autosave": "120/m/user",
    "upload": "30/m/user",
    "export_request": "30/h/user",
    "invitation": "30/h/user",
    **env.dict("ACCOUNT_RATE_LIMITS", default={}),
}
# Behind a reverse proxy the rate limits must key on the client's own address, not the
# proxy's (else a rush of applicants shares one limit): trust the last N addresses of
# X-Forwarded-For (N proxies of ours in front), or one header the proxy sets. 0 and empty:
# the connection's own address (no proxy).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env.str("TRUSTED_CLIENT_IP_HEADER", default="") or None
# Sessions that last: remembered by default, two weeks, renewed while the user is active
# (qmi.middleware.SessionRenewalMiddleware), in the cache (Redis) backed by the database.
ACCOUNT_SESSION_REMEMBER = True
SESSION_COOKIE_AGE = 14 * 24 * 3600
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
LOGIN_REDIRECT_URL = "dashboard"
LOGIN_URL = "account_login"

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static and media files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Applicants' files are private: never under a public URL, served by a view that checks access.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "media" / "private")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A whole request (a form with its files) over this is refused before its body is read; each
# file over UPLOAD_MAX_BYTES is stopped while it streams (qmi/upload_limits.py).
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_BYTES", default=4 * UPLOAD_MAX_BYTES)
FILE_UPLOAD_HANDLERS = [
    "qmi.upload_limits.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_PERMISSIONS = 0o640

# --- Cache, Celery --------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="qmi"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis redelivers an unacknowledged task after the visibility timeout: it must be longer than
# the longest task's hard time limit and than every retry delay (tests/test_reliability.py).
TASK_VISIBILITY_TIMEOUT = 2 * 60 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": TASK_VISIBILITY_TIMEOUT}
CELERY_TASK_TIME_LIMIT = 30 * 60  # default hard limit; PDF and export tasks set their own
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_WORKER_MAX_TASKS_PER_CHILD = 200  # recycle workers that rendered many PDFs
# Periodic tasks live in the database (django-celery-beat): staff edit them in the admin.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# How long a built pack or export stays downloadable before beat deletes it.
EXPORT_RETENTION_HOURS = env.int("EXPORT_RETENTION_HOURS", default=72)
# A staff list longer than this is exported in the background (an export job), not at once.
LIST_EXPORT_INLINE_MAX = env.int("LIST_EXPORT_INLINE_MAX", default=2000)
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="qmi")
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="QMI <qmi@parisandco.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
CONTACT_EMAIL = env.str("CONTACT_EMAIL", default="qmi@parisandco.example")
ACCESSIBILITY_EMAIL = env.str("ACCESSIBILITY_EMAIL", default=CONTACT_EMAIL)

# --- Personal data (GDPR): the privacy page, the deletion of accounts, the retention job -------
# Who decides what the data is for, and where to write to exercise one's rights.
PRIVACY_CONTROLLER = env.str("PRIVACY_CONTROLLER", default="Métropole du Grand Paris")
PRIVACY_DPO_EMAIL = env.str("PRIVACY_DPO_EMAIL", default=CONTACT_EMAIL)
# Who processes the data for the controller: (name, purpose, location), shown on the page.
# From the environment: a JSON list of [name, purpose, location].
PRIVACY_PROCESSORS = [
    tuple(row)
    for row in env.json(
        "PRIVACY_PROCESSORS",
        default=[
            ["Paris&Co", _("Runs the programme and the portal"), _("Paris, France")],
            [
                _("The hosting provider of the portal"),
                _("Hosting of the portal, its database and its files"),
                _("European Union"),
            ],
            [_("The e-mail provider"), _("Sending the portal's e-mails"), _("European Union")],
        ],
    )
]
# An account unused this long (no sign-in) is deleted, after a warning this many days before;
# applications are kept this long after their call closed, then their personal fields are
# anonymised (the applications themselves are kept, for the programme's archive).
ACCOUNT_RETENTION_DAYS = env.int("ACCOUNT_RETENTION_DAYS", default=3 * 365)
RETENTION_WARNING_DAYS = env.int("RETENTION_WARNING_DAYS", default=30)
ARCHIVE_RETENTION_DAYS = env.int("ARCHIVE_RETENTION_DAYS", default=5 * 365)

# --- Selection ------------------------------------------------------------------------------
# A laureate accepts or declines its place by the end of the day this many days after the
# results (or after being offered a place from the waiting list); staff may move one's date.
OFFER_ANSWER_DAYS = env.int("OFFER_ANSWER_DAYS", default=15)

# --- Forms ----------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the autosave script reads the token from the form, not the cookie
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts and styles only from the portal's own static
# files, or an element carrying the response's nonce (the charts' SVG styles); no inline
# attribute, no plugin, no framing; forms post to the portal only. Images: the portal's own,
# and data: URIs (the two-step verification's QR code).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

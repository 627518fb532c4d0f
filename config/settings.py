"""Settings for Learning City, read from the environment.

Every setting a deployment may change is an environment variable, listed with its default in
docs/configuration.md (a test fails when one is undocumented). The defaults run the demo: SQLite,
local files, the database-backed task queue and a console email backend.
``LEARNINGCITY_ENV=production``
turns on the hardened defaults under which ``manage.py check --deploy`` reports nothing.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LEARNINGCITY_VAR_DIR", BASE_DIR / "var"))


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


ENVIRONMENT = env("LEARNINGCITY_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("DEBUG", not PRODUCTION)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when LEARNINGCITY_ENV=production.")
    # Development only: a fixed key so sessions survive restarts of the demo.
    SECRET_KEY = "insecure-demo-key-change-me-" + "x" * 40

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The public origin used in links sent by email and in credentials.
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "learningcity.core",
    "learningcity.cities",
    "learningcity.accounts",
    "learningcity.organisations",
    "learningcity.badges",
    "learningcity.opportunities",
    "learningcity.verification",
    "learningcity.learners",
    "learningcity.pathways",
    "learningcity.insights",
    "learningcity.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "learningcity.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "learningcity.cities.context_processors.current_city",
            ],
        },
    }
]

# --- Database -----------------------------------------------------------------------------------
if not env("DATABASE_URL"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'learningcity.sqlite3'}"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the embedded worker writes; a busy timeout turns a
    # momentary lock into a short wait instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache --------------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
CACHE_URL = env("CACHE_URL", REDIS_URL)
if CACHE_URL.startswith("redis"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
else:
    # The database cache is shared by every process, so login throttling holds across the
    # web process and any extra ones without another server.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "learningcity_cache",
        }
    }

# --- Background tasks (Django's Tasks API, the django-tasks backport on 5.2) --------------------
TASK_BACKEND = env("TASK_BACKEND", "database")
_TASK_BACKENDS = {
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    "redis": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
    "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
}
if TASK_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"TASK_BACKEND must be one of {', '.join(_TASK_BACKENDS)}; got {TASK_BACKEND!r}."
    )
TASKS = {"default": _TASK_BACKENDS[TASK_BACKEND]}
if TASK_BACKEND == "redis":
    if not REDIS_URL:
        raise ImproperlyConfigured("TASK_BACKEND=redis needs REDIS_URL.")
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": REDIS_URL}}
# A worker is counted as alive when its heartbeat is younger than this many seconds.
WORKER_HEARTBEAT_MAX_AGE = int(env("WORKER_HEARTBEAT_MAX_AGE", "60"))

# --- Accounts -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SITE_ID = 1
LOGIN_REDIRECT_URL = "learner-home"
LOGIN_URL = "account_login"
ACCOUNT_ADAPTER = "learningcity.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_MAX_EMAIL_ADDRESSES = 5
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_SIGNUP_FORM_CLASS = "learningcity.accounts.forms.LearnerSignupForm"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Learning City] "
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
# Login throttling: 5 failed attempts per account *and* address in 5 minutes (the adapter keys
# the limit on both), with a generous per-address ceiling so a whole school behind one address
# is never locked out by one pupil's typos.
LOGIN_FAILED_PER_ACCOUNT_AND_ADDRESS = env("LOGIN_FAILED_PER_ACCOUNT_AND_ADDRESS", "5/5m")
LOGIN_FAILED_PER_ADDRESS = env("LOGIN_FAILED_PER_ADDRESS", "300/m")
ACCOUNT_RATE_LIMITS = {
    "login_failed": f"{LOGIN_FAILED_PER_ADDRESS}/ip,{LOGIN_FAILED_PER_ACCOUNT_AND_ADDRESS}/key",
    "signup": "60/m/ip",
    "reset_password": "60/m/ip,5/m/key",
}

# --- Credentials --------------------------------------------------------------------------------
# Issuers' private keys are encrypted at rest with this secret. Losing it means re-keying every
# issuer; changing it needs a re-encryption. Required in production.
CREDENTIAL_KEY_SECRET = env("CREDENTIAL_KEY_SECRET")
if not CREDENTIAL_KEY_SECRET:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "CREDENTIAL_KEY_SECRET must be set when LEARNINGCITY_ENV=production."
        )
    CREDENTIAL_KEY_SECRET = "demo-credential-key-secret-" + SECRET_KEY
# Remote fetches (badge import, issuers' documents, status lists) refuse private and loopback
# addresses. Only the single-machine demo (whose own badges live on 127.0.0.1) and tests need
# them, so the default allows them only in development on a loopback SITE_URL.
CREDENTIALS_FETCH_ALLOW_PRIVATE = env_bool(
    "CREDENTIALS_FETCH_ALLOW_PRIVATE",
    not PRODUCTION and urlsplit(SITE_URL).hostname in {"127.0.0.1", "localhost", "::1"},
)

# --- Email --------------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 15
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Learning City <no-reply@learningcity.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Files --------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "static")))
# Leaflet's own files (for the opportunities map) come from the pinned django-leaflet package.
# Only its static folder is used: the app itself would pull in GeoDjango, which needs GDAL.
_LEAFLET_SPEC = importlib.util.find_spec("leaflet")
if _LEAFLET_SPEC is None or not _LEAFLET_SPEC.submodule_search_locations:
    raise ImproperlyConfigured("django-leaflet is not installed: run `make install`.")
LEAFLET_STATIC_DIR = Path(next(iter(_LEAFLET_SPEC.submodule_search_locations))) / "static/leaflet"
STATICFILES_DIRS = [BASE_DIR / "static", ("vendor/leaflet", LEAFLET_STATIC_DIR)]
# The opportunity search's covering index INCLUDEs columns so PostgreSQL answers from the index
# alone; SQLite has no INCLUDE and simply indexes the key columns, which is what we want there.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
# Map tiles behind the opportunities map ({s}, {z}, {x}, {y} as Leaflet expects). Empty: no
# tiles are fetched and markers show on a plain background. The browser fetches tiles, so the
# tile host is added to the Content-Security-Policy's img-src.
MAP_TILE_URL = env("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env(
    "MAP_TILE_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)
# Insights (issue 7): counts of people from 1 to this minus one are shown as "fewer than N".
INSIGHTS_SUPPRESSION_THRESHOLD = int(env("INSIGHTS_SUPPRESSION_THRESHOLD", "10"))
if INSIGHTS_SUPPRESSION_THRESHOLD < 3:
    # At 2, "fewer than 2" already says the count is 1: no suppression could protect anyone.
    raise ImproperlyConfigured("INSIGHTS_SUPPRESSION_THRESHOLD must be 3 or more.")
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": env("STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 5_242_880
MAX_LOGO_BYTES = 1_048_576

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Security -----------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

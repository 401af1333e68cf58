"""Settings from environment variables.

Local use needs no configuration: SQLite under ``FAIRTHREAD_DATA_DIR`` (default ``./var``) and a secret key
generated once into that directory. ``FAIRTHREAD_ENV=production`` turns on a mode that refuses insecure
settings at start-up (see ``fairthread.checks``) so that ``fairthread check --deploy`` is clean.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if not value.strip():
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}") from exc


PRODUCTION = os.environ.get("FAIRTHREAD_ENV", "development").strip().lower() == "production"
DATA_DIR = Path(os.environ.get("FAIRTHREAD_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    key = os.environ.get("FAIRTHREAD_SECRET_KEY", "")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("FAIRTHREAD_SECRET_KEY must be set in production mode.")
    # Local use: one random key per data directory, never a constant shipped in the code.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("FAIRTHREAD_DEBUG", default=False)
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get(
        "FAIRTHREAD_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver"
    ).split(",")
    if h.strip()
]
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("FAIRTHREAD_ALLOWED_HOSTS must name the site's host(s) in production mode.")
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("FAIRTHREAD_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "fairthread.accounts",
    "fairthread.audit",
    "fairthread.reference",
    "fairthread.supplychain",
    "fairthread.matching",
    "fairthread.risk",
    "fairthread.screening",
    "fairthread.challenges",
    "fairthread.notifications",
    "fairthread.jobs",
    "fairthread.web",
    "fairthread.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Default deny: every page needs sign-in unless its view is marked login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "fairthread.web.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "fairthread.urls"
WSGI_APPLICATION = "fairthread.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fairthread.web.context.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'fairthread.sqlite3'}",
        conn_max_age=env_int("FAIRTHREAD_DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL lets the web server read while an import or the job worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = (
    [
        {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
        {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
        {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
        {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    ]
)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Front-end packages come from the npm registry at install time (see package.json), never pasted in.
NODE_MODULES_DIR = Path(os.environ.get("FAIRTHREAD_NODE_MODULES", PACKAGE_DIR.parent.parent / "node_modules"))
STATICFILES_DIRS = [("vendor", NODE_MODULES_DIR)] if NODE_MODULES_DIR.exists() else []
WHITENOISE_USE_FINDERS = not PRODUCTION

MEDIA_ROOT = DATA_DIR / "uploads"
FILE_UPLOAD_PERMISSIONS = 0o600

# Import limits (configurable; enforced with a clear message).
IMPORT_MAX_BYTES = env_int("FAIRTHREAD_IMPORT_MAX_BYTES", 50 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("FAIRTHREAD_IMPORT_MAX_ROWS", 200_000)
# Imports up to this many rows run inside the web request; larger ones go to the job queue.
IMPORT_INLINE_MAX_ROWS = env_int("FAIRTHREAD_IMPORT_INLINE_MAX_ROWS", 5_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

TASKS = {
    "default": {
        "BACKEND": os.environ.get("FAIRTHREAD_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

EMAIL_BACKEND = os.environ.get(
    "FAIRTHREAD_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("FAIRTHREAD_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("FAIRTHREAD_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("FAIRTHREAD_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("FAIRTHREAD_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("FAIRTHREAD_EMAIL_TLS", PRODUCTION)
DEFAULT_FROM_EMAIL = os.environ.get("FAIRTHREAD_FROM_EMAIL", "fairthread <noreply@localhost>")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("FAIRTHREAD_SESSION_AGE", 8 * 3600)
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("FAIRTHREAD_DEBUG must be off in production mode.")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("FAIRTHREAD_SECRET_KEY must be at least 50 random characters.")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("FAIRTHREAD_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("FAIRTHREAD_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

# The analytic engines (DuckDB) cap their working memory and spill beyond it, so one large assessment cannot
# take the machine's memory from the web server (DuckDB's own default is 80 % of RAM).
ENGINE_MEMORY_LIMIT = os.environ.get("FAIRTHREAD_ENGINE_MEMORY_LIMIT", "4GB")
ENGINE_SPILL_DIR = DATA_DIR / "tmp" / "engines"

# Facility matching: the decision thresholds of the shipped model (docs/matching.md) unless set here — e.g. a
# brand that wants every match seen by a person sets FAIRTHREAD_MATCH_AUTO_THRESHOLD=1.
MATCH_AUTO_THRESHOLD = os.environ.get("FAIRTHREAD_MATCH_AUTO_THRESHOLD", "")
MATCH_REVIEW_THRESHOLD = os.environ.get("FAIRTHREAD_MATCH_REVIEW_THRESHOLD", "")
MATCH_MARGIN = os.environ.get("FAIRTHREAD_MATCH_MARGIN", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("FAIRTHREAD_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

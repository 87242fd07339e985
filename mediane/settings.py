"""Django settings for Médiane, read from environment variables with safe defaults.

Every setting read here is documented in docs/configuration.md; tests/test_docs.py fails when one
is not. Read a variable only through the `env*` helpers below so that the meta-test sees it.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

import dj_database_url
import dj_email_url
import xstatic.pkg.leaflet
import xstatic.pkg.leaflet_markercluster
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def env(name: str, default: str = "") -> str:
    """Return the environment variable `name`, or `default` when unset or empty."""
    value = os.environ.get(name, "")
    return value if value != "" else default


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name, "")
    if value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def env_int(name: str, default: int) -> int:
    value = env(name, "")
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


VAR_DIR = Path(env("MEDIANE_VAR_DIR", str(PROJECT_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else generated once into var/secret_key (mode 600)."""
    key = env("SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process wrote it first
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(64))
    for _ in range(50):
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.01)
    raise RuntimeError(f"{path} is empty: delete it or set SECRET_KEY")


SECRET_KEY = _secret_key()
# Former keys, still accepted for signatures (sessions, reset links) and to read secrets
# encrypted under them, while a rotation is under way (docs/operations.md).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", "")
# Keys of the secrets stored encrypted (mediane/core/crypto.py); empty: derived from SECRET_KEY.
ENCRYPTION_KEYS = env_list("MEDIANE_ENCRYPTION_KEYS", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# Behind a TLS-terminating reverse proxy: trust X-Forwarded-Proto, secure cookies, HSTS.
HTTPS = env_bool("MEDIANE_HTTPS", False)
# Default: the local server, on the port `mediane serve` / `make demo` use (PORT, else 8000).
_LOCAL_PORT = env("PORT", "8000") if env("PORT", "8000").isdigit() else "8000"
SITE_URL = env("MEDIANE_SITE_URL", f"http://127.0.0.1:{_LOCAL_PORT}").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    "js_lib_htmx",
    "ninja",
    "mediane.core",
    "mediane.accounts",
    "mediane.territories",
    "mediane.directory",
    "mediane.search",
    "mediane.market",
    "mediane.summit",
    "mediane.datahub",
    "mediane.cooperation",
    "mediane.solutions",
    "mediane.incubation",
    "mediane.tierslieux",
    "mediane.support",
    "mediane.diagnostic",
    "mediane.plans",
    "mediane.labels",
    "mediane.notifications",
    "mediane.api",
    "mediane.demo",
    "mediane.scheduling",
]

MIDDLEWARE = [
    # Request id, access log and request metrics around everything else.
    "mediane.core.observability.RequestMiddleware",
    # A NUL character in the query string: 422 before any query fails on it.
    "mediane.core.middleware.NulByteGuardMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "mediane.core.middleware.FrenchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Two-factor authentication: verified session for /admin/, enrolment when required.
    "mediane.accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mediane.urls"
WSGI_APPLICATION = "mediane.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mediane.core.context_processors.site",
                "mediane.core.context_processors.navigation",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'mediane.sqlite3'}")
# Persistent connections are checked before their first query of each request
# (CONN_HEALTH_CHECKS): after a database restart, the first request gets a new connection
# instead of an error (see docs/operations.md, « Redémarrage de la base »).
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0), conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets readers run beside one writer; IMMEDIATE avoids upgrade deadlocks.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20),
        }
    )
    # SQLite's page cache (cache_size above) lives in the connection: keep connections open
    # between requests unless told otherwise (directory search at 200,000 rows: p50 66 -> 30 ms).
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 600)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (login throttling, API rate limits): shared when several app servers run ------------
CACHE_URL = env("CACHE_URL", "locmem://")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
elif CACHE_URL.startswith("db://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "mediane_cache",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts and security ------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "mediane.accounts.password_validation.MaximumLengthValidator"},
]
# E-mails with a link (password reset, address verification) one address may receive per hour.
MAIL_LINKS_PER_HOUR = env_int("MEDIANE_MAIL_LINKS_PER_HOUR", 3)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

# Login throttling (django-axes): lock a username+IP pair after N failures for a cool-off period.
AXES_FAILURE_LIMIT = env_int("MEDIANE_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("MEDIANE_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
# Logins ignore the case of the e-mail: so does the failure counter.
AXES_USERNAME_CALLABLE = "mediane.accounts.throttling.axes_username"
AXES_IPWARE_PROXY_COUNT = env_int("MEDIANE_PROXY_COUNT", 0) or None
AXES_VERBOSE = False
# Two-factor authentication (TOTP): when true, the secretariat, staff and superusers must enrol.
TWO_FACTOR_REQUIRED_FOR_STAFF = env_bool("MEDIANE_2FA_REQUIRED_FOR_STAFF", False)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 14 * 24 * 3600
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    # Load balancers check the app servers in plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

MAP_TILES_URL = env("MEDIANE_MAP_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
_tiles_origin = "/".join(MAP_TILES_URL.split("/")[:3]) if MAP_TILES_URL.startswith("http") else ""
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"] + ([_tiles_origin] if _tiles_origin else []),
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- E-mail -----------------------------------------------------------------------------------
EMAIL_URL = env("EMAIL_URL", "console://")
_email = dj_email_url.parse(EMAIL_URL)
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"]
EMAIL_PORT = _email["EMAIL_PORT"]
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
if _email.get("EMAIL_FILE_PATH"):
    EMAIL_FILE_PATH = _email["EMAIL_FILE_PATH"]
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Médiane <no-reply@mediane.example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Static and media files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "static")))
# Filled by collectstatic; created up front so the static files server finds it even before.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Front-end libraries served from their installed packages, never copied into the repository.
STATICFILES_DIRS = [
    ("leaflet", xstatic.pkg.leaflet.BASE_DIR),
    ("leaflet-markercluster", xstatic.pkg.leaflet_markercluster.BASE_DIR),
]
MEDIA_URL = env("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
# Files that only some people may read (challenge and answer attachments): never under
# MEDIA_ROOT, never served by URL; the pages stream them after a permission check.
PRIVATE_MEDIA_ROOT = Path(env("MEDIANE_PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
S3_BUCKET = env("MEDIANE_S3_BUCKET")
STORAGES: dict[str, dict] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env("MEDIANE_S3_ENDPOINT_URL") or None,
            "region_name": env("MEDIANE_S3_REGION") or None,
            "access_key": env("MEDIANE_S3_ACCESS_KEY") or None,
            "secret_key": env("MEDIANE_S3_SECRET_KEY") or None,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    # Private files in the same bucket under `private/`, always with the bucket's (private)
    # ACL; the pages stream them after a permission check and never hand out their URL.
    STORAGES["private"] = {
        "BACKEND": STORAGES["default"]["BACKEND"],
        "OPTIONS": {
            **STORAGES["default"]["OPTIONS"],
            "location": "private",
            "default_acl": "private",
        },
    }
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# Uploads: Django refuses request bodies above this size; each upload field checks its own limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
LOGO_MAX_BYTES = env_int("MEDIANE_LOGO_MAX_BYTES", 2 * 1024 * 1024)
IMPORT_MAX_BYTES = env_int("MEDIANE_IMPORT_MAX_BYTES", 50 * 1024 * 1024)
# Expert support: days before an untaken or a silent request shows on the follow-up page.
SUPPORT_UNTAKEN_DAYS = env_int("MEDIANE_SUPPORT_UNTAKEN_DAYS", 10)
SUPPORT_STALE_DAYS = env_int("MEDIANE_SUPPORT_STALE_DAYS", 21)
# Retention of personal data (days; 0 keeps forever), applied daily by `accounts.retention`.
RETENTION_NOTIFICATIONS_DAYS = env_int("MEDIANE_RETENTION_NOTIFICATIONS_DAYS", 180)
RETENTION_AUDIT_DAYS = env_int("MEDIANE_RETENTION_AUDIT_DAYS", 1095)
RETENTION_INACTIVE_ACCOUNTS_DAYS = env_int("MEDIANE_RETENTION_INACTIVE_ACCOUNTS_DAYS", 30)
MARKET_ATTACHMENT_MAX_BYTES = env_int("MEDIANE_MARKET_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
# Data hub: largest dataset upload, and where processed versions live (normalised CSV, Parquet,
# profiles; rebuilt from the uploads kept in the private storage). Shared by every worker and
# app server of a deployment (a local disk on one machine, a shared volume beyond).
DATAHUB_MAX_UPLOAD_BYTES = env_int("MEDIANE_DATAHUB_MAX_UPLOAD_BYTES", 200 * 1000 * 1000)
DATAHUB_ROOT = Path(env("MEDIANE_DATAHUB_ROOT", str(VAR_DIR / "datahub")))
# Portal accounts may point to this machine or a private network only when this is on (tests,
# a portal inside the organisation's own network).
DATAHUB_PORTALS_ALLOW_PRIVATE = env_bool("MEDIANE_DATAHUB_PORTALS_ALLOW_PRIVATE", False)

# --- Internationalisation -------------------------------------------------------------------
# Source strings are written in French (see docs/architecture.md); English comes from locale/en.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env("TIME_ZONE", "Europe/Paris")

# --- Background tasks -------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env("MEDIANE_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- Médiane ---------------------------------------------------------------------------------
MEDIUM_CITY_MIN = env_int("MEDIANE_MEDIUM_CITY_MIN", 20_000)
MEDIUM_CITY_MAX = env_int("MEDIANE_MEDIUM_CITY_MAX", 100_000)
REFERENCE_DATA_DIR = Path(env("MEDIANE_REFERENCE_DATA_DIR", str(BASE_DIR / "territories" / "data")))
PAGE_SIZE = env_int("MEDIANE_PAGE_SIZE", 20)
API_RATE_ANON = env("MEDIANE_API_RATE_ANON", "60/min")
API_RATE_TOKEN = env("MEDIANE_API_RATE_TOKEN", "600/min")

# --- Operations: logs, health, metrics (docs/operations.md) -----------------------------------
LOG_FORMAT = env("MEDIANE_LOG_FORMAT", "text")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"MEDIANE_LOG_FORMAT must be text or json, not {LOG_FORMAT!r}")
# /metrics answers only with `Authorization: Bearer <token>`; 404 when empty.
METRICS_TOKEN = env("MEDIANE_METRICS_TOKEN", "")
# /readyz: the workers are reachable when one gave a sign of life within this many seconds.
WORKER_STALE_SECONDS = env_int("MEDIANE_WORKER_STALE_SECONDS", 120)
# Interrupted tasks (a worker killed mid-task): a retryable task is queued again until it has
# been tried this many times, then marked failed (core/task_recovery.py).
TASK_MAX_ATTEMPTS = env_int("MEDIANE_TASK_MAX_ATTEMPTS", 3)
# Finished task rows are deleted by the daily job core.prune_task_results: successful ones after
# this many days, failed ones after 30 days (or this, when longer); 0 keeps them all.
TASK_RESULTS_KEEP_DAYS = env_int("MEDIANE_TASK_RESULTS_KEEP_DAYS", 7)
# Partial and orphaned upload files (a server killed mid-upload) older than this are removed.
ORPHAN_FILE_SECONDS = env_int("MEDIANE_ORPHAN_FILE_SECONDS", 3600)
# Uploads larger than FILE_UPLOAD_MAX_MEMORY_SIZE are spooled here while the request is read;
# what a killed server leaves behind is removed by the same clean-up.
FILE_UPLOAD_TEMP_DIR = env("MEDIANE_UPLOAD_TEMP_DIR", str(VAR_DIR / "tmp" / "uploads"))
Path(FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "mediane.core.observability.RequestContextFilter"}},
    "formatters": {
        "json": {"()": "mediane.core.observability.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

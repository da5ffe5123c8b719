"""Settings for Policy Portal, driven by environment variables with safe defaults.

Embedded default (a laptop): SQLite under var/, a filesystem Celery broker, mail kept in the
database outbox. Production: DATABASE_URL (PostgreSQL) and REDIS_URL, DEBUG off, SECRET_KEY set.
"""

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_str(name: str, default: str = "") -> str:
    """Read NAME, or the contents of the file named by NAME_FILE (container secrets)."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text().strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


TESTING = "pytest" in sys.modules or env_bool("PORTAL_TESTING")
DEBUG = env_bool("DEBUG", False)

# Commands that only read code (never serve or sign anything) may run without a key.
_CODE_ONLY_COMMAND = len(sys.argv) > 1 and sys.argv[0].endswith("manage.py") and sys.argv[1] in {
    "makemigrations", "help",
}


def secret_key_setting(name: str, purpose: str) -> str:
    """NAME (or the file NAME_FILE) in production; for development and tests a random key
    generated once in var/ (lower-cased name)."""
    value = env_str(name)
    if value:
        return value
    if not (DEBUG or TESTING or _CODE_ONLY_COMMAND):
        raise ImproperlyConfigured(
            f"{name} is not set. Set {name} (or {name}_FILE) to {purpose}, or set DEBUG=1 for "
            "local development."
        )
    key_file = VAR_DIR / name.lower()
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = secret_key_setting("SECRET_KEY", "a long random value")
# The key of the acknowledgement chain's keyed hashes (acknowledgements/chain.py). Never stored
# in the database, so its owner cannot recompute the chain; keep a copy offline (docs/security.md).
ACK_CHAIN_KEY = secret_key_setting(
    "ACK_CHAIN_KEY", "a long random value kept outside the database")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG or TESTING else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Links in emails. In development it follows the port runserver listens on (scripts/dev: PORT).
SITE_URL = os.environ.get(
    "SITE_URL", f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}").rstrip("/")
TRUST_NAME = os.environ.get("TRUST_NAME", "Northfield Learning Trust")
#: Published policy versions get a page and a PDF that need no sign-in (docs/documents.md).
PUBLIC_POLICIES = env_bool("PUBLIC_POLICIES", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "django_celery_beat",
    "django_htmx",
    "csp",
    "core",
    "accounts",
    "audit",
    "policies",
    "acknowledgements",
    "notifications",
    "breaches",
    "approvals",
    "auditpacks",
    "documents",
]

# Single sign-on: switched on from the environment alone (see README "Single sign-on").
SOCIALACCOUNT_PROVIDERS: dict = {}
if os.environ.get("ENTRA_CLIENT_ID"):
    INSTALLED_APPS.append("allauth.socialaccount.providers.microsoft")
    SOCIALACCOUNT_PROVIDERS["microsoft"] = {
        "APPS": [{
            "client_id": env_str("ENTRA_CLIENT_ID"),
            "secret": env_str("ENTRA_CLIENT_SECRET"),
            "settings": {"tenant": os.environ.get("ENTRA_TENANT_ID", "organizations")},
        }],
    }
if os.environ.get("GOOGLE_CLIENT_ID"):
    INSTALLED_APPS.append("allauth.socialaccount.providers.google")
    SOCIALACCOUNT_PROVIDERS["google"] = {
        "APPS": [{
            "client_id": env_str("GOOGLE_CLIENT_ID"), "secret": env_str("GOOGLE_CLIENT_SECRET"),
        }],
        "AUTH_PARAMS": {"hd": os.environ.get("GOOGLE_WORKSPACE_DOMAIN", "*")},
    }

MIDDLEWARE = [
    # First: every response (HTTPS redirects and errors too) carries X-Request-ID and is logged.
    "core.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the request: strips NUL/control characters from GET, POST, cookies.
    "core.middleware.ControlCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "core.middleware.RequireMfaMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "core.context_processors.portal",
            ],
            # |as_date, |as_datetime, |as_time in every template (core/dates.py).
            "builtins": ["core.templatetags.portal_dates"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'portal.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # WAL lets the worker and beat write while the web process reads.
    DATABASES["default"]["OPTIONS"]["init_command"] = "PRAGMA journal_mode=WAL;"
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

REDIS_URL = os.environ.get("REDIS_URL", "")
if TESTING:
    # Each test run gets a private cache so rate limits and locks never leak between tests.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Celery: Redis in production, kombu's filesystem transport when REDIS_URL is unset.
CELERY_QUEUE_DIR = VAR_DIR / "celery" / "queue"
CELERY_PROCESSED_DIR = VAR_DIR / "celery" / "processed"
CELERY_CONTROL_DIR = VAR_DIR / "celery" / "control"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    for folder in (CELERY_QUEUE_DIR, CELERY_PROCESSED_DIR, CELERY_CONTROL_DIR):
        folder.mkdir(parents=True, exist_ok=True)
    # A hostname, or kombu logs "No hostname was supplied" on every connection (it ignores it).
    CELERY_BROKER_URL = "filesystem://localhost//"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR),
        "data_folder_out": str(CELERY_QUEUE_DIR),
        "processed_folder": str(CELERY_PROCESSED_DIR),
        "control_folder": str(CELERY_CONTROL_DIR),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", TESTING)
CELERY_TIMEZONE = "Europe/London"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}

# Internationalisation: British English, London time, UK dates.
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "British English")]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
# One way to write a date and a time (portal/formats/en_GB/formats.py wins over these, as
# localisation is always on; they say the same for code that reads settings directly).
FORMAT_MODULE_PATH = ["portal.formats"]
DATE_FORMAT = SHORT_DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = "j F Y, H:i"
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploaded evidence and generated packs live outside any public path; only
# permission-checked views serve them.
PRIVATE_STORAGE_ROOT = Path(os.environ.get("PRIVATE_STORAGE_ROOT", VAR_DIR / "private"))
MEDIA_ROOT = PRIVATE_STORAGE_ROOT
# Never routed: private files are served only by permission-checked views.
MEDIA_URL = "/private-files-are-not-served/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 10 * 1024 * 1024)

# Authentication (django-allauth). No open sign-up: HR creates or imports people.
AUTHENTICATION_BACKENDS = [
    # Django's and allauth's backends, loading the person's academy with them.
    "accounts.backends.PortalModelBackend",
    "accounts.backends.PortalAuthenticationBackend",
]
ACCOUNT_ADAPTER = "accounts.adapters.PortalAccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapters.PortalSocialAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_TOKEN_GENERATOR = None
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_REAUTHENTICATION_TIMEOUT = 15 * 60
# Tell people by email when their password or two-factor settings change (ASVS 2.2.3).
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "login": "30/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = TRUST_NAME
# Accept the code of the neighbouring 30-second window too (RFC 6238 5.2: clock drift, typing).
MFA_TOTP_TOLERANCE = 1
# A code typed a second time says it was already used (accounts/mfa_forms.py).
MFA_FORMS = {"authenticate": "accounts.mfa_forms.PortalAuthenticateForm",
             "reauthenticate": "accounts.mfa_forms.PortalReauthenticateForm"}
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if TESTING
    else [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.ScryptPasswordHasher",
    ]
)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions and cookies (OWASP ASVS L2, see docs/security.md).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG and not TESTING:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Mail. Development keeps every message in the database outbox (readable at /outbox/).
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "core.mail.OutboxEmailBackend" if (DEBUG or not os.environ.get("EMAIL_HOST")) else
    "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Policy Portal <policies@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Load benchmark only: exposes /_bench/floor/ (see bench/load.py). Off in production.
BENCHMARK_FLOOR_VIEW = env_bool("BENCHMARK_FLOOR_VIEW", False)

# Each person's navigation (links and badges) and home page panels are cached this long at
# most; changes that affect them invalidate them at once (core/navcache.py). 0: no cache.
NAV_CACHE_SECONDS = env_int("NAV_CACHE_SECONDS", 60)
# The compliance dashboards' figures, likewise (acknowledgements/compliance_cache.py).
COMPLIANCE_CACHE_SECONDS = env_int("COMPLIANCE_CACHE_SECONDS", 60)

# Health: the Celery heartbeat counts as fresh for this many seconds.
HEALTH_HEARTBEAT_MAX_AGE = env_int("HEALTH_HEARTBEAT_MAX_AGE", 180)

# Product rules the trust may set from the environment. Unset: each app's own default applies
# (see docs/*.md): acknowledgement due days, signed-link lifetime and nudge interval; audit pack
# retention and roster size; breach-case draft retention, working-day calendar (holiday
# country/subdivision, extra closure dates YYYY-MM-DD,...) and the policy a report cites.
for _name in ("ACK_DUE_DAYS", "ACK_LINK_MAX_AGE_DAYS", "ACK_NUDGE_INTERVAL_HOURS",
              "AUDIT_PACK_RETENTION_DAYS", "AUDIT_PACK_TABLE_ROWS_MAX",
              "BREACHES_DRAFT_RETENTION_DAYS"):
    if os.environ.get(_name):
        globals()[_name] = env_int(_name, 0)
for _name in ("BREACHES_HOLIDAY_COUNTRY", "BREACHES_HOLIDAY_SUBDIV", "BREACHES_POLICY_SLUG"):
    if os.environ.get(_name):
        globals()[_name] = env_str(_name)
if os.environ.get("BREACHES_CLOSURE_DATES"):
    BREACHES_CLOSURE_DATES = env_list("BREACHES_CLOSURE_DATES")

# Logs: `json` (production, the image's default) writes one JSON object per line with the
# request ID and the person's ID, never their name or email (core/logs.py); `text` for a terminal.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "core.logs.ContextFilter"}},
    "formatters": {
        "json": {"()": "core.logs.JsonFormatter"},
        "text": {"()": "core.logs.TextFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["context"],
                             "formatter": "json" if LOG_FORMAT == "json" else "text"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # The access line comes from core.request_id (route, not path); this one repeats it.
        "django.request": {"level": "ERROR"},
    },
}
# Celery keeps the same handlers (and so the same format) instead of installing its own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Only a proxy that sets X-Forwarded-For itself (Caddy) reaches gunicorn: record the client's
# address from it in the audit trail (core/request_id.py).
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)

# Errors to Sentry when SENTRY_DSN is set: no personal data (core.logs.scrub_event).
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN and not TESTING:
    from core.logs import sentry_init

    sentry_init(dsn=SENTRY_DSN, environment=os.environ.get("SENTRY_ENVIRONMENT", "production"))
CSRF_FAILURE_VIEW = "core.views.csrf_failure"

"""Django settings for the SBS portal.

Every value that differs between a laptop and production comes from the
environment; the defaults are the embedded, single-process development setup.
See docs/subsystems/configuration.md for the full list.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parents[2]
PORTAL_DIR = BASE_DIR / "portal"


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("PORTAL_DEBUG", False)
# A development key is generated per data directory; production must set one.
SECRET_KEY = os.environ.get("PORTAL_SECRET_KEY") or "dev-only-insecure-key-set-PORTAL_SECRET_KEY-in-production"

# The national site lives on PORTAL_BASE_DOMAIN, each municipality on <code>.<base>.
PORTAL_BASE_DOMAIN = os.environ.get("PORTAL_BASE_DOMAIN", "localhost")
ALLOWED_HOSTS = env_list("PORTAL_ALLOWED_HOSTS", f"{PORTAL_BASE_DOMAIN},.{PORTAL_BASE_DOMAIN},127.0.0.1,testserver")

# ---------------------------------------------------------------- applications
SHARED_APPS = [
    "django_tenants",
    "portal.tenants",
    "portal.platform.accounts",
    "portal.platform.core",
    # Before django.contrib.admin: our registration/ templates must win over the admin's.
    "portal.frontend",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.admin",
    "channels",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_otp",  # two-factor sign-in (TOTP app codes; recovery codes as hashed static tokens)
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",  # failed sign-ins and lock-outs (public schema: one account, one lock, on every host)
    "portal.api",
    # Marketplace, public schema: one provider registry and catalogue for every municipality.
    "portal.marketplace.catalogue",
    "portal.marketplace.search",
    "portal.statistics",
    "portal.marketplace.registry",
    # Notifications of national users (provider staff) live in public; everyone else's in their municipality.
    "portal.notifications",
    # Stripe Connect: providers' connected accounts and the webhook inbox (one per platform, not per municipality).
    "portal.marketplace.stripe_connect",
]
# Apps whose tables live in every municipality's own schema.
TENANT_APPS = [
    "django.contrib.contenttypes",
    "portal.platform.core",
    "portal.platform.outbox",
    "portal.marketplace.approvals",
    "portal.budgets.people",
    "portal.budgets.ledger",
    "portal.marketplace.agreements",
    "portal.marketplace.invoicing",
    "portal.marketplace.payments",
    "portal.notifications",
    "portal.notifications.threads",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Municipality"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
# New municipalities are made from this template schema's DDL (kept migrated by `portal migrate`).
TENANT_BASE_SCHEMA = "tenant_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
TENANT_LIMIT_SET_CALLS = True
# A host that names no municipality gets this page (django-tenants calls it from the tenant middleware).
DEFAULT_NOT_FOUND_TENANT_VIEW = "portal.frontend.views.unknown_host"
# Citus schema-based sharding (docs/adr/0014): each new municipality's schema is created as a distributed
# schema on a worker node. Needs PostgreSQL with Citus 12+ and the public tables in the ADR as reference tables.
CITUS_DISTRIBUTE_SCHEMAS = env_bool("PORTAL_CITUS_SCHEMAS", False)
TENANT_MULTIPROCESSING_MAX_PROCESSES = int(os.environ.get("PORTAL_MIGRATION_PROCESSES", "2"))
TENANT_MULTIPROCESSING_CHUNKS = 2
# Lag-tolerant reads (statistics, catalogue and HSDS, search index loads, exports) may go to the replica
# (DATABASE_REPLICA_URL); everything else to default. portal/platform/core/replica.py.
DATABASE_ROUTERS = ("portal.platform.core.replica.ReplicaRouter", "django_tenants.routers.TenantSyncRouter")
EXTRA_SET_TENANT_METHOD_PATH = "portal.platform.core.replica.follow_tenant"  # the replica follows the tenant

MIDDLEWARE = [
    # Outermost: 503 at once while the database is away (before the host look-up, which needs it).
    "portal.platform.health.AvailabilityMiddleware",
    "portal.platform.core.replica.ReplicaRequestMiddleware",  # nothing written yet: replica reads allowed
    "portal.tenants.middleware.MunicipalityMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.platform.core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.platform.core.middleware.NoStoreWhenSignedInMiddleware",
    "portal.platform.read_audit.PersonalReadAuditMiddleware",  # every read of personal data → audit log
    "portal.frontend.middleware.LanguageMiddleware",
    "portal.frontend.middleware.TwoFactorMiddleware",  # staff finish the second step before anything else
    "portal.frontend.middleware.StaffIdleTimeoutMiddleware",
    "portal.platform.core.middleware.BadInputMiddleware",  # after the language: its 400 page is translated
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out sign-in into the translated lock-out page
]

ROOT_URLCONF = "portal.platform.urls_tenant"
PUBLIC_SCHEMA_URLCONF = "portal.platform.urls_public"
ASGI_APPLICATION = "portal.platform.asgi.application"
WSGI_APPLICATION = "portal.platform.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.frontend.context_processors.portal",
            ],
        },
    }
]

# ---------------------------------------------------------------- database
# Each branch imports what only it needs: the embedded server is not even imported when DATABASE_URL is set.
if os.environ.get("DATABASE_URL"):
    import dj_database_url

    _db = dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=0)
    _db["ENGINE"] = "portal.platform.db_backend"
    DATABASES = {"default": _db}
else:
    from portal.platform.embedded_db import database_settings

    DATABASES = {"default": database_settings()}
DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get("PORTAL_TEST_DB_NAME", "portal_test")


def _connection_reuse(db: dict) -> None:
    """Reuse PostgreSQL connections: a psycopg pool per process (default) or persistent connections.

    Under ASGI each request's sync code runs in its own thread, so per-thread persistent
    connections (CONN_MAX_AGE) would be opened per request anyway; a pool is shared by
    every thread of the process. ``PORTAL_DB_POOL=0`` opens a connection per request
    (the old behaviour); ``PORTAL_DB_CONN_MAX_AGE=<s>`` with the pool off keeps one per thread.
    """
    if os.environ.get("PORTAL_DB_POOL", "1").lower() not in ("0", "false", "no", "off"):
        try:
            import psycopg_pool  # noqa: F401  (the psycopg[pool] extra)
        except ImportError:
            pass
        else:
            db["CONN_MAX_AGE"] = 0  # Django refuses persistent connections together with a pool
            db.setdefault("OPTIONS", {})["pool"] = {
                "min_size": int(os.environ.get("PORTAL_DB_POOL_MIN", "2")),
                "max_size": int(os.environ.get("PORTAL_DB_POOL_MAX", "20")),
                # How long a request waits for a connection: short, so a database that is away answers 503
                # within a second instead of holding every request (the web's thread pool never needs 20).
                "timeout": float(os.environ.get("PORTAL_DB_POOL_TIMEOUT", "1")),
            }
            return
    db["CONN_MAX_AGE"] = int(os.environ.get("PORTAL_DB_CONN_MAX_AGE", "0"))
    db["CONN_HEALTH_CHECKS"] = db["CONN_MAX_AGE"] > 0


_connection_reuse(DATABASES["default"])
# A streaming standby for lag-tolerant reads (`portal db replica` makes one of the embedded server).
if os.environ.get("DATABASE_REPLICA_URL"):
    import dj_database_url

    DATABASES["replica"] = dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"], conn_max_age=0)
    DATABASES["replica"]["ENGINE"] = "portal.platform.db_backend"
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # a test run reads its own test database
    _connection_reuse(DATABASES["replica"])
REPLICA_PROBE_SECONDS = float(os.environ.get("PORTAL_REPLICA_PROBE_SECONDS", "5"))
# While the database is away (portal/platform/core/availability.py): one request per interval probes it,
# the others answer 503 with this Retry-After.
DATABASE_PROBE_SECONDS = float(os.environ.get("PORTAL_DB_PROBE_SECONDS", "0.5"))
RETRY_AFTER_SECONDS = int(os.environ.get("PORTAL_RETRY_AFTER_SECONDS", "30"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ---------------------------------------------------------------- accounts
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "frontend:dashboard"
LOGOUT_REDIRECT_URL = "frontend:home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes checks every password sign-in (pages and the admin) before the model backend: after
# AXES_FAILURE_LIMIT failures for one account, or from one address, further attempts are refused for
# AXES_COOLOFF_TIME (the account's password is not even checked). `portal axes_reset` unlocks.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("PORTAL_SIGNIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("PORTAL_SIGNIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own: per account, and per address
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "portal.frontend.accounts.views.locked_out"
AXES_USERNAME_CALLABLE = "portal.platform.accounts.throttling.signin_username"
AXES_VERBOSE = False
# The address is REMOTE_ADDR: behind a reverse proxy, serve with uvicorn's --proxy-headers (trusted proxy).
# Password-reset requests: at most this many per hour per address (IP) and per e-mail address.
PASSWORD_RESET_LIMIT_PER_ADDRESS = int(os.environ.get("PORTAL_RESET_LIMIT_PER_ADDRESS", "10"))
PASSWORD_RESET_LIMIT_PER_ACCOUNT = int(os.environ.get("PORTAL_RESET_LIMIT_PER_ACCOUNT", "3"))
# Two-factor sign-in (portal/tenants/two_factor.py): required for every staff role (municipal staff where the
# municipality's `staff_two_factor` is on — the default — and every national role); families may opt in.
# PORTAL_DEMO=1 (set by `portal demo`) makes it offered, never required, so the README's log-ins work.
PORTAL_DEMO = env_bool("PORTAL_DEMO", False)
OTP_TOTP_ISSUER = "SBS portāls"
OTP_TOTP_THROTTLE_FACTOR = 1  # wrong codes slow the next try down (1 s, 2 s, 4 s …)
# Staff sessions end after this many idle minutes (families keep SESSION_COOKIE_AGE); a notice warns first.
STAFF_IDLE_MINUTES = int(os.environ.get("PORTAL_STAFF_IDLE_MINUTES", "30"))
STAFF_IDLE_WARNING_MINUTES = int(os.environ.get("PORTAL_STAFF_IDLE_WARNING_MINUTES", "5"))
EMAIL_BACKEND = os.environ.get("PORTAL_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("PORTAL_FROM_EMAIL", "SBS portāls <no-reply@sbs.localhost>")

# ---------------------------------------------------------------- security
# Cookies are host-only: a session on one municipality's host is never sent to another's.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_NAME = "sbs_session"
CSRF_COOKIE_NAME = "sbs_csrftoken"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_AGE = None  # a session cookie, gone when the browser closes (Django's default is a year)
CSRF_COOKIE_HTTPONLY = True
CSRF_TRUSTED_ORIGINS = env_list("PORTAL_CSRF_TRUSTED_ORIGINS")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts, styles, fonts and images from the site itself only — no
# inline script or style anywhere (the templates load static files), no plugins, no framing, forms post to
# the portal's hosts only. The API documentation pages relax it for themselves (portal/api/urls.py).
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],  # CSP 3: 'self' covers the page's own ws:/wss: origin (notifications)
        "object-src": [NONE],
        "base-uri": [SELF],
        # Forms post to the site itself or another portal host (any port: development runs on one) — and two
        # buttons are answered by a redirect to Stripe (co-payment Checkout, Connect onboarding), which Chromium
        # checks against form-action too.
        "form-action": [SELF, f"{PORTAL_BASE_DOMAIN}:*", f"*.{PORTAL_BASE_DOMAIN}:*",
                        *os.environ.get("STRIPE_REDIRECT_ORIGINS",
                                        "https://checkout.stripe.com https://connect.stripe.com").split()],
        "frame-ancestors": [NONE],
    },
}
# Features no page may use (Permissions-Policy: feature=() for each).
PERMISSIONS_POLICY = ["accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope",
                      "magnetometer", "microphone", "midi", "payment", "usb", "xr-spatial-tracking"]
X_FRAME_OPTIONS = "DENY"
PORTAL_HTTPS = env_bool("PORTAL_HTTPS", False)
# The port in absolute links that leave the browser (e-mails): none in production; `portal demo` sets the one
# it serves on, so its console e-mails' links open (tenants/links.py).
PORTAL_PUBLIC_PORT = int(os.environ.get("PORTAL_PUBLIC_PORT") or 0) or None
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = PORTAL_HTTPS
SECURE_SSL_REDIRECT = PORTAL_HTTPS
if PORTAL_HTTPS:
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# ---------------------------------------------------------------- i18n
LANGUAGE_CODE = "lv"
LANGUAGES = [("lv", _("Latvian")), ("en", _("English"))]
LOCALE_PATHS = [PORTAL_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "sbs_language"
USE_I18N = True
TIME_ZONE = "Europe/Riga"
USE_TZ = True

# ---------------------------------------------------------------- static files
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("PORTAL_DATA_DIR") or BASE_DIR / ".portal-data").expanduser() / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise wants it even before collectstatic
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve straight from the apps when collectstatic has not run

# ---------------------------------------------------------------- caches / channels
# Valkey (or Redis): REDIS_URL, else the embedded server started beside the embedded PostgreSQL
# (portal/platform/embedded_valkey.py). Channels and Celery share its database 0.
from portal.platform.embedded_valkey import cache_url, kombu_url, redis_url  # noqa: E402

REDIS_URL = redis_url()
CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}}
# The default cache is shared by every process and node (its own Valkey database, PORTAL_CACHE_DB=1): API
# throttles, password-reset limits and the search facet cache count once for the whole portal, not per
# process. Keys carry the municipality's schema (django-tenants' key function). Valkey away: a request
# that needs the cache answers 503 at once (portal/platform/core/availability.py), never hangs.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": cache_url(REDIS_URL),
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}

# ---------------------------------------------------------------- background work (Celery)
# portal/platform/background: the app, per-municipality tasks and the beat schedule; docs/subsystems/background.md.
CELERY_BROKER_URL = CELERY_RESULT_BACKEND = kombu_url(REDIS_URL)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A sender (a web request committing an outbox event) gives up on a broker that is down within about two
# seconds instead of retrying for long; the event waits for the sweep. The worker reconnects on its own.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5, "visibility_timeout": 3600,
                                   "max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_SERIALIZER = CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the message to be delivered again
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # the portal's LOGGING stays in charge
CELERY_WORKER_REDIRECT_STDOUTS = False
CELERY_TIMEZONE = TIME_ZONE
# Outbox events not processed this many seconds after they were sent are sent again by the sweep.
OUTBOX_REDISPATCH_SECONDS = int(os.environ.get("PORTAL_OUTBOX_REDISPATCH_SECONDS", "60"))
OUTBOX_MAX_ATTEMPTS = int(os.environ.get("PORTAL_OUTBOX_MAX_ATTEMPTS", "10"))
# Stripe Connect (docs/subsystems/stripe.md). Without a secret key Stripe is off: payments use the bank-file rail.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "https://api.stripe.com")
AGREEMENTS_EXPIRE_EVERY_SECONDS = int(os.environ.get("PORTAL_AGREEMENTS_EXPIRE_EVERY", "300"))
# The budget period's daily jobs (budgets close, agreements complete, carry-over questions); shorter in tests.
PERIOD_JOBS_EVERY_SECONDS = int(os.environ.get("PORTAL_PERIOD_JOBS_EVERY", str(24 * 60 * 60)))
# The ministry's statistics: rebuilt in full from every municipality's schema this often (and refreshed
# per municipality after each relevant commit through the outbox).
STATISTICS_REBUILD_EVERY_SECONDS = int(os.environ.get("PORTAL_STATISTICS_REBUILD_EVERY", str(6 * 60 * 60)))

# ---------------------------------------------------------------- API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The browser's session only: HTTP Basic would let anyone guess passwords without a lock-out.
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("PORTAL_API_RATE_ANON", "120/min"),
        "user": os.environ.get("PORTAL_API_RATE_USER", "1200/min"),
        # Endpoints about accounts and roles (who am I, memberships): stricter.
        "accounts": os.environ.get("PORTAL_API_RATE_ACCOUNTS", "60/min"),
    },
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "portal.api.schema.PortalAutoSchema",  # documents the error envelope everywhere
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "EXCEPTION_HANDLER": "portal.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SBS portal API",
    "DESCRIPTION": "Individual budgets for community-based social services. "
    "Tenant endpoints answer on a municipality's host; national endpoints on the national host.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"RoleEnum": "portal.tenants.roles.Role"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PORTAL_LOG_LEVEL", "WARNING")},
    "loggers": {"django.request": {"level": "ERROR"}},
}

# Search (portal.marketplace.search): the PostgreSQL backend matches, counts and orders over the documents
# held in each process's memory (PORTAL_SEARCH_MEMORY=0: in SQL); above the sync limit a changed catalogue
# is reloaded in the background while the previous snapshot answers.
SEARCH_MEMORY_INDEX = env_bool("PORTAL_SEARCH_MEMORY", True)
SEARCH_MEMORY_SYNC_LIMIT = int(os.environ.get("PORTAL_SEARCH_MEMORY_SYNC_LIMIT", "5000"))

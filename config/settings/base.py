"""GridPrograms settings for production and development, read from environment variables only.

Safe defaults for production: DEBUG is off unless asked for, SECRET_KEY is required to serve
when not debugging, cookies are secure and security headers are on. `make run` sets DEBUG=1 so a
new user needs nothing exported. Every variable is listed in README.md. The login, CSP and
browser-header settings are a topic module of their own (config/settings/security.py, read in
below); the test suite runs on config/settings/test.py, which starts from these.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_list
from config.settings.security import https_settings

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"
# Otherwise an unset key stays empty: the web server refuses to start (config/wsgi.py,
# config/asgi.py: "SECRET_KEY must be set when DEBUG is off") and Django refuses any other use
# of an empty key, while commands that sign nothing (`migrate`, `create_api_key`,
# `prune_audit_log`) work on a fresh checkout as README.md writes them.

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_fsm",
    "django_htmx",
    "django_tables2",
    "django_tasks_db",
    "accounts",
    "programs",
    "instances",
    "enrollments",
    "events",
    "dashboard",
    "audit",
    "enroll",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.RequestIdMiddleware",
    "config.metrics.MetricsMiddleware",
    "config.replicas.ReplicaReadsMiddleware",
    "config.middleware.RejectNulMiddleware",
    "config.middleware.RequestLimitsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "audit.context.AuditContextMiddleware",
    # After authentication: Idempotency-Key of every POST under /api/v1 (docs/api.md).
    "config.api.idempotency.IdempotencyMiddleware",
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
                "dashboard.context_processors.workspace",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite is the zero set-up default. WAL lets readers run beside the single writer, the busy
# timeout makes a second writer wait instead of failing, and IMMEDIATE transactions take the write
# lock up front so two concurrent read-then-write transactions cannot deadlock into
# "database is locked".
DEFAULT_SQLITE_PATH = BASE_DIR / "var" / "gridprograms.sqlite3"
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=20000;"
            "PRAGMA foreign_keys=ON;"
        ),
    }
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A psycopg connection pool per process (docs/deployment.md sizes it): connections are
    # opened once and shared by the process's threads instead of one per thread and request.
    if int(os.environ.get("DB_POOL_MAX_SIZE", "0")) > 0:
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool, not Django, keeps them open
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": int(os.environ.get("DB_POOL_MIN_SIZE", "1")),
            "max_size": int(os.environ["DB_POOL_MAX_SIZE"]),
            "timeout": float(os.environ.get("DB_POOL_TIMEOUT", "10")),
        }
# A read replica for lists and exports (config/replicas.py, docs/scale-out.md). The test
# settings add a `replica` alias mirroring the test database when there is none.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = {
        **dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"], conn_max_age=60),
        "CONN_HEALTH_CHECKS": True,
    }
DATABASE_ROUTERS = ["config.replicas.ReplicaRouter"]
REPLICA_READS = env_bool("REPLICA_READS", default=bool(os.environ.get("DATABASE_REPLICA_URL")))
REPLICA_READ_ROUTES = env_list(
    "REPLICA_READ_ROUTES",
    "enrollment-list,instance-enrollments,event-list,dashboard:enrollment-list,"
    "dashboard:enrollment-export",
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard:overview"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("CACHE_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["CACHE_URL"],
        }
    }

# --- Security ------------------------------------------------------------------------------
SECURE_HTTPS = env_bool("SECURE_HTTPS", default=not DEBUG)
globals().update(https_settings(SECURE_HTTPS))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Email -----------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
_SMTP_OPTIONS = {
    "host": os.environ.get("EMAIL_HOST", "localhost"),
    "port": int(os.environ.get("EMAIL_PORT", "25")),
    "username": os.environ.get("EMAIL_HOST_USER", ""),
    "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
    "use_tls": env_bool("EMAIL_USE_TLS"),
}
MAILERS = {
    "default": {
        "BACKEND": EMAIL_BACKEND,
        "OPTIONS": _SMTP_OPTIONS if EMAIL_BACKEND.endswith("smtp.EmailBackend") else {},
    }
}
del EMAIL_BACKEND
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "GridPrograms <noreply@localhost>")
NOTIFICATIONS_ENABLED = env_bool("NOTIFICATIONS_ENABLED", default=True)

# --- Background tasks ----------------------------------------------------------------------
# Jobs are rows in our own database (django-tasks-db), so a job enqueued inside a transaction is
# committed or rolled back with it: an outbox for free. TASK_BACKEND=immediate runs them inline.
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
    "dummy": "django.tasks.backends.dummy.DummyBackend",
}
TASK_BACKEND = os.environ.get("TASK_BACKEND", "database")
if TASK_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASK_BACKEND must be one of {sorted(_TASK_BACKENDS)}")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASK_BACKEND]}}

# --- Webhooks --------------------------------------------------------------------------------
WEBHOOKS_ALLOW_PRIVATE_NETWORKS = env_bool("WEBHOOKS_ALLOW_PRIVATE_NETWORKS")
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "10"))
# About three days of exponential backoff (Standard Webhooks' suggested schedule).
WEBHOOK_RETRY_DELAYS = [
    int(x)
    for x in env_list("WEBHOOK_RETRY_DELAYS", "5,300,1800,7200,18000,36000,36000,86400,86400")
]
# The delivery engine (events.engine, `manage.py webhook_worker`); see docs/webhooks.md.
WEBHOOK_WORKER_THREADS = int(os.environ.get("WEBHOOK_WORKER_THREADS", "64"))
WEBHOOK_ENDPOINT_CONCURRENCY = int(os.environ.get("WEBHOOK_ENDPOINT_CONCURRENCY", "8"))
WEBHOOK_BATCH_SIZE = int(os.environ.get("WEBHOOK_BATCH_SIZE", "200"))
WEBHOOK_POLL_SECONDS = float(os.environ.get("WEBHOOK_POLL_SECONDS", "1"))
WEBHOOK_LEASE_SECONDS = float(os.environ.get("WEBHOOK_LEASE_SECONDS", "0"))  # 0: from timeout
WEBHOOK_BREAKER_THRESHOLD = int(os.environ.get("WEBHOOK_BREAKER_THRESHOLD", "5"))
WEBHOOK_BREAKER_COOLDOWN_SECONDS = float(os.environ.get("WEBHOOK_BREAKER_COOLDOWN_SECONDS", "5"))
WEBHOOK_BREAKER_MAX_COOLDOWN_SECONDS = float(
    os.environ.get("WEBHOOK_BREAKER_MAX_COOLDOWN_SECONDS", "300")
)

# --- API ---------------------------------------------------------------------------------------
API_THROTTLE_RATE = os.environ.get("API_THROTTLE_RATE", "1200/min")
# How long a POST's Idempotency-Key and its response are kept (Stripe: 24 hours).
IDEMPOTENCY_KEY_TTL_SECONDS = int(os.environ.get("IDEMPOTENCY_KEY_TTL_SECONDS", "86400"))
# A key whose first request has run this long without finishing (its process died) is released.
IDEMPOTENCY_LOCK_SECONDS = int(os.environ.get("IDEMPOTENCY_LOCK_SECONDS", "300"))
# Sync cursors hold back rows changed this recently, so a write still committing is not skipped.
API_CURSOR_SETTLE_SECONDS = float(os.environ.get("API_CURSOR_SETTLE_SECONDS", "1"))
# API key -> workspace and scopes, cached this long (changes to a key clear it at once).
API_KEY_CACHE_SECONDS = int(os.environ.get("API_KEY_CACHE_SECONDS", "10"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiKeyAuthentication",
        "accounts.authentication.DashboardSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["accounts.throttling.ApiKeyRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_key": API_THROTTLE_RATE},
    "DEFAULT_PAGINATION_CLASSES": None,
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.PagePagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["config.api.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "config.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATETIME_FORMAT": "iso-8601",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append(
        "rest_framework.renderers.BrowsableAPIRenderer"
    )

SPECTACULAR_SETTINGS = {
    "TITLE": "GridPrograms API",
    "DESCRIPTION": (
        "Programs, program instances, enrollments, customers, leads, events and webhooks. "
        "Authenticate with `Authorization: Bearer <key>` or `X-Api-Key: <key>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.schema.add_error_responses",
    ],
    "APPEND_COMPONENTS": {
        "securitySchemes": {
            "BearerKey": {"type": "http", "scheme": "bearer"},
            "HeaderKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
        }
    },
    "SECURITY": [{"BearerKey": []}, {"HeaderKey": []}],
    "AUTHENTICATION_WHITELIST": [],
    "ENUM_NAME_OVERRIDES": {
        "EnrollmentStatusEnum": "enrollments.models.EnrollmentStatus",
        "IdentificationTypeEnum": "enrollments.models.IdentificationType",
    },
}

# LOG_FORMAT=json for one JSON object per line; every line carries the request id (config/logs.py).
from config.logs import logging_config  # noqa: E402

LOGGING = logging_config(
    fmt=os.environ.get("LOG_FORMAT", "plain"), level=os.environ.get("LOG_LEVEL", "INFO")
)

# --- Health and metrics (config/health.py, config/metrics.py; docs/deployment.md) ----------------

# --- Audit log -------------------------------------------------------------------------------
# Entries older than this many days are deleted by `manage.py prune_audit_log` (run it daily
# from cron); 0 keeps them forever.
AUDIT_RETENTION_DAYS = int(os.environ.get("AUDIT_RETENTION_DAYS", "365"))
# --- Login brute force, CSP and browser security headers (config/settings/security.py) -------
from config.settings.security import *  # noqa: E402, F403

INSTALLED_APPS.append("axes")
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # must be last
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "config.middleware.PermissionsPolicyMiddleware",
)
TEMPLATES[0]["OPTIONS"]["context_processors"].append("django.template.context_processors.csp")

# 403 and 404 are answers, not faults: django.request logs each once, as a warning without a
# traceback (it attached one to PermissionDenied). Real errors keep theirs.
LOGGING["filters"]["expected_4xx"] = {"()": "config.middleware.ExpectedClientErrorFilter"}
LOGGING["loggers"]["django.request"] = {"filters": ["expected_4xx"]}

METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
WORKER_HEARTBEAT_MAX_AGE_SECONDS = int(os.environ.get("WORKER_HEARTBEAT_MAX_AGE_SECONDS", "60"))
READYZ_MAX_QUEUE_LAG_SECONDS = int(os.environ.get("READYZ_MAX_QUEUE_LAG_SECONDS", "300"))
IMPORTS_METRIC_MODEL = os.environ.get("IMPORTS_METRIC_MODEL", "enrollments.Import")

# --- Public enrollment page (enroll/) ------------------------------------------------------
# POSTs per client IP and minute on the public pages (the form, "send me my link"); over it: 429.
ENROLL_RATE_LIMIT_PER_MINUTE = int(os.environ.get("ENROLL_RATE_LIMIT_PER_MINUTE", "10"))
# How long the customers' signed links work: the status page and invitations.
ENROLL_STATUS_DAYS = int(os.environ.get("ENROLL_STATUS_DAYS", "30"))
ENROLL_INVITE_DAYS = int(os.environ.get("ENROLL_INVITE_DAYS", "14"))
# Largest accepted body of a public form POST, in bytes (larger: 413).
ENROLL_MAX_BODY_BYTES = int(os.environ.get("ENROLL_MAX_BODY_BYTES", "32768"))
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Candidate import (enrollments.imports) ----------------------------------------------------
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(50 * 1024 * 1024)))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "200000"))
IMPORT_CHUNK_SIZE = int(os.environ.get("IMPORT_CHUNK_SIZE", "1000"))
IMPORT_PARALLEL_MIN_ROWS = int(os.environ.get("IMPORT_PARALLEL_MIN_ROWS", "10000"))
# The set-based bulk paths write chunks on this many extra connections while the next chunk is
# prepared (PostgreSQL, outside a transaction: config.pipeline). 0: one connection, one chunk at
# a time.
BULK_WRITERS = int(os.environ.get("BULK_WRITERS", "2"))

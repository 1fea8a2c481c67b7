"""Settings, all read from the environment (django-environ).

- nothing set: SQLite file in the project, Celery tasks run eagerly in-process, console email;
- DATABASE_URL / REDIS_URL: PostgreSQL and a Redis broker with real workers;
- DJANGO_ENV=production: DEBUG off, SECRET_KEY and ALLOWED_HOSTS required, secure cookies, HSTS.
"""
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    for required in ("SECRET_KEY", "ALLOWED_HOSTS"):
        if not env.str(required, default=""):
            raise ImproperlyConfigured(f"DJANGO_ENV=production requires the {required} environment variable")
    SECRET_KEY = env.str("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    DEBUG = env.bool("DEBUG", default=False)
else:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-not-secret-7f3b9c1e2d4a6b8c0e1f3a5b7c9d1e3f5a7b9c1d3e5f")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
    DEBUG = env.bool("DEBUG", default=True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_tables2",
    "simple_history",
    "axes",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "portal",
    "banks",
    "parks",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.security_headers.PermissionsPolicyMiddleware",  # before whitenoise, so static files get it too
    "portal.security_headers.PortalCSPMiddleware",  # django-csp's, the header built once
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.errors.ErrorPagesMiddleware",  # the portal's Chinese 404 / 403 pages, also with DEBUG=True
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "portal.audit.AuditRequestMiddleware",  # the request's address for the audit log
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"

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
                "portal.context_processors.portal",
            ],
            "builtins": ["portal.templatetags.portal_tags", "reports.templatetags.numbers"],  # numbers: the one display rule
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"

DATABASES = {"default": env.db_url_config(env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# SQLite (the `make run` default): a transaction takes the write lock when it begins (BEGIN
# IMMEDIATE), so concurrent writers queue for up to `timeout` seconds instead of failing with
# "database is locked" when a read lock cannot be upgraded; a lock still held after the wait is a
# 503 with Retry-After (portal.middleware, and the API's exception handler), never a 500.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
MIDDLEWARE += ["portal.middleware.DatabaseBusyMiddleware"]  # innermost: sees a view's exception first

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "portal.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "portal.auth.PortalModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes (portal.lockout): failures count per username AND address, and per address alone,
# each for the cool-off time. Five wrong passwords for one username lock that username from that
# address only (a stranger elsewhere cannot lock the province regulator out); twenty failures from
# one address over any usernames lock the address (password spraying). Banks sit behind shared NAT
# addresses, hence the higher per-address limit: a whole branch office mistyping twenty times in
# half an hour is unlikely; the province regulator unlocks a user on its organisation page.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_IP_FAILURE_LIMIT = env.int("AXES_IP_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "portal.lockout.PortalAxesHandler"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")  # the smoke test collects elsewhere
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"

# Uploads: the schedules' xlsx files are checked again before parsing (reports.xlsx).
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
IMPORT_ASYNC_ROWS = env.int("IMPORT_ASYNC_ROWS", default=2000)  # larger uploads run in a Celery task
EXPORT_ASYNC_ROWS = env.int("EXPORT_ASYNC_ROWS", default=20000)  # larger 附表1/5 exports are written by a Celery task
EXPORT_KEEP_DAYS = env.int("EXPORT_KEEP_DAYS", default=7)  # then the export file is deleted (beat)
RATE_WARNING_THRESHOLD = env.str("RATE_WARNING_THRESHOLD", default="15.4")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20000

# Cache and Celery: Redis when REDIS_URL is set; otherwise in-process.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "portal.cache.PortalRedisCache", "LOCATION": REDIS_URL}}  # one client, reused
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Prepared dashboards (reports.dashboards.cache): the rendered body of the summary-only dashboard
# pages, stored under the data's generation (portal.generation) — a new roll-up or target build
# makes every older entry unreachable; nothing is purged, entries expire after PREPARED_PAGES_SECONDS.
# Redis is shared by every process (a day); local memory is each process's own, so an entry (and the
# generation itself) lives a minute there: a build made in another process (a `manage.py` command,
# another server worker) shows within that minute. DASHBOARD_CACHE=false serves every page fresh
# (bench/dashboard.py measures the page both ways in one run).
DASHBOARD_CACHE = env.bool("DASHBOARD_CACHE", default=True)
PREPARED_PAGES_SECONDS = env.int("PREPARED_PAGES_SECONDS", default=24 * 60 * 60 if REDIS_URL else 60)

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# --- Celery time limits, redelivery and lost roll-ups -------------------------------
# Sized to the longest task, not to hours: a full province roll-up takes seconds at Zhejiang scale
# (bench/rollup.py: goal < 10 s) and under a minute at national scale (10×); the longest task is
# the largest xlsx import — the 20 MB upload cap is ~160,000 附表1 rows, ~2.5 min at the
# ~1,100 rows/s bench/xlsx_import.py measured on this 2-core machine. Hard limit 6 min.
CELERY_TASK_TIME_LIMIT = 6 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 5 * 60
# Redis redelivers an unacknowledged task (its worker died) after the visibility timeout. Longer
# than the time limit, so a task still running is never handed to a second worker; short, so a
# roll-up lost with a dead worker is redone within minutes, not two hours. (Tests that kill a
# worker set CELERY_VISIBILITY_TIMEOUT=5 to get the redelivery at once.)
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=8 * 60)
# kombu sweeps the unacked set every interval × throttle seconds (default 10 × 10): keep the sweep
# well inside the visibility timeout, so a lost task comes back soon after it times out.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "unacked_restore_interval": max(1, min(10, CELERY_VISIBILITY_TIMEOUT // 4)),
    "unacked_restore_throttle": 1 if CELERY_VISIBILITY_TIMEOUT < 120 else 10,
}
# A roll-up still “更新中” after this long lost its task (message gone: broker restarted empty, or
# enqueue failed after the commit); the beat job summaries-requeue-stuck enqueues it again. More
# than the visibility timeout, so Redis' own redelivery comes first.
ROLLUP_STUCK_MINUTES = env.int("ROLLUP_STUCK_MINUTES", default=10)
# Fault injection for the redelivery test: a roll-up sleeps this long inside its transaction.
ROLLUP_BUILD_DELAY = env.float("ROLLUP_BUILD_DELAY", default=0.0)
# A roll-up task waits this long before it starts: the requests of a burst of approvals (many in a
# second) join the one already queued, so each scope is refreshed once (reports.summaries.rollups).
ROLLUP_COALESCE_SECONDS = env.float("ROLLUP_COALESCE_SECONDS", default=0.5)
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "summaries-refresh-open-periods": {
        "task": "reports.summaries.rollups.summaries_refresh_open_periods",
        "schedule": crontab(hour=7, minute=30),
    },
    "filing-reminders": {
        "task": "reports.summaries.reminders.reminders_send",
        "schedule": crontab(hour=8, minute=0),
    },
    "clear-expired-sessions": {
        "task": "portal.tasks.sessions_clear_expired",
        "schedule": timedelta(hours=24),
    },
    "export-jobs-purge": {  # export files older than EXPORT_KEEP_DAYS
        "task": "reports.filings.export_jobs.export_jobs_purge_task",
        "schedule": crontab(hour=3, minute=0),
    },
    "summaries-requeue-stuck": {  # roll-ups left “更新中” longer than ROLLUP_STUCK_MINUTES
        "task": "reports.summaries.rollups.summaries_requeue_stuck_task",
        "schedule": timedelta(minutes=5),
    },
}

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@localhost")
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-sm table-hover align-middle"}
LIST_PAGE_SIZE = 50

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.api.auth.PortalTokenAuthentication",  # knox's, refusing tokens older than a password change
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON bodies: nesting depth and lone UTF-16 surrogates checked before any view (portal.api.parsers)
    "DEFAULT_PARSER_CLASSES": [
        "portal.api.parsers.PortalJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # REST API: pages of 100 (?page=, ?page_size= up to 1000), django-filter + ?ordering=,
    # throttled per token (per user for browser sessions), errors as {"code", "message", "errors"}.
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.PortalPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["portal.api.throttles.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("API_THROTTLE_USER", default="600/min"),
        "bulk": env.str("API_THROTTLE_BULK", default="60/min"),
    },
    "EXCEPTION_HANDLER": "portal.api.errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# django-rest-knox: hashed, expiring tokens, one per client system, named (portal.ApiTokenInfo).
KNOX_TOKEN_MODEL = "knox.AuthToken"  # knox's own model (named here: migrations refer to the setting)
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=90),  # default; the profile page offers 30 / 90 / 365 days
    "AUTO_REFRESH": False,
    "TOKEN_LIMIT_PER_USER": 20,
    "AUTH_HEADER_PREFIX": "Token",
}
API_IDEMPOTENCY_TTL = timedelta(hours=24)  # an Idempotency-Key is answered from storage this long
API_BULK_MAX_BYTES = env.int("API_BULK_MAX_BYTES", default=64 * 1024 * 1024)  # JSON body of a bulk upsert (rows, readings)
SPECTACULAR_SETTINGS = {
    "TITLE": "小微企业园金融服务监测报送平台 API",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "DESCRIPTION": "银行、园区等系统（如“园区大脑”）推送数据的接口。认证：请求头 `Authorization: Token <令牌>`，"
                   "令牌在“个人设置 / API令牌”页面创建；浏览器已登录时也可直接调用。",
    "SERVE_INCLUDE_SCHEMA": False,
    # the schema and Swagger UI only for signed-in users (session or token), as the API itself
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},  # no badge from an outside validator
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ParkStatusEnum": "parks.choices.ParkStatus",
        "FilingStatusEnum": "reports.filings.choices.FilingStatus",
        "ImportJobStatusEnum": "reports.models.ImportJob.Status",
        "RegionLevelEnum": "portal.choices.RegionLevel",
        "OrgKindEnum": "portal.choices.OrgKind",
        "RoleEnum": "portal.choices.Role",
        "InstitutionTypeEnum": "banks.choices.InstitutionType",
        "ScheduleCodeEnum": "reports.filings.choices.ScheduleCode",
        "SummaryScopeEnum": "reports.models.Summary.Scope",
        "EntityTypeEnum": "parks.choices.EntityType",
        "IndustryEnum": "parks.choices.Industry",
        "PartnerRoleEnum": "parks.choices.PartnerRole",
        "FilingActionEnum": "reports.models.FilingTransition.Action",
    },
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60
# With Redis the sessions are "cached_db" (write-through: Redis, then the table): a signed-in request
# reads its session from Redis, not the table. Without Redis the cache is each process's own memory,
# which another server process would not see change (a logout, a password change): the table alone.
# (The tests run with cached_db either way — one process —, so their pinned query counts are those of
# the production set-up: tests/conftest.py.)
SESSION_ENGINE = env.str("SESSION_ENGINE", default="django.contrib.sessions.backends." + ("cached_db" if REDIS_URL else "db"))
CSRF_COOKIE_HTTPONLY = False
CSRF_FAILURE_VIEW = "portal.errors.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Content-Security-Policy and Permissions-Policy ---------------------------------
# django-csp sets the CSP on every response. Scripts only from our own origin: no inline <script>
# code, no on*= handlers, no eval (templates declare behaviour with data-* attributes handled by
# static/js/portal.js; data for scripts travels in json_script blocks, which are not executed;
# /api/docs/ uses drf-spectacular's split Swagger view, whose init script is a separate request).
# Styles allow 'unsafe-inline' on purpose: templates use style= attributes and two <style> blocks,
# Swagger UI's page and Django admin have inline styles, and htmx injects its indicator <style>.
# Inline CSS cannot run script; with every template autoescaped the remaining risk (CSS-only
# tricks on injected markup) is small next to the cost of moving all of them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],  # Bootstrap's and Swagger UI's icons are data: SVGs
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Browser features the portal never uses are switched off for it and anything it might embed.
PERMISSIONS_POLICY = {
    feature: [] for feature in (
        "accelerometer", "ambient-light-sensor", "autoplay", "camera", "display-capture", "geolocation", "gyroscope",
        "hid", "magnetometer", "microphone", "midi", "payment", "publickey-credentials-get", "screen-wake-lock",
        "serial", "usb", "xr-spatial-tracking",
    )
}

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # health checks over plain http from inside
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[f"https://{h}" for h in ALLOWED_HOSTS])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

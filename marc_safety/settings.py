"""The one settings module, read from the environment (see the table in README.md)."""

import datetime as dt
import secrets
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from core.headers import static_file_headers

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)


def _secret_key() -> str:
    key = env.str("SECRET_KEY", default="")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DJANGO_DEBUG is off (production mode)."
        )
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The public address links start with (core.urls). In development it may be left unset:
# pages then link to the host they were asked on.
SITE_URL = env.str("SITE_URL", default="" if DEBUG else "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "django.forms",  # the built-in widget templates, for FORM_RENDERER below
    "django_otp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_totp",
    "two_factor",
    "axes",
    "pgtrigger",
    "pghistory",
    "crispy_forms",
    "crispy_bootstrap5",
    "reversion",
    "csp",
    "ninja",  # the partner API's Swagger UI, served from the package's static files
    "core",
    "accounts",
    "programs",
    "training",
    "peersupport",
    "coresponder",
    "reports",
    "marc_safety",
]

MIDDLEWARE = [
    # First: answers a database outage in any layer below with the styled 503 page.
    "marc_safety.middleware.DatabaseUnavailableMiddleware",
    # Next: a cached anonymous page is answered here, with the headers the layers below
    # gave it when it was rendered; everything else goes on down (core.pagecache).
    "core.pagecache.AnonymousPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Headers next, so every answer from below (400, 403, lockout) carries them too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "accounts.middleware.SecurityHeadersMiddleware",
    # The partner API's edge (/api/ only): every error below becomes a problem document
    # and every call gets one audit line.
    "coresponder.api.middleware.ApiEdgeMiddleware",
    # Request bodies over the limits end here with a 413, before anything reads them.
    "accounts.bodylimits.RequestBodyLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The one input boundary: NUL bytes and lone surrogates end here with a 400 (and an
    # audit entry for a signed-in person), before any view or audit write sees them.
    "core.boundary.InputBoundaryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.StaffSessionMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Widgets render through TEMPLATES, so templates/ can override a built-in widget's template
# (templates/admin/widgets/: labels for the admin's date and time boxes).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

ROOT_URLCONF = "marc_safety.urls"
WSGI_APPLICATION = "marc_safety.wsgi.application"

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
                "marc_safety.context_processors.site",
            ],
        },
    },
]

# Database: a real server when DATABASE_URL is set, otherwise the embedded one in var/.
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    from marc_safety.embedded_db import embedded_database_url

    DATABASES = {"default": environ.Env.db_url_config(embedded_database_url(VAR_DIR))}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: the broker on REDIS_URL, the cache on a separate database of the same server.
REDIS_URL = env.str("REDIS_URL", default="")
REDIS_CACHE_URL = env.str("REDIS_CACHE_URL", default="")
if REDIS_URL and not REDIS_CACHE_URL:
    _base, _, _db = REDIS_URL.rstrip("/").rpartition("/")
    REDIS_CACHE_URL = f"{_base}/{int(_db) + 1}" if _db.isdigit() else f"{REDIS_URL.rstrip('/')}/1"
if REDIS_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "KEY_PREFIX": "marc",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: tasks run eagerly in-process when there is no Redis.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "America/Chicago"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Unacknowledged tasks (late ack) come back after this long if their worker vanished:
# well under the one-hour default, so a killed report build is redone within minutes.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=600)
}
# A worker's claim on a report run lasts this long; after that another worker may take over.
# Keep it longer than the longest build (seconds today) and shorter than the visibility
# timeout, so a task redelivered after its worker died finds the claim expired.
REPORT_LEASE_SECONDS = env.int("REPORT_LEASE_SECONDS", default=300)
# Integration tests only: a pause inside each build, so a test can kill a worker mid-build.
REPORT_BUILD_PAUSE_SECONDS = env.float("REPORT_BUILD_PAUSE_SECONDS", default=0.0)
# A CSV import whose runner has shown no sign of life (its heartbeat) for this long is taken
# over by the next runner or the sweep (coresponder.csvio).
IMPORT_LEASE_SECONDS = env.float("IMPORT_LEASE_SECONDS", default=30.0)
# The co-responder program's first day: an encounter dated earlier is refused as a slip of
# the keyboard (coresponder.quality). Written YYYY-MM-DD.
CORESPONDER_PROGRAM_START = dt.date.fromisoformat(
    env.str("CORESPONDER_PROGRAM_START", default="2020-01-01")
)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The email outbox (core.outbox): a worker's claim on an email lasts OUTBOX_LEASE_SECONDS
# (keep it well above EMAIL_TIMEOUT); a failed attempt is retried after
# OUTBOX_RETRY_SECONDS, doubling each time, until OUTBOX_MAX_ATTEMPTS; beat's sweep sends
# whatever is due every OUTBOX_SWEEP_SECONDS.
OUTBOX_LEASE_SECONDS = env.float("OUTBOX_LEASE_SECONDS", default=120.0)
OUTBOX_RETRY_SECONDS = env.float("OUTBOX_RETRY_SECONDS", default=60.0)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
OUTBOX_SWEEP_SECONDS = env.float("OUTBOX_SWEEP_SECONDS", default=60.0)
CELERY_BEAT_SCHEDULE: dict = {
    "audit-purge-expired": {
        "task": "accounts.audit_purge_expired",
        "schedule": crontab(hour=3, minute=15),
        "options": {"expires": 60 * 60},
    },
    # Reminders for events on the day after tomorrow (training.emails): every hour of the
    # working day, so a missed run is made up within the hour and nobody is emailed at night.
    "training-send-reminders": {
        "task": "training.send_reminders",
        "schedule": crontab(minute=10, hour="7-20"),
        "options": {"expires": 50 * 60},
    },
    "peersupport-purge-contact-details": {
        "task": "peersupport.purge_contact_details",
        "schedule": crontab(hour=2, minute=30),
        "options": {"expires": 60 * 60},
    },
    # Imports whose runner died (coresponder.csvio): resumed within about a minute.
    "coresponder-import-resume": {
        "task": "coresponder.import_resume",
        "schedule": 30.0,  # seconds
        "options": {"expires": 25},
    },
    "reports-start-month": {
        "task": "reports.start_month",
        "schedule": crontab(day_of_month=1, hour=2, minute=0),
        "options": {"expires": 6 * 60 * 60},
    },
    "reports-resume": {
        "task": "reports.resume",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 14 * 60},
    },
    # Drafts of live program pages scheduled for publication (programs.services): due
    # drafts are published within a minute, those due while beat was down by its next run.
    "programs-drafts-publish-due": {
        "task": "programs.drafts_publish_due",
        "schedule": 60.0,  # seconds
        "options": {"expires": 55},
    },
    # Emails whose task was never queued (broker down), retries, and emails of workers
    # that died (core.outbox).
    "core-outbox-sweep": {
        "task": "core.outbox_sweep",
        "schedule": OUTBOX_SWEEP_SECONDS,
        "options": {"expires": OUTBOX_SWEEP_SECONDS * 0.9},
    },
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
LOGIN_URL = "two_factor:login"
# A form refused by the CSRF check is explained on the site's 403 page and audited.
CSRF_FAILURE_VIEW = "accounts.views.csrf_failure"
LOGIN_REDIRECT_URL = "accounts:landing"
LOGOUT_REDIRECT_URL = "two_factor:login"
TWO_FACTOR_PATCH_ADMIN = False  # the admin site is replaced by an OTP-requiring one in urls.py
OTP_TOTP_ISSUER = "MARC Safety Portal"
# The admin never shows a person's authenticator secret (django-otp's QR "config" page).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
TWO_FACTOR_REMEMBER_COOKIE_AGE = None
PASSWORD_RESET_TIMEOUT = 60 * 60  # a reset link works for one hour

# Staff sessions: 30 minutes idle, 12 hours at most (accounts.middleware).
STAFF_SESSION_IDLE_SECONDS = env.int("STAFF_SESSION_IDLE_SECONDS", default=30 * 60)
STAFF_SESSION_MAX_SECONDS = env.int("STAFF_SESSION_MAX_SECONDS", default=12 * 60 * 60)
SESSION_COOKIE_AGE = STAFF_SESSION_MAX_SECONDS
# Signed-in pages warn this long before the idle limit, with a "Stay signed in" button
# (static/js/session-timeout.js).
STAFF_SESSION_WARNING_SECONDS = env.int("STAFF_SESSION_WARNING_SECONDS", default=5 * 60)
# A form sent after the session ended is kept this long for its author (accounts.keptwork).
KEPT_WORK_SECONDS = env.int("KEPT_WORK_SECONDS", default=60 * 60)
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# Paths that only staff reach: signed in, enrolled in two-factor and verified this session.
STAFF_PATH_PREFIXES = ["/staff/", "/admin/", "/account/two_factor/"]

# Sign-in lockout (django-axes, accounts.lockout): per account and client address together,
# so one address's failures on "alice" lock neither other accounts nor alice elsewhere;
# an account failing from many addresses is slowed down instead, and administrators told.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_FAILURE_LIMIT = env.int("LOCKOUT_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("LOCKOUT_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "accounts.lockout.PortalAxesHandler"
AXES_CLIENT_IP_CALLABLE = "accounts.network.client_ip"
AXES_USERNAME_CALLABLE = "accounts.network.sign_in_username"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# A success resets only its own (account, address) failures (the lockout parameters).
AXES_RESET_ON_SUCCESS = True
# Attempts refused while locked are not counted: they neither extend the lock nor add to
# the account's slowdown.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False
# Never shown or stored in clear (the portal keeps no attempt's form data at all, too).
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "password",
    "auth-password",
    "password1",
    "password2",
    "old_password",
    "new_password1",
    "new_password2",
    "otp_token",
    "token-otp_token",
    "backup-otp_token",
    "csrfmiddlewaretoken",
]
SIGN_IN_SLOWDOWN_AFTER = env.int("SIGN_IN_SLOWDOWN_AFTER", default=10)
SIGN_IN_SLOWDOWN_MAX_SECONDS = env.int("SIGN_IN_SLOWDOWN_MAX_SECONDS", default=300)

# Request bodies (accounts.bodylimits), refused with 413 before they are read. Public forms
# have no file fields; staff upload CSV imports and documents. Keep the proxy's limit
# (nginx client_max_body_size) at the larger of the two.
PUBLIC_FORM_MAX_BODY_BYTES = env.int("PUBLIC_FORM_MAX_BODY_BYTES", default=64 * 1024)
# The co-responder import takes CSV files up to 100 MiB; the form around one adds a little.
STAFF_UPLOAD_MAX_BYTES = env.int("STAFF_UPLOAD_MAX_BYTES", default=101 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "accounts.bodylimits.BodyLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Form fields other than files, held in memory: 1 MiB is far above any form's text.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
# The partner API (/api/, coresponder.api): its own body limit, enough for a batch of 5,000
# encounters written out in full; and calls per key, counted in the shared cache.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=10 * 1024 * 1024)
API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="120/minute")

# Public forms: rate limits per client address, counted in the shared cache.
RATELIMIT_IP_META_KEY = "accounts.network.client_ip_meta"
RATELIMIT_VIEW = "accounts.views.rate_limited"
PUBLIC_FORM_RATE = env.str("PUBLIC_FORM_RATE", default="10/h")

# Peer support: contact details of a closed request are purged after this many days.
PEER_SUPPORT_PURGE_DAYS = env.int("PEER_SUPPORT_PURGE_DAYS", default=30)
# A declined request can be reopened by a coordinator for this many hours after the decline.
PEER_SUPPORT_DECLINE_REOPEN_HOURS = env.int("PEER_SUPPORT_DECLINE_REOPEN_HOURS", default=72)

# Training check-in (walk-ins too) opens this many minutes before an event starts and
# closes when it ends (training.coordination).
TRAINING_CHECK_IN_OPENS_MINUTES = env.int("TRAINING_CHECK_IN_OPENS_MINUTES", default=60)

# The audit log keeps entries this long (six years by default), then a beat task purges them.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=6 * 365)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.OrganizationWordsValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/Chicago"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Static files carry the site's security headers (WhiteNoise answers before the header
# middleware) and no wildcard CORS header.
WHITENOISE_ADD_HEADERS_FUNCTION = static_file_headers
WHITENOISE_ALLOW_ALL_ORIGINS = False
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    # Uploaded documents, import files and report files. Local files by default; object
    # storage by settings, e.g. FILE_STORAGE_BACKEND=storages.backends.s3.S3Storage and
    # FILE_STORAGE_OPTIONS='{"bucket_name": "marc-reports"}' (with django-storages).
    "default": {
        "BACKEND": env.str(
            "FILE_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": env.json("FILE_STORAGE_OPTIONS", default={}),
    },
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
if EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend":  # noqa: F821
    # Printed emails with their private links masked (core.mail).
    EMAIL_BACKEND = "core.mail.MaskingConsoleEmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="MARC Safety Portal <noreply@localhost>")
# A mail server that stops answering fails the attempt (the outbox retries it) instead of
# holding a worker past its claim on the email.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Security. Production defaults follow from DEBUG being off; each can be set explicitly.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Anonymous public pages are cached whole and invalidated by what they show (core.pagecache);
# a process re-reads its pages' tag versions at most once per GENERATION_CHECK_SECONDS.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)
PAGE_CACHE_GENERATION_CHECK_SECONDS = env.float("PAGE_CACHE_GENERATION_CHECK_SECONDS", default=1.0)
# While Redis is unreachable each process serves the pages it holds for at most this long
# after they were last known fresh (edits made elsewhere meanwhile show after that), and
# leaves Redis alone for PAGE_CACHE_REDIS_RETRY_SECONDS after each failed call.
PAGE_CACHE_STALE_SECONDS = env.float("PAGE_CACHE_STALE_SECONDS", default=300.0)
PAGE_CACHE_REDIS_RETRY_SECONDS = env.float("PAGE_CACHE_REDIS_RETRY_SECONDS", default=1.5)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Every record passes core.logs.mask_path: private link tokens never reach a log.
    "filters": {"private_links": {"()": "core.logs.PrivateLinkFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["private_links"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "pgserver": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# core.boundary calls this for a request it refuses (accounts records it in the audit log).
INPUT_REFUSED_HOOK = "accounts.audit.audit_refused_input"

# /healthz names the failing part only to local monitoring or to a holder of this token
# (sent as "Authorization: Bearer <token>"); everyone else sees only up or down.
HEALTHZ_TOKEN = env.str("HEALTHZ_TOKEN", default="")

# The 24-hour 911 Peer Support Line, shown on every page's footer and the home page.
PEER_SUPPORT_LINE = env.str("PEER_SUPPORT_LINE", default="816-701-8212")

# The address visitors write to about the site: accessibility problems, privacy requests.
SITE_CONTACT_EMAIL = env.str("SITE_CONTACT_EMAIL", default="marcinfo@marc.org")

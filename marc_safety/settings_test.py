"""Test overrides: a throwaway key, plain static storage and plain-HTTP cookies."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-key-" + "x" * 50)

from marc_safety.settings import *  # noqa: E402,F403

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}  # noqa: F405
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
# Unit tests run tasks in-process; tests/integration/ starts a real worker on Redis instead.
CELERY_TASK_ALWAYS_EAGER = True
# Tests share the machine's Redis: keep their cache keys apart from a running portal's.
for _cache in CACHES.values():
    _cache["KEY_PREFIX"] = "marc-test"
# Under pytest-xdist each worker has its own database (pytest-django) and its own Redis
# cache database, since every test starts by clearing the cache (FLUSHDB on Redis).
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _XDIST_WORKER and REDIS_CACHE_URL:  # noqa: F405
    _base, _, _db = REDIS_CACHE_URL.rstrip("/").rpartition("/")  # noqa: F405
    _worker_number = int(_XDIST_WORKER.removeprefix("gw") or 0)
    CACHES["default"]["LOCATION"] = (
        f"{_base}/{(int(_db) if _db.isdigit() else 1) + 1 + _worker_number}"  # noqa: F405
    )
# Each request re-reads the page cache's tag versions, so tests see changes at once.
PAGE_CACHE_GENERATION_CHECK_SECONDS = 0
# A test-only app (tests/testapp): a confidential model and views for the access helpers.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]
# Django's test flush empties tables with TRUNCATE, which the audit log refuses otherwise.
DATABASES["default"]["OPTIONS"]["options"] = "-c marc.audit_truncate=on"

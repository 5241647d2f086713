import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_reports_each_part(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_503_naming_the_cache_when_redis_is_down(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["cache"].startswith("down")
    assert body["database"] == "ok"


@pytest.mark.django_db
def test_healthz_answers_503_naming_the_broker_when_it_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"].startswith("down")


@pytest.fixture
def database_down(transactional_db):
    """Point the live connection at a port where no PostgreSQL listens, then restore it."""
    from django.db import connections

    conn = connections["default"]
    conn.close()
    saved = conn.settings_dict.copy()
    conn.settings_dict.update({"HOST": "127.0.0.1", "PORT": "1", "NAME": "nowhere"})
    yield
    conn.close()
    conn.settings_dict.clear()
    conn.settings_dict.update(saved)


def test_healthz_answers_503_when_the_database_is_down(client, database_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down: OperationalError"


def _production_env(**extra) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="marc_safety.settings",
        ALLOWED_HOSTS="safety.marc.org",
        CSRF_TRUSTED_ORIGINS="https://safety.marc.org",
        SITE_URL="https://safety.marc.org",
        EMAIL_URL="smtp+tls://mailer:secret@smtp.example.org:587",
    )
    env.update(extra)
    return env


def _manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_mode_refuses_to_start_without_a_secret_key():
    result = _manage("check", env=_production_env())
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_check_deploy_prints_no_warnings_given_production_variables():
    key = "k3y-" + "".join(chr(33 + (i * 7) % 90) for i in range(60))
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING", env=_production_env(SECRET_KEY=key)
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output
    assert "WARNING" not in output


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "base-uri 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"


@pytest.mark.django_db
def test_templates_have_no_inline_scripts_or_styles(client):
    html = client.get("/").content.decode()
    assert "<script>" not in html and "<style" not in html and " style=" not in html
    for path in (ROOT / "templates").rglob("*.html"):
        if "emails" in path.parts:
            continue  # email HTML is read by mail clients, which need inline styles; no CSP there
        text = path.read_text()
        assert "<style" not in text and " style=" not in text, path
        assert "<script>" not in text and " onclick=" not in text, path


def test_server_error_page_is_site_styled_and_needs_no_database(rf):
    from marc_safety.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert 'href="#main"' in html


def test_public_page_answers_a_styled_503_while_the_database_is_down(client, database_down):
    response = client.get("/")
    assert response.status_code == 503
    assert "briefly unavailable" in response.content.decode()
    assert response["Retry-After"] == "30"


def test_file_storage_is_chosen_by_settings():
    script = (
        "from django.conf import settings; "
        "print(settings.STORAGES['default']['BACKEND'], settings.STORAGES['default']['OPTIONS'])"
    )
    env = _production_env(
        SECRET_KEY="k" * 60,
        FILE_STORAGE_BACKEND="django.core.files.storage.InMemoryStorage",
        FILE_STORAGE_OPTIONS='{"location": "reports"}',
    )
    result = _manage("shell", "-c", script, env=env)
    assert "InMemoryStorage {'location': 'reports'}" in result.stdout, result.stderr

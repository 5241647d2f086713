"""Passwords, security headers, production settings and public-form limits."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client

from accounts.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"
CODE_STEP = "6-digit code"


def _sign_in(client, username, password=PASSWORD, **extra):
    return client.post(
        "/account/login/",
        {"login_view-current_step": "auth", "auth-username": username, "auth-password": password},
        **extra,
    )


# --- Passwords ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("new_password", "message"),
    [
        ("k7#pQz!w2Lm", "at least 12 characters"),  # 11 characters
        ("qwerty123456", "This password is too common."),
        ("1qaz2wsx3edc", "This password is too common."),
        ("marc911safety!", "leans on a word tied to this portal"),
        ("KansasCity-911", "leans on a word tied to this portal"),
    ],
)
def test_a_weak_new_password_is_refused_with_the_reason(
    make_staff, staff_client, new_password, message
):
    user = make_staff()
    client = staff_client(user)
    response = client.post(
        "/staff/password/",
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_twelve_character_password_of_unrelated_characters_is_accepted(make_staff, staff_client):
    user = make_staff()
    client = staff_client(user)
    response = client.post(
        "/staff/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "k7#pQz!w2Lmx",
            "new_password2": "k7#pQz!w2Lmx",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("k7#pQz!w2Lmx")


def test_a_verified_staff_member_changes_their_password_and_stays_signed_in(
    make_staff, staff_client
):
    user = make_staff()
    client = staff_client(user)
    assert client.get("/staff/password/").status_code == 200
    new = "violet ferns drum quietly"
    response = client.post(
        "/staff/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    landing = client.get("/staff/")
    assert landing.status_code == 200
    assert "Your password was changed." in landing.content.decode()
    user.refresh_from_db()
    assert user.check_password(new)
    assert AuditEvent.objects.filter(actor_id=user.pk, action=AuditAction.PASSWORD_CHANGED).exists()
    # The new password signs in on another browser; the old one no longer does.
    assert CODE_STEP in _sign_in(Client(), user.username, new).content.decode()
    assert CODE_STEP not in _sign_in(Client(), user.username, PASSWORD).content.decode()


def test_a_password_change_needs_the_current_password(make_staff, staff_client):
    user = make_staff()
    client = staff_client(user)
    new = "violet ferns drum quietly"
    response = client.post(
        "/staff/password/",
        {"old_password": "not my password", "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_anonymous_visitors_cannot_open_the_password_change_page(client):
    response = client.get("/staff/password/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def _reset_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/account/password-reset/[^/\s]+/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_a_password_reset_email_link_sets_a_new_password_once(
    client, make_staff, django_capture_on_commit_callbacks
):
    user = make_staff(username="forgetful")
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        response = client.post("/account/password-reset/", {"email": user.email})
    assert response.status_code == 302
    assert response["Location"] == "/account/password-reset/sent/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    link = _reset_link(mail.outbox[0])

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert "Save my new password" in form_page.content.decode()
    set_password_url = form_page.request["PATH_INFO"]
    new = "violet ferns drum quietly"
    done = client.post(set_password_url, {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert done["Location"] == "/account/password-reset/complete/"
    user.refresh_from_db()
    assert user.check_password(new)
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_RESET_REQUESTED).count() == 1

    again = Client().get(link, follow=True)
    html = again.content.decode()
    assert "expired or was already used" in html
    assert "Save my new password" not in html


def test_the_reset_link_refuses_a_weak_password(
    client, make_staff, django_capture_on_commit_callbacks
):
    user = make_staff()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/account/password-reset/", {"email": user.email})
    form_page = client.get(_reset_link(mail.outbox[0]), follow=True)
    weak = "marc911safety!"
    response = client.post(
        form_page.request["PATH_INFO"], {"new_password1": weak, "new_password2": weak}
    )
    assert response.status_code == 200
    assert "leans on a word tied to this portal" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client):
    response = client.post("/account/password-reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/account/password-reset/sent/"
    assert mail.outbox == []


# The sign-in lockout has its own module: test_lockout.py.


# --- Security headers --------------------------------------------------------------------


@pytest.fixture(params=["public", "staff"])
def page_response(request, client, make_staff, staff_client):
    """The home page, or the staff landing page, as a response (its security headers)."""
    if request.param == "public":
        return client.get("/")
    return staff_client(make_staff(superuser=True)).get("/staff/")


def _csp(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    directives = (part.strip().split(None, 1) for part in policy.split(";") if part.strip())
    return {d[0]: d[1] if len(d) > 1 else "" for d in directives}


def test_pages_answer_200(page_response):
    assert page_response.status_code == 200


def test_csp_default_src_is_self(page_response):
    assert _csp(page_response)["default-src"] == "'self'"


def test_csp_object_src_is_none(page_response):
    assert _csp(page_response)["object-src"] == "'none'"


def test_csp_base_uri_is_none(page_response):
    assert _csp(page_response)["base-uri"] == "'none'"


def test_csp_frame_ancestors_is_none(page_response):
    assert _csp(page_response)["frame-ancestors"] == "'none'"


def test_csp_allows_no_inline_script_or_style(page_response):
    assert "unsafe-inline" not in page_response["Content-Security-Policy"]
    assert "unsafe-eval" not in page_response["Content-Security-Policy"]


def test_referrer_policy_is_strict_origin_when_cross_origin(page_response):
    assert page_response["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_permissions_policy_turns_off_camera_geolocation_and_microphone(page_response):
    features = {part.strip() for part in page_response["Permissions-Policy"].split(",")}
    assert {"camera=()", "geolocation=()", "microphone=()"} <= features


def test_content_type_sniffing_is_off(page_response):
    assert page_response["X-Content-Type-Options"] == "nosniff"


def test_pages_cannot_be_framed(page_response):
    assert page_response["X-Frame-Options"] == "DENY"


def test_resources_are_same_origin_only(page_response):
    assert page_response["Cross-Origin-Resource-Policy"] == "same-origin"


def test_a_cached_public_page_keeps_its_security_headers(client):
    first = client.get("/")
    second = client.get("/")
    assert second.get("X-Page-Cache") == "hit"
    for header in (
        "Content-Security-Policy",
        "Referrer-Policy",
        "Permissions-Policy",
        "X-Content-Type-Options",
        "X-Frame-Options",
        "Cross-Origin-Resource-Policy",
    ):
        assert second[header] == first[header], header


@pytest.mark.parametrize(
    "path", ["/staff/", "/admin/", "/staff/password/", "/account/two_factor/backup/tokens/"]
)
def test_staff_pages_are_never_stored_by_browsers_or_proxies(make_staff, staff_client, path):
    response = staff_client(make_staff(superuser=True)).get(path)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_a_public_page_for_anonymous_visitors_may_be_cached(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_a_public_page_seen_by_a_signed_in_staff_member_is_not_stored(make_staff, staff_client):
    response = staff_client(make_staff()).get("/")
    assert "no-store" in response["Cache-Control"]


# --- Production mode ---------------------------------------------------------------------

PRODUCTION_PROBE = """
import json, os
import django
from django.conf import settings

settings.DATABASES["default"].update(json.loads(os.environ["PROBE_DATABASE"]))
django.setup()

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test import Client

with transaction.atomic():
    response = Client().get("/account/login/", secure=True)
    transaction.set_rollback(True)
print(json.dumps({
    "first_hasher": settings.PASSWORD_HASHERS[0],
    "hash_algorithm": make_password("violet ferns drum quietly").split("$", 1)[0],
    "status": response.status_code,
    "hsts": response.get("Strict-Transport-Security"),
    "cookies": {
        name: {
            "secure": bool(morsel["secure"]),
            "httponly": bool(morsel["httponly"]),
            "samesite": morsel["samesite"],
        }
        for name, morsel in response.cookies.items()
    },
}))
"""


@pytest.fixture(scope="module")
def production(django_db_setup):
    """One sign-in page fetched over HTTPS by the production settings, in a subprocess."""
    from django.db import connection

    database = {key: connection.settings_dict[key] for key in ("NAME", "USER", "PASSWORD")}
    database.update(HOST=connection.settings_dict["HOST"], PORT=connection.settings_dict["PORT"])
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="marc_safety.settings",
        SECRET_KEY="k3y-" + "".join(chr(33 + (i * 7) % 90) for i in range(60)),
        ALLOWED_HOSTS="testserver",
        STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
        PROBE_DATABASE=json.dumps(database),
    )
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_hashes_passwords_with_argon2(production):
    assert production["first_hasher"] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert production["hash_algorithm"] == "argon2"


def test_production_sends_hsts_for_a_year_with_subdomains_and_preload(production):
    assert production["status"] == 200
    assert production["hsts"] == "max-age=31536000; includeSubDomains; preload"


@pytest.mark.parametrize("cookie", ["sessionid", "csrftoken"])
def test_production_cookies_are_secure_httponly_and_samesite_lax(production, cookie):
    attributes = production["cookies"][cookie]
    assert attributes == {"secure": True, "httponly": True, "samesite": "Lax"}


# --- Public forms: honeypot and rate limit ----------------------------------------------


def test_a_filled_honeypot_is_refused_with_a_clear_message_and_keeps_the_email(client):
    response = client.post(
        "/account/password-reset/",
        {"email": "typed@example.org", "website": "http://spam.example"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "filled in by an automated tool" in html
    assert 'value="typed@example.org"' in html
    assert mail.outbox == []


def test_the_honeypot_is_hidden_from_people(client):
    html = client.get("/account/password-reset/").content.decode()
    assert 'name="website"' in html
    assert 'class="hp-field"' in html
    assert 'tabindex="-1"' in html


def test_the_third_reset_request_from_one_address_is_refused_and_keeps_the_email(
    client, make_staff, settings, django_capture_on_commit_callbacks
):
    settings.PUBLIC_FORM_RATE = "2/h"  # per hour, so a window boundary cannot split the test
    user = make_staff()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            response = client.post(
                "/account/password-reset/", {"email": user.email}, REMOTE_ADDR="203.0.113.7"
            )
            assert response.status_code == 302
        third = client.post(
            "/account/password-reset/", {"email": user.email}, REMOTE_ADDR="203.0.113.7"
        )
    assert third.status_code == 429
    html = third.content.decode()
    assert "Too many forms were sent from your network" in html
    assert f'value="{user.email}"' in html
    assert len(mail.outbox) == 2

    with django_capture_on_commit_callbacks(execute=True):
        elsewhere = Client().post(
            "/account/password-reset/", {"email": user.email}, REMOTE_ADDR="198.51.100.23"
        )
    assert elsewhere.status_code == 302
    assert len(mail.outbox) == 3


def test_behind_a_proxy_the_rate_limit_counts_the_real_client(client, make_staff, settings):
    settings.PUBLIC_FORM_RATE = "2/h"
    settings.TRUSTED_PROXY_COUNT = 1
    user = make_staff()
    for n in range(2):
        client.post(
            "/account/password-reset/",
            {"email": user.email},
            REMOTE_ADDR="10.1.1.1",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.9",
        )
    third = client.post(
        "/account/password-reset/",
        {"email": user.email},
        REMOTE_ADDR="10.1.1.1",
        HTTP_X_FORWARDED_FOR="192.0.2.50, 198.51.100.9",
    )
    assert third.status_code == 429
    other = Client().post(
        "/account/password-reset/",
        {"email": user.email},
        REMOTE_ADDR="10.1.1.1",
        HTTP_X_FORWARDED_FOR="198.51.100.10",
    )
    assert other.status_code == 302

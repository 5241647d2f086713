"""Two-factor sign-in: enrol before any staff page, verify every session, admin included."""

import time

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def _sign_in(client, username, password=PASSWORD):
    return client.post(
        "/account/login/",
        {"login_view-current_step": "auth", "auth-username": username, "auth-password": password},
    )


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/?next=/staff/")


def test_a_new_account_must_enrol_before_reaching_any_staff_page(client, make_staff):
    make_staff(username="newbie", enrolled=False)
    response = _sign_in(client, "newbie")
    assert response.status_code == 302
    for path in ("/staff/", "/admin/", "/staff/password/", "/account/two_factor/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] in ("/account/two_factor/setup/",) or response[
            "Location"
        ].startswith("/account/login/"), (path, response["Location"])
    assert client.get("/staff/")["Location"] == "/account/two_factor/setup/"


def test_enrolment_with_a_code_from_the_app_opens_the_staff_pages(client, make_staff):
    make_staff(username="enrol", enrolled=False)
    _sign_in(client, "enrol")
    assert client.get("/account/two_factor/setup/").status_code == 200
    page = client.post("/account/two_factor/setup/", {"setup_view-current_step": "welcome"})
    secret = page.context["secret_key"]
    assert page.status_code == 200 and secret
    assert client.get("/account/two_factor/qrcode/")["Content-Type"].startswith("image/svg")
    device = TOTPDevice(key=_hex_from_base32(secret))
    response = client.post(
        "/account/two_factor/setup/",
        {"setup_view-current_step": "generator", "generator-token": _code(device)},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert client.get("/staff/").status_code == 200
    tokens = client.post("/account/two_factor/backup/tokens/")
    assert tokens.status_code == 302
    html = client.get("/account/two_factor/backup/tokens/").content.decode()
    assert html.count("<li><code>") == 10


def test_an_enrolled_account_needs_its_code_and_a_wrong_code_is_refused(client, make_staff):
    user = make_staff(username="coded")
    device = TOTPDevice.objects.get(user=user)
    response = _sign_in(client, "coded")
    assert response.status_code == 200
    assert "6-digit code" in response.content.decode()
    assert client.get("/staff/").status_code == 302
    wrong = client.post(
        "/account/login/", {"login_view-current_step": "token", "token-otp_token": "000000"}
    )
    assert wrong.status_code == 200
    assert client.get("/staff/").status_code == 302
    time.sleep(1.1)  # django-otp throttles a device for 2^(failures-1) s after a wrong code
    right = client.post(
        "/account/login/", {"login_view-current_step": "token", "token-otp_token": _code(device)}
    )
    assert right.status_code == 302
    assert client.get("/staff/").status_code == 200
    actions = set(AuditEvent.objects.filter(actor_id=user.pk).values_list("action", flat=True))
    assert {AuditAction.SIGN_IN, AuditAction.TWO_FACTOR_VERIFIED} <= actions


def test_the_admin_login_page_cannot_bypass_two_factor(client, make_staff):
    make_staff(username="boss", superuser=True)
    response = client.post("/admin/login/?next=/admin/", {"username": "boss", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")
    admin = client.get("/admin/", follow=True)
    assert admin.request["PATH_INFO"] == "/account/login/"
    assert "Staff sign-in" in admin.content.decode()


def test_a_password_only_session_of_an_enrolled_admin_cannot_open_the_admin(client, make_staff):
    user = make_staff(superuser=True)
    client.force_login(user)  # a session without a verified device
    response = client.get("/admin/programs/programpage/", follow=True)
    assert response.request["PATH_INFO"] == "/account/login/"


def _hex_from_base32(secret: str) -> str:
    import base64

    padded = secret + "=" * (-len(secret) % 8)
    return base64.b32decode(padded).hex()

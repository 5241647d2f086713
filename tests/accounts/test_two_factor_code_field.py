"""The sign-in code field suits phones: a numeric keyboard, the code offered by the phone
(autocomplete="one-time-code") and digits only. The sign-in itself is unchanged."""

import re

import pytest

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def _code_step(client, username: str):
    return client.post(
        "/account/login/",
        {"login_view-current_step": "auth", "auth-username": username, "auth-password": PASSWORD},
    )


def _code_input(html: str) -> str:
    return re.search(r'<input[^>]*name="token-otp_token"[^>]*>', html)[0]


def test_the_code_field_asks_phones_for_digits(client, make_staff):
    make_staff(username="coded")
    field = _code_input(_code_step(client, "coded").content.decode())
    assert 'inputmode="numeric"' in field
    assert 'autocomplete="one-time-code"' in field
    assert 'pattern="[0-9]*"' in field
    assert 'type="text"' in field and "autofocus" in field


def test_a_wrong_code_is_still_named_at_the_field(client, make_staff):
    make_staff(username="coded")
    _code_step(client, "coded")
    response = client.post(
        "/account/login/", {"login_view-current_step": "token", "token-otp_token": "12"}
    )
    html = response.content.decode()
    field = _code_input(html)
    assert 'aria-invalid="true"' in field and 'inputmode="numeric"' in field
    assert "at least 6 characters" in html
    assert 'value="12"' in field

"""Staff accounts as a person meets them in a real Chromium: enrolling in two-factor,
signing in with a code (and by keyboard alone), the lockout, the admin behind two-factor,
signing out and the password reset. Every page on the way is checked with axe
(WCAG 2.1 A/AA) and at 320px for sideways scrolling; problems are collected along the
way and reported together at the end of each test, so one run names all of them.
"""

import base64
import re

import pytest
from django.core import mail
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.e2e.helpers import (
    LANDING,
    PASSWORD,
    SIGN_IN,
    code_step,
    h1_text,
    page_problems,
    password_step,
    sign_in,
    submit,
    totp_code,
)

SETUP = "/account/two_factor/setup/"
ADMIN = "/admin/"
THROTTLE_MS = 1_100  # django-otp throttles a device for 1 s after one wrong code


# --- Helpers ---------------------------------------------------------------------------


def _wrong_code(right: str) -> str:
    return f"{(int(right) + 500_000) % 1_000_000:06d}"


def _hex_from_base32(secret: str) -> str:
    secret = re.sub(r"\s+", "", secret).upper()
    return base64.b32decode(secret + "=" * (-len(secret) % 8)).hex()


def _path(page, site: str) -> str:
    return page.url.removeprefix(site)


# --- 1. Enrolment ----------------------------------------------------------------------


def test_a_new_account_enrols_in_two_factor_and_makes_recovery_codes(site, make_staff, page):
    make_staff(username="newcomer", enrolled=False)
    problems: list[str] = []

    page.goto(site + SIGN_IN)
    assert h1_text(page) == "Staff sign-in"
    problems += page_problems(page, "sign-in page")
    password_step(page, "newcomer")

    assert _path(page, site) == SETUP, f"after the password the browser is on {page.url}"
    assert h1_text(page) == "Set up two-factor sign-in"
    problems += page_problems(page, "setup: welcome step")
    submit(page, "Continue")

    secret = page.locator("#totp-secret")
    assert secret.is_visible(), "the generator step shows no secret key"
    assert page.get_by_role("img", name=re.compile("QR code")).is_visible()
    problems += page_problems(page, "setup: QR code / generator step")
    device = TOTPDevice(key=_hex_from_base32(secret.inner_text()))
    page.get_by_label("Token").fill(totp_code(device))
    submit(page, "Continue")

    assert h1_text(page) == "Two-factor sign-in is on", f"enrolment did not complete: {page.url}"
    problems += page_problems(page, "setup complete page")
    with page.expect_navigation():
        page.get_by_role("link", name="Get my recovery codes").click()

    assert h1_text(page) == "Recovery codes"
    problems += page_problems(page, "recovery codes page (none yet)")
    submit(page, "Make recovery codes")
    codes = page.locator("ul.recovery-codes li code")
    assert codes.count() == 10, f"{codes.count()} recovery codes shown, expected 10"
    assert len(set(codes.all_inner_texts())) == 10
    problems += page_problems(page, "recovery codes page (10 codes)")

    page.goto(site + LANDING)
    assert _path(page, site) == LANDING
    assert h1_text(page) == "Staff pages"
    problems += page_problems(page, "staff landing page")
    assert not problems, "\n\n".join(problems)


# --- 2. Sign-in with a code ------------------------------------------------------------


def test_a_wrong_code_is_refused_and_the_right_one_signs_in(site, make_staff, page):
    user = make_staff(username="coded")
    device = TOTPDevice.objects.get(user=user)
    problems: list[str] = []

    page.goto(site + SIGN_IN)
    password_step(page, "coded")
    assert "6-digit code" in page.locator("main").inner_text()
    problems += page_problems(page, "sign-in: code step")

    right = totp_code(device)
    code_step(page, _wrong_code(right))
    assert _path(page, site) == SIGN_IN, "a wrong code left the sign-in page"
    error = page.locator("main .alert-danger, main .invalid-feedback, main .errorlist")
    assert error.count() > 0 and error.first.is_visible(), "a wrong code shows no error"
    assert page.get_by_label("Token").is_visible(), "after a wrong code the code step is gone"
    problems += page_problems(page, "sign-in: code step with a wrong-code error")

    page.wait_for_timeout(THROTTLE_MS)
    code_step(page, totp_code(device))
    assert _path(page, site) == LANDING, f"the right code led to {page.url}"
    assert h1_text(page) == "Staff pages"
    assert not problems, "\n\n".join(problems)


# --- 3. Keyboard only ------------------------------------------------------------------


def _focused_name(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.name || ''")


def test_sign_in_works_with_the_keyboard_alone(site, make_staff, page):
    user = make_staff(username="keys")
    page.goto(site + SIGN_IN)
    for _ in range(40):
        page.keyboard.press("Tab")
        if _focused_name(page) == "auth-username":
            break
    else:
        pytest.fail("Tab never reached the username field of the sign-in form")
    page.keyboard.type("keys")
    page.keyboard.press("Tab")
    assert _focused_name(page) == "auth-password", "Tab from username does not go to password"
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert _focused_name(page) == "token-otp_token", "the code field does not have focus"
    page.keyboard.type(totp_code(TOTPDevice.objects.get(user=user)))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert _path(page, site) == LANDING, f"keyboard sign-in ended on {page.url}"
    assert h1_text(page) == "Staff pages"


# --- 4. Lockout ------------------------------------------------------------------------


def test_five_wrong_passwords_lock_sign_in(site, make_staff, page):
    """django-axes locks on the 5th failure itself; the right password then stays locked."""
    make_staff(username="unlucky")
    problems: list[str] = []
    page.goto(site + SIGN_IN)
    for attempt in range(1, 5):
        password_step(page, "unlucky", f"wrong password {attempt}")
        assert h1_text(page) == "Staff sign-in", f"attempt {attempt} left the sign-in page"
        assert page.get_by_label("Token").count() == 0, "a wrong password reached the code step"
        if attempt == 1:
            problems += page_problems(page, "sign-in page with a wrong-password error")
    password_step(page, "unlucky", "wrong password 5")
    assert h1_text(page) == "Sign-in is locked for now", "the 5th wrong password did not lock"

    page.goto(site + SIGN_IN)
    with page.expect_navigation() as navigation:
        page.get_by_label("Username").fill("unlucky")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in", exact=True).click()
    assert h1_text(page) == "Sign-in is locked for now", (
        "the right password after 5 failures got in"
    )
    assert navigation.value.status == 429, navigation.value.status
    reset = page.locator("main").get_by_role("link", name="reset it by email")
    assert reset.get_attribute("href") == "/account/password-reset/"
    problems += page_problems(page, "lockout page")

    page.goto(site + LANDING)
    assert _path(page, site).startswith(SIGN_IN), "a locked-out sign-in still opened /staff/"
    assert not problems, "\n\n".join(problems)


# --- 5. Admin behind two-factor --------------------------------------------------------


def test_the_admin_is_reached_only_through_two_factor_sign_in(site, make_staff, page):
    boss = make_staff(username="boss", superuser=True)
    console: list[str] = []
    page.on("console", lambda msg: console.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: console.append(str(exc)))
    problems: list[str] = []

    page.goto(site + ADMIN)
    assert _path(page, site).startswith(SIGN_IN), f"/admin/ anonymously ended on {page.url}"
    assert h1_text(page) == "Staff sign-in"
    assert page.locator("#login-form").count() == 0, "Django's own admin login form is shown"

    password_step(page, "boss")
    code_step(page, totp_code(TOTPDevice.objects.get(user=boss)))
    assert _path(page, site) == ADMIN, f"the superuser's sign-in ended on {page.url}"
    assert "Site administration" in h1_text(page)
    page.wait_for_load_state("networkidle")
    overflow = page_problems(page, "admin index")
    csp = [text for text in console if "Content Security Policy" in text]
    if csp:
        problems.append("CSP errors in the console on the admin index:\n" + "\n".join(csp))
    problems += [p for p in overflow if "scrolls sideways" in p]
    assert not problems, "\n\n".join(problems)


# --- 6. Sign out -----------------------------------------------------------------------


def test_sign_out_from_the_staff_bar_ends_the_session(site, make_staff, page):
    user = make_staff(username="leaver")
    sign_in(page, site, user)
    assert _path(page, site) == LANDING
    submit(page, "Sign out")
    assert _path(page, site) == SIGN_IN, f"signing out ended on {page.url}"
    assert h1_text(page) == "Staff sign-in"
    assert page.get_by_role("button", name="Sign out").count() == 0

    page.goto(site + LANDING)
    assert _path(page, site).startswith(SIGN_IN + "?next="), f"/staff/ after sign-out: {page.url}"
    assert page.get_by_label("Username").is_visible()


# --- 7. Password reset -----------------------------------------------------------------


def test_password_reset_form_is_accessible_and_confirms_by_email(site, make_staff, page):
    user = make_staff(username="forgetful")
    problems: list[str] = []
    page.goto(site + SIGN_IN)
    with page.expect_navigation():
        page.get_by_role("link", name="Forgot your password?").click()
    assert h1_text(page) == "Reset your password"
    problems += page_problems(page, "password reset form")

    page.get_by_label("Email").fill(user.email)
    submit(page, "Email me a reset link")
    assert h1_text(page) == "Check your email", f"submitting an email led to {page.url}"
    problems += page_problems(page, "password reset sent page")
    assert [m.to for m in mail.outbox] == [[user.email]], "no reset email was sent"
    assert not problems, "\n\n".join(problems)

"""Typed work survives the end of a session (issue 13), in a real Chromium.

1. A clinician fills in an encounter, walks away past the idle limit (the clock is moved:
   the live server runs in this process), then presses Save. The sign-in page says what they
   typed is kept; after password and code they are back on the form with every value in
   place and nothing saved; pressing Save saves it.
2. With a short idle limit, the warning dialog opens before the end with the focus on
   "Stay signed in", which keeps the session going; when a session does end, the dialog says
   so.
"""

import datetime as dt
import time

import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.middleware import LAST_SEEN
from coresponder.models import Encounter
from tests.e2e.helpers import (
    DESKTOP,
    LANDING,
    PHONE,
    assert_no_axe_violations,
    code_step,
    focused,
    main_text,
    password_step,
    sign_in,
    submit,
    totp_code,
)

NEW = "/staff/coresponder/encounters/new/"
CHOICES = {
    "referral_source": "911-call",
    "contact_type": "on-scene",
    "concerns": "mental-health",
    "assessment": "yes",
    "disposition": "resolved-on-scene",
    "linked_to_services": "no",
}

FITS = """(() => {
  const box = document.getElementById("session-timeout").getBoundingClientRect();
  return box.left >= 0 && box.right <= window.innerWidth;
})()"""


def _fill_encounter(page) -> None:
    page.locator("#id_encounter_id").fill("BS-7001")
    page.locator("#id_time").fill("14:30")
    page.locator("#id_cad_incident").fill("24-555001")
    for name, value in CHOICES.items():
        page.locator(f"input[name={name}][value='{value}']").check()
    page.locator("#id_minutes").fill("40")


def test_an_encounter_typed_before_the_session_ended_comes_back_after_signing_in(
    site, page, lees_summit_clinician
):
    user = lees_summit_clinician.user
    sign_in(page, site, user)
    page.goto(site + NEW)
    _fill_encounter(page)

    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=31)
    with time_machine.travel(later, tick=True):
        submit(page, "Save")
        assert page.url.startswith(site + "/account/login/"), page.url
        assert "What you typed is kept" in main_text(page)
        assert not Encounter.objects.exists()

        password_step(page, user.username)
        code_step(page, totp_code(TOTPDevice.objects.get(user=user)))
        assert page.url == site + NEW, f"sign-in ended on {page.url}"
        assert "What you typed before you were signed out is back." in main_text(page)
        assert page.locator("#id_encounter_id").input_value() == "BS-7001"
        assert page.locator("#id_cad_incident").input_value() == "24-555001"
        assert page.locator("#id_minutes").input_value() == "40"
        assert page.locator("input[name=disposition][value='resolved-on-scene']").is_checked()
        assert not Encounter.objects.exists(), "the kept form was sent by itself"

        submit(page, "Save")
        saved = Encounter.objects.get()
        assert (saved.encounter_id, saved.cad_incident, saved.minutes) == (
            "BS-7001",
            "24-555001",
            40,
        )


def _last_seen(page) -> float:
    key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    return SessionStore(session_key=key).load()[LAST_SEEN]


def test_the_warning_offers_to_stay_signed_in_and_says_when_the_session_ended(
    site, page, make_staff, settings
):
    settings.STAFF_SESSION_IDLE_SECONDS = 20
    settings.STAFF_SESSION_WARNING_SECONDS = 18  # the dialog opens two seconds after arrival
    user = make_staff()
    sign_in(page, site, user)
    dialog = page.get_by_role("dialog", name="Your session is about to end")
    dialog.wait_for(state="visible")
    assert focused(page) == "session-timeout-stay", "the focus is not on Stay signed in"
    assert "you will be signed out at" in dialog.inner_text()
    assert_no_axe_violations(page)
    page.set_viewport_size(PHONE)
    assert page.evaluate(FITS), "the dialog is wider than a 320px screen"
    page.set_viewport_size(DESKTOP)

    before = time.time()
    page.get_by_role("button", name="Stay signed in").click()
    dialog.wait_for(state="hidden")
    assert _last_seen(page) >= before, "Stay signed in did not count as activity"

    settings.STAFF_SESSION_IDLE_SECONDS = 5
    settings.STAFF_SESSION_WARNING_SECONDS = 5
    page.goto(site + LANDING)
    assert page.url == site + LANDING, "the session did not go on"
    ended = page.get_by_role("dialog", name="Your session has ended")
    ended.wait_for(state="visible")
    assert "Sign in again" in ended.inner_text()

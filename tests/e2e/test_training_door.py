"""The check-in page on a phone at the door: a walk-in is added and checked in, then the
check-in is undone; axe (WCAG 2.1 A/AA) and no sideways scrolling at 375px.

The clock is set to half an hour before the event (tests/training/conftest.py), when
check-in is open; it keeps ticking, so the browser's session behaves as usual.
"""

import pytest
import time_machine

from tests.e2e.helpers import axe, screenshot_if_failed, sign_in
from tests.training.conftest import DOOR_TIME, event_at_the_door
from tests.training.factories import RegistrationFactory
from training.models import Registration, RegistrationStatus

PHONE_375 = {"width": 375, "height": 812}


@pytest.fixture
def phone(browser, request):
    context = browser.new_context(viewport=PHONE_375, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    screenshot_if_failed(request, page, viewport=PHONE_375)
    context.close()


def _main_text(page) -> str:
    return " ".join(page.locator("main").inner_text().split())


def test_a_coordinator_adds_a_walk_in_at_the_door_and_undoes_the_check_in(
    site, training_coordinator, phone
):
    page = phone
    with time_machine.travel(DOOR_TIME):
        event = event_at_the_door(title="Door course", capacity=5)
        RegistrationFactory(event=event, name="Pat Present")

        sign_in(page, site, training_coordinator)
        page.goto(f"{site}/staff/training/events/{event.pk}/check-in/")
        page.get_by_label("Full name").fill("Wes Walkin")
        page.get_by_label("Agency or organization").fill("Olathe Fire Department")
        page.get_by_label("Email address").fill("wes@example.org")
        with page.expect_navigation():
            page.get_by_role("button", name="Register and check in").tap()

        assert "Wes Walkin is registered and checked in." in _main_text(page)
        wes = Registration.objects.get(email="wes@example.org")
        row = page.locator(f"#registration-{wes.pk}")
        assert "Checked in" in row.inner_text()
        page.get_by_role("link", name="All").tap()
        page.wait_for_url("**/check-in/")

        problems = axe(page, "check-in page with a walk-in checked in, at 375px")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
            "the check-in page scrolls sideways at 375px"
        )
        undo = page.get_by_role("button", name="Undo check-in of Wes Walkin")
        check_in = page.get_by_role("button", name="Check in Pat Present")
        undo_box, check_in_box = undo.bounding_box(), check_in.bounding_box()
        gap = max(
            check_in_box["y"] - (undo_box["y"] + undo_box["height"]),
            undo_box["y"] - (check_in_box["y"] + check_in_box["height"]),
        )
        assert gap >= 24, f"the undo button is only {gap}px from a check-in button"

        with page.expect_navigation():
            undo.tap()
        assert "Check-in undone: Wes Walkin, a walk-in, is no longer registered." in (
            _main_text(page)
        )
        assert page.get_by_role("button", name="Undo check-in of Wes Walkin").count() == 0
        wes.refresh_from_db()
        assert wes.status == RegistrationStatus.CANCELLED and wes.checked_in_at is None
        assert not problems, "\n\n".join(problems)

"""The training calendar on a 375 x 667 phone (issue 14, item 5), in a real Chromium.

The filters are folded behind "Filter events", so the first event shows on the first
screen, and they still work once opened; on a desktop they are open without a click. An
event page has its Register button and key facts on the first screen. axe finds nothing.
"""

from tests.e2e.helpers import DESKTOP, assert_no_axe_violations
from tests.training.factories import EventFactory, in_days
from training.models import EventKind

PHONE_375 = {"width": 375, "height": 667}


def _in_first_screen(locator) -> None:
    box = locator.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE_375["height"], (
        box
    )


def test_calendar_and_event_page_on_a_phone(site, new_page):
    drill = EventFactory(
        title="Regional radio drill", kind=EventKind.EXERCISE, starts_at=in_days(5)
    )
    EventFactory(title="Telecommunicator course", kind=EventKind.TRAINING, starts_at=in_days(6))
    phone = new_page("phone", viewport=PHONE_375)

    phone.goto(site + "/calendar/")
    kind = phone.get_by_label("Kind")
    assert not kind.is_visible()
    _in_first_screen(phone.get_by_role("link", name="Regional radio drill"))
    assert_no_axe_violations(phone)

    phone.locator("summary", has_text="Filter events").click()
    kind.select_option(EventKind.EXERCISE)
    with phone.expect_navigation():
        phone.get_by_role("button", name="Show events").click()
    assert "kind=exercise" in phone.url
    assert kind.is_visible()  # open while filters are on
    main = phone.locator("main").inner_text()
    assert "Regional radio drill" in main and "Telecommunicator course" not in main
    assert "webcal://" in phone.get_by_role(
        "link", name="Subscribe in your calendar program"
    ).get_attribute("href")

    phone.goto(site + drill.get_absolute_url())
    _in_first_screen(phone.get_by_role("link", name="Register", exact=True))
    _in_first_screen(phone.locator(".event-key-facts"))
    assert "20 seats left" in phone.locator(".event-key-facts").inner_text()
    assert_no_axe_violations(phone)

    phone.set_viewport_size(DESKTOP)
    phone.goto(site + "/calendar/")
    assert phone.get_by_label("Kind").is_visible()

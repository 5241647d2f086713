"""Asking for help on a 375 x 667 phone (issue 14, item 4), in a real Chromium.

The "Call the Peer Support Line" button is in the first screen of the start page and of the
form, and is big enough to tap; the form's first field starts within that first screen; the
status page's "Copy link" button copies the private link and says so in its live region.
axe finds nothing on any of the three pages.
"""

import datetime as dt

from django.utils import timezone

from tests.e2e.helpers import assert_no_axe_violations
from tests.peersupport.factories import OrganizationFactory

PHONE_375 = {"width": 375, "height": 667}
START = "/peer-support/"
FORM = "/peer-support/request/"


def _call_button_in_first_screen(page) -> None:
    button = page.get_by_role("link", name="Call the Peer Support Line")
    assert button.get_attribute("href").startswith("tel:")
    box = button.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE_375["height"], box
    assert box["height"] >= 44, f"the button is {box['height']} px tall"
    assert box["width"] >= PHONE_375["width"] - 2 * 24, f"the button is {box['width']} px wide"


def test_asking_for_help_on_a_phone(site, new_page):
    agency = OrganizationFactory(name="Lee's Summit 911 Communications", kind="psap")
    phone = new_page("phone", viewport=PHONE_375, permissions=["clipboard-read", "clipboard-write"])

    phone.goto(site + START)
    _call_button_in_first_screen(phone)
    assert_no_axe_violations(phone)

    phone.goto(site + FORM)
    _call_button_in_first_screen(phone)
    first_field = phone.locator("#div_id_request_type").bounding_box()
    assert first_field["y"] < PHONE_375["height"], f"the first field starts at {first_field}"
    assert_no_axe_violations(phone)

    phone.locator("#id_request_type_0").check()
    phone.locator("#id_incident_kind_0").check()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    phone.locator("#id_incident_date").fill(yesterday.isoformat())
    phone.locator("#id_people_affected").fill("3")
    phone.locator("#id_urgency_0").check()
    phone.locator("#id_requester_role").fill("Dispatcher")
    phone.locator("#id_agency").select_option(str(agency.pk))
    phone.locator("#id_contact_name").fill("Robin Quinlan-Marsh")
    phone.locator("#id_contact_method_0").check()
    phone.locator("#id_contact_phone").fill("816-555-0147")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Send the request").click()

    assert "You asked to hear back within hours." in phone.locator("main").inner_text()
    assert phone.get_by_role("link", name="Call the Peer Support Line").is_visible()
    assert_no_axe_violations(phone)
    phone.get_by_role("button", name="Copy link").click()
    phone.locator("#copy-link-status").filter(has_text="Link copied").wait_for()
    link = phone.locator("#status-link").get_attribute("href")
    assert link == phone.url
    assert phone.evaluate("navigator.clipboard.readText()") == link

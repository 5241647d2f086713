"""Keyboard-only encounter entry at 1280 px, with a time typed into the date field.

A clinician Tabs through the form and types; "10:15 PM" typed into the date (which a
browser date picker used to save as 0015-11-10) is refused with a message quoting it, the
text stays in the box and nothing is saved; corrected, the encounter is saved. The service
type shows only once "linked to services" is yes (conditional-fields.js), is announced
politely when it appears, and axe finds nothing either way.
"""

import pytest
from playwright.sync_api import expect

from coresponder import services
from coresponder.models import Encounter
from tests.e2e.helpers import assert_no_axe_violations, focused, main_text, sign_in, tab, tab_to

pytestmark = pytest.mark.e2e

NEW = "/staff/coresponder/encounters/new/"
LIST = "/staff/coresponder/encounters/"


def _tab_to_save(page) -> None:
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Save":
            return
    pytest.fail(f"Tab never reached Save (at {focused(page)!r})")


def _retype(page, text: str) -> None:
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def test_a_time_typed_into_the_date_is_refused_then_corrected(site, page, lees_summit_clinician):
    sign_in(page, site, lees_summit_clinician.user)
    page.goto(site + NEW)
    service_type = page.locator("#div_id_service_type")
    assert service_type.is_hidden(), "the service type shows before it applies"
    assert_no_axe_violations(page)

    assert focused(page) == "id_encounter_id"
    page.keyboard.type("LS-0501")
    tab(page, "id_agency_0")  # Blue Springs, the usual agency
    tab(page, "id_date")
    _retype(page, "10:15 PM")
    tab(page, "id_time")
    page.keyboard.type("22:15")
    tab(page, "id_cad_incident")
    tab(page, "id_referral_source_0")
    page.keyboard.press("Space")
    tab(page, "id_contact_type_0")
    page.keyboard.press("Space")
    tab(page, "id_concerns_0")
    page.keyboard.press("Space")
    tab_to(page, "id_assessment_0", limit=9)
    page.keyboard.press("Space")
    tab(page, "id_disposition_0")
    page.keyboard.press("Space")
    tab(page, "id_linked_to_services_0")
    page.keyboard.press("Space")  # yes: the service type appears, and is announced
    assert service_type.is_visible(), "yes did not show the service type"
    expect(page.locator("form [role=status]")).to_have_text("Now shown below: Service type.")
    assert_no_axe_violations(page)
    page.keyboard.press("ArrowDown")  # no: hidden again, and skipped by Tab
    assert service_type.is_hidden(), "no did not hide the service type"
    tab(page, "id_age_group_7")  # Not recorded
    _tab_to_save(page)
    with page.expect_navigation() as navigation:
        page.keyboard.press("Enter")

    assert navigation.value.status == 400, navigation.value.status
    message = "“10:15 PM” is not a date written YYYY-MM-DD."
    assert message in page.locator("#error-summary").inner_text()
    assert page.locator("#id_date").input_value() == "10:15 PM", "the typed date was not kept"
    assert page.locator("#id_time").input_value() == "22:15"
    assert not Encounter.objects.exists(), "the refused encounter was saved"
    assert focused(page) == "id_date", "the focus is not on the field to correct"

    today = services.today()
    _retype(page, today.isoformat())
    _tab_to_save(page)
    with page.expect_navigation() as navigation:
        page.keyboard.press("Enter")
    assert navigation.value.ok, navigation.value.status
    assert page.url.removeprefix(site) == LIST, page.url
    assert "Encounter LS-0501 saved." in main_text(page)
    saved = Encounter.objects.get()
    assert (saved.date, saved.time.isoformat("minutes")) == (today, "22:15")
    assert (saved.linked_to_services, saved.service_type) == (False, "")

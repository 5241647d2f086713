"""The public site's theme as a visitor meets it: no axe violations on the main pages at a
phone's and a desktop's width, in light and dark mode; the phone menu works from the
keyboard; the favicon answers; printing leaves out the navigation; a peer-support status
link that matches nothing still offers the large call button.
"""

import pytest

from programs.selectors import areas_published
from programs.views import BE_PREPARED_SLUG
from tests.e2e.helpers import DESKTOP, PHONE, axe, page_problems
from tests.training.factories import EventFactory


def _public_paths() -> list[str]:
    area = areas_published().exclude(slug=BE_PREPARED_SLUG).first()
    event = EventFactory(title="Regional radio drill")
    return [
        "/",
        area.get_absolute_url(),
        "/calendar/",
        event.get_absolute_url(),
        "/peer-support/request/",
        "/search/?q=peer+support",
        "/be-prepared/",
        "/accessibility/",
        "/privacy/",
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_public_pages_pass_axe_at_phone_and_desktop_width(site, page, scheme):
    page.emulate_media(color_scheme=scheme)
    problems = []
    for path in _public_paths():
        for viewport in (PHONE, DESKTOP):
            page.set_viewport_size(viewport)
            response = page.goto(site + path)
            assert response.status == 200, path
            problems += axe(page, f"{path} at {viewport['width']}px, {scheme}")
    assert not problems, "\n".join(problems)


def test_phone_menu_opens_and_closes_from_the_keyboard(site, page):
    page.set_viewport_size(PHONE)
    page.goto(site + "/")
    menu = page.get_by_role("button", name="Menu")
    nav = page.get_by_role("navigation", name="Main")
    assert menu.get_attribute("aria-expanded") == "false"
    assert not nav.is_visible()

    menu.focus()
    page.keyboard.press("Enter")
    assert menu.get_attribute("aria-expanded") == "true"
    assert nav.get_by_role("link", name="Be prepared").is_visible()

    page.keyboard.press("Space")
    assert menu.get_attribute("aria-expanded") == "false"
    assert not nav.is_visible()


def test_desktop_shows_the_navigation_without_a_menu_button(site, page):
    page.set_viewport_size(DESKTOP)
    page.goto(site + "/programs/public-safety-communications/")
    assert not page.get_by_role("button", name="Menu").is_visible()
    current = page.get_by_role("navigation", name="Main").get_by_role("link", name="Regional 911")
    assert current.get_attribute("aria-current") == "page"


def test_favicon_answers(site, page):
    assert page.goto(site + "/favicon.ico").status == 200


def test_printing_leaves_out_the_navigation_and_search(site, page):
    page.goto(site + "/be-prepared/")
    page.emulate_media(media="print")
    assert not page.get_by_role("navigation", name="Main").is_visible()
    assert not page.get_by_role("search").is_visible()
    assert page.get_by_role("heading", level=1).is_visible()


def test_an_unknown_status_link_offers_the_large_call_button(site, page):
    page.set_viewport_size(PHONE)
    response = page.goto(site + "/peer-support/status/not-a-real-token-xxxxxxxxxxxx/")
    assert response.status == 404
    button = page.locator("main").get_by_role("link", name="Call the Peer Support Line")
    assert button.get_attribute("href") == "tel:816-701-8212"
    assert "btn" in button.get_attribute("class")
    box = button.bounding_box()
    assert box["height"] >= 44, f"the button is {box['height']} px tall"
    assert box["width"] >= PHONE["width"] - 2 * 24, f"the button is {box['width']} px wide"
    problems = page_problems(page, "unknown status link at 320px")
    page.set_viewport_size(DESKTOP)
    problems += page_problems(page, "unknown status link at 1280px")
    assert not problems, "\n".join(problems)

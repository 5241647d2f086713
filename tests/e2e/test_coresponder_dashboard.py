"""The co-responder dashboard in a real Chromium, with figures in every table.

1. A program manager opens the dashboard (the last twelve months, compared with the same
   months a year before), then "Last month" (compared with the month before): axe finds
   nothing at 1280 and at 320 px wide, the page never scrolls sideways at 320 px, each
   wide table scrolls in its own focusable region with its first column kept in view,
   and the three charts load.
2. An agency liaison's dashboard passes axe at both widths too, and lists the data to
   check without links to pages they cannot open.

The encounters are dated from today back, so the test holds on any day (and under
TEST_CLOCK).
"""

import datetime as dt

from core.dates import add_months, month_start
from coresponder import services
from coresponder.models import MonthlyCallVolume
from tests.coresponder.factories import encounter, org
from tests.e2e.helpers import DESKTOP, PHONE, axe, h1_text, main_text, phone_overflow, sign_in

DASHBOARD = "/staff/coresponder/dashboard/"
AGENCIES = ("blue-springs", "lees-summit", "grandview", "raytown", "independence")


def _figures() -> None:
    """Encounters of both providers in five agencies this month, the months before it and
    a year before; the call volume of every agency-month but Raytown's last month (so
    there is data to check). Grandview has encounters of both providers each month."""
    today = services.today()
    this_month = month_start(today)
    n = 0
    for back in (0, 1, 2, 12, 13):
        month = add_months(this_month, -back)
        day = min(today, month + dt.timedelta(days=2)) if back == 0 else month
        for index, agency in enumerate(AGENCIES):
            for provider in ("rediscover", "burrell")[: 1 + (agency == "grandview")]:
                n += 1
                encounter(
                    encounter_id=f"DB-{n:04d}",
                    agency=agency,
                    provider=provider,
                    date=(day + dt.timedelta(days=index % 2)).isoformat()
                    if back
                    else day.isoformat(),
                    person_key=f"P-{n % 7}",
                    contact_type=("on-scene", "phone")[n % 2],
                )
            if not (agency == "raytown" and back == 1):
                MonthlyCallVolume.objects.create(
                    agency=org(agency), month=month, mh_calls=20 + 3 * index + back
                )


def _wide_tables(page, where: str) -> list[str]:
    """At 320 px: each table wider than its region scrolls there, its first column stays
    at the region's left edge once scrolled, and the region can take the focus."""
    problems = []
    regions = page.locator("div.table-scroll")
    assert regions.count() == 5, f"{where}: {regions.count()} table regions"
    for i in range(regions.count()):
        region = regions.nth(i)
        name = region.get_attribute("aria-labelledby")
        sizes = region.evaluate("r => [r.scrollWidth, r.clientWidth]")
        if sizes[0] <= sizes[1]:
            continue  # fits
        region.evaluate("r => { r.scrollLeft = r.scrollWidth; }")
        left = region.evaluate(
            """r => {
                const first = r.querySelector('tbody tr > :first-child');
                return [first.getBoundingClientRect().left, r.getBoundingClientRect().left];
            }"""
        )
        if abs(left[0] - left[1]) > 1:
            problems.append(f"{where}: the first column of {name} scrolls away ({left})")
        region.focus()
        if page.evaluate("document.activeElement.getAttribute('aria-labelledby')") != name:
            problems.append(f"{where}: the region of {name} cannot take the focus")
        region.evaluate("r => { r.scrollLeft = 0; }")
    return problems


def _charts_loaded(page, where: str) -> list[str]:
    images = page.locator("figure img")
    assert images.count() == 3, f"{where}: {images.count()} charts"
    problems = []
    for i in range(images.count()):
        image = images.nth(i)
        image.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete", arg=image.element_handle())
        if not image.evaluate("img => img.naturalWidth > 0"):
            problems.append(f"{where}: the chart {image.get_attribute('src')} did not load")
        if len(image.get_attribute("alt") or "") < 80:
            problems.append(f"{where}: the chart {image.get_attribute('src')} has a short alt")
    return problems


def _both_widths(page, where: str) -> list[str]:
    problems = axe(page, f"{where} at 1280 px")
    problems += _charts_loaded(page, where)
    overflow = phone_overflow(page, where)
    if overflow:
        problems.append(overflow)
    page.set_viewport_size(PHONE)
    try:
        problems += axe(page, f"{where} at 320 px")
        problems += _wide_tables(page, f"{where} at 320 px")
    finally:
        page.set_viewport_size(DESKTOP)
    return problems


def test_the_managers_dashboard_passes_axe_and_fits_a_phone(site, new_page, program_manager):
    _figures()
    page = new_page("manager")
    sign_in(page, site, program_manager)
    response = page.goto(site + DASHBOARD)
    assert response.status == 200
    assert h1_text(page) == "Co-responder dashboard"
    main = main_text(page)
    assert "Last 12 months:" in main, main[:300]
    assert "Same period a year before" in main
    assert "Not attributed to a provider" in main
    assert "Data to check" in main
    problems = _both_widths(page, "dashboard, last 12 months")

    with page.expect_navigation():
        page.get_by_role("link", name="Last month", exact=True).click()
    assert "period=last-month" in page.url
    main = main_text(page)
    assert "Last month:" in main and "Compared with the previous period" in main
    link = page.get_by_role("link", name="Last month", exact=True)
    assert link.get_attribute("aria-current") == "true"
    problems += _both_widths(page, "dashboard, last month")
    assert not problems, "\n\n".join(problems)


def test_the_liaisons_dashboard_passes_axe_and_fits_a_phone(site, new_page, make_staff):
    from accounts.roles import Role

    _figures()
    liaison = make_staff(roles=[Role.AGENCY_LIAISON], organization=org("raytown"))
    page = new_page("liaison")
    sign_in(page, site, liaison)
    page.goto(site + DASHBOARD)
    main = main_text(page)
    assert "These are the figures for Raytown Police Department." in main
    assert "Raytown Police Department, " in main and "no call volume" in main
    panel = page.locator("section.data-to-check")
    assert panel.get_by_role("link").count() == 0, "a liaison is sent to pages they cannot open"
    problems = _both_widths(page, "liaison's dashboard")
    assert not problems, "\n\n".join(problems)

"""Releases of the co-responder figures in a real Chromium.

A program manager finds the releases from the staff navigation, publishes last year's
figures from the preview, imports late records through the CSV import page and finds the
public page unchanged; then publishes a revision with its reason, which the public page
shows, while the first version stays readable. Every new or changed page passes axe (WCAG
2.1 A/AA) at 1280 and at 320 px wide, and none scrolls sideways at 320 px.

Last year is always over, whatever the date the suite runs on; its records are dated in
March, a month the manager closed.
"""

import datetime as dt
import re

from coresponder import dictionary as dd
from coresponder import services
from coresponder.models import MonthlyCallVolume, Release
from tests.coresponder.factories import encounter, org, row
from tests.e2e.helpers import (
    DESKTOP,
    PHONE,
    axe,
    h1_text,
    main_text,
    phone_overflow,
    sign_in,
    submit,
)

PUBLIC = "/co-responder/"
RELEASES = "/staff/coresponder/releases/"
IMPORT = "/staff/coresponder/import/"
NOTE = "Two departments sent March records after the first release."


def _csv(rows: list[dict]) -> bytes:
    lines = [",".join(dd.ENCOUNTER_COLUMNS)]
    lines += [",".join(values[column] for column in dd.ENCOUNTER_COLUMNS) for values in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _checked(page, where: str) -> list[str]:
    """axe at 1280 and at 320 px, and no sideways scrolling at 320 px."""
    problems = axe(page, f"{where} (1280 px)")
    page.set_viewport_size(PHONE)
    try:
        problems += axe(page, f"{where} (320 px)")
    finally:
        page.set_viewport_size(DESKTOP)
    overflow = phone_overflow(page, where)
    return problems + ([overflow] if overflow else [])


def _public_table(page) -> str:
    return " ".join(page.locator("table").first.inner_text().split())


def test_a_manager_releases_a_year_and_revises_it_with_a_reason(site, new_page, program_manager):
    year = services.today().year - 1
    MonthlyCallVolume.objects.create(
        agency=org("blue-springs"), month=dt.date(year, 3, 1), mh_calls=400
    )
    for n in range(40):
        encounter(encounter_id=f"BS-{n:04d}", date=f"{year}-03-{1 + n % 28:02d}")
    services.month_close(month=dt.date(year, 3, 1), by=program_manager)
    problems: list[str] = []

    # The public page before any release: no figures, and when they come.
    visitor = new_page("visitor")
    visitor.goto(site + PUBLIC)
    assert "No figures are published yet." in main_text(visitor)
    problems += _checked(visitor, "public page before any release")

    # The manager finds the releases from the staff navigation.
    page = new_page("manager")
    sign_in(page, site, program_manager)
    page.goto(site + "/staff/coresponder/encounters/")
    with page.expect_navigation():
        page.get_by_role("link", name="Public releases").click()
    assert page.url == site + RELEASES, page.url
    problems += _checked(page, "releases list")

    # The preview, then publishing.
    with page.expect_navigation():
        page.get_by_role("link", name=f"Publish {year}").click()
    assert h1_text(page) == f"Release the {year} figures"
    assert "Figures that will be hidden, and why" in main_text(page)
    problems += _checked(page, "preview of the first release")
    response = submit(page, f"Publish the {year} figures")
    assert response.ok and page.url == site + RELEASES, page.url
    assert f"The {year} figures are published." in main_text(page)
    problems += _checked(page, "releases list after publishing")

    visitor.goto(site + PUBLIC)
    released = _public_table(visitor)
    assert re.search(rf"{year} 400 40 10% 40 0 40 100%", released), released
    assert f"All years through {year}" in released
    problems += _checked(visitor, "public page with a release")

    # Late records through the CSV import page: the public page does not move.
    late = [row(encounter_id=f"LATE-{n:03d}", date=f"{year}-03-{1 + n:02d}") for n in range(12)]
    page.goto(site + IMPORT)
    page.get_by_label("CSV file").set_input_files(
        {"name": "late-records.csv", "mimeType": "text/csv", "buffer": _csv(late)}
    )
    response = submit(page, "Check and import")
    assert response.ok, response.status
    assert "Imported 12 rows" in main_text(page), main_text(page)
    visitor.reload()
    assert _public_table(visitor) == released

    # A revision, with its reason.
    page.goto(site + RELEASES)
    with page.expect_navigation():
        page.get_by_role("link", name=f"Check {year} for a revision").click()
    assert h1_text(page) == f"Revision 2 of the {year} figures"
    assert "What changes compared with revision 1" in main_text(page)
    problems += _checked(page, "preview of a revision")
    response = submit(page, "Publish revision 2")
    assert response.status == 400, "a revision without its reason was published"
    assert "Say why the figures are revised" in main_text(page)
    problems += _checked(page, "preview of a revision, reason missing")
    page.get_by_label("Reason for this revision").fill(NOTE)
    response = submit(page, "Publish revision 2")
    assert response.ok and page.url == site + RELEASES, page.url
    assert list(Release.objects.values_list("revision", flat=True).order_by("revision")) == [1, 2]

    visitor.reload()
    assert re.search(rf"{year} 400 52 13% 52 0 52 100%", _public_table(visitor))
    assert f": {NOTE}" in main_text(visitor)
    problems += _checked(visitor, "public page with a revision")
    with visitor.expect_navigation():
        visitor.get_by_role("link", name=f"The {year} figures").click()
    assert h1_text(visitor) == f"The {year} co-responder figures"
    problems += _checked(visitor, "release page")
    with visitor.expect_navigation():
        visitor.get_by_role("link", name="Revision 1").click()
    assert "This is an earlier version" in main_text(visitor)
    assert re.search(rf"{year} 400 40 10% 40 0 40 100%", _public_table(visitor))
    problems += _checked(visitor, "first revision in the archive")

    # The highlight on the home and highlights pages shows the release, linking the page.
    for address, where in (("/", "home page"), ("/highlights/2024/", "highlights of 2024")):
        visitor.goto(site + address)
        card = visitor.locator("#co-responder-program")
        assert f"52 field assessments or screenings, all years through {year}" in " ".join(
            card.inner_text().split()
        )
        assert card.get_by_role("link", name="All of the program's figures").count() == 1
        problems += _checked(visitor, where)

    assert not problems, "\n\n".join(problems)

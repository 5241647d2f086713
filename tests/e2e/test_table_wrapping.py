"""Tables that read on a 320 px phone (issue 14, point 2).

On every page with a table, public and staff, no cell splits a word or a number over two
lines ("1,338" shown as "1,3" over "38", "Cover" over "age"), and the page itself never
scrolls sideways: a wide table scrolls inside its own region (.table-scroll).

The figures carry four-digit numbers with a thousands separator (1,338 calls a month), the
longest a cell holds; last year is always over and its month closed, whatever the date.
"""

import datetime as dt

from accounts.roles import Role
from coresponder import services
from coresponder.models import MonthlyCallVolume
from tests.coresponder.factories import encounter, org
from tests.e2e.helpers import PHONE, broken_cell_words, phone_overflow, sign_in
from tests.peersupport.factories import member_for, submitted_request
from tests.training.factories import EventFactory, RegistrationFactory


def _problems(page, url: str, where: str) -> list[str]:
    """Open `url` at 320 px: the words a cell splits and any sideways scrolling."""
    response = page.goto(url)
    assert response.ok, f"{where}: {response.status}"
    assert page.locator("main table").count(), f"{where} shows no table"
    problems = [broken_cell_words(page, where), phone_overflow(page, where)]
    return [problem for problem in problems if problem]


def _released_year(manager) -> int:
    """Last year's figures published: 1,338 mental-health calls in March, 40 encounters."""
    year = services.today().year - 1
    MonthlyCallVolume.objects.create(
        agency=org("blue-springs"), month=dt.date(year, 3, 1), mh_calls=1338
    )
    for n in range(40):
        encounter(encounter_id=f"BS-{n:04d}", date=f"{year}-03-{1 + n % 28:02d}")
    services.month_close(month=dt.date(year, 3, 1), by=manager)
    preview = services.release_preview(year=year)
    services.release_publish(year=year, note="", fingerprint=preview.fingerprint, by=manager)
    return year


def test_public_tables_never_split_a_word_on_a_phone(site, new_page, program_manager):
    year = _released_year(program_manager)
    EventFactory(title="Hazardous materials awareness for telecommunicators")
    page = new_page("visitor", viewport=PHONE)

    problems = _problems(page, site + "/co-responder/", "co-responder figures")
    assert "1,338" in page.locator("main table").first.inner_text()
    problems += _problems(page, site + f"/co-responder/{year}/", f"the {year} release")
    problems += _problems(page, site + "/calendar/month/", "calendar month")
    problems += _problems(page, site + "/documents/", "plans and documents")
    assert not problems, "\n".join(problems)


def test_staff_tables_never_split_a_word_on_a_phone(site, new_page, make_staff):
    person = make_staff(
        roles=[Role.PROGRAM_MANAGER, Role.PEER_SUPPORT_COORDINATOR, Role.TRAINING_COORDINATOR],
        first_name="Alexandrina",
        last_name="Montgomery-Featherstonehaugh",
    )
    member_for(person)
    submitted_request()
    RegistrationFactory(agency_name="Johnson County Emergency Communications")
    last_month = (services.today().replace(day=1) - dt.timedelta(days=1)).isoformat()
    encounter(encounter_id="PS-PQJKP7-20250301", date=last_month)  # a report not built yet
    page = new_page("staff", viewport=PHONE)
    sign_in(page, site, person)

    problems = _problems(page, site + "/staff/peer-support/", "request queue")
    problems += _problems(page, site + "/staff/peer-support/team/", "peer support roster")
    problems += _problems(page, site + "/staff/coresponder/encounters/", "encounters list")
    problems += _problems(page, site + "/staff/training/", "training events")
    problems += _problems(page, site + "/staff/reports/", "reports list")
    assert not problems, "\n".join(problems)

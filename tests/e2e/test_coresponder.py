"""The co-responder program in a real Chromium (issue 6, point 10).

1. A clinician signs in (two-factor) and enters an encounter with the keyboard alone: Tab
   through the fields, typing text and using Space and the arrows for the radio buttons and
   checkboxes, Enter to submit. The first try says "linked to services: yes" and leaves the
   service type unrecorded: the error is at the field and in the error summary, whose link
   moves the focus to the field. Corrected by keyboard, the record is saved and listed.
2. A program manager imports a CSV file with five different errors on five rows: the result
   page lists each with its row, column and reason, and nothing is imported.
3. An agency liaison guessing the address of a record (their own agency's and another's)
   gets the 404 page both times; their dashboard shows their agency alone.
4. axe (WCAG 2.1 A/AA) on every co-responder page, and no sideways scrolling at 320px on
   the entry form (clinicians use phones) and the public page. Problems are collected and
   reported together.

The directory's agencies and providers come from a data migration; the flush after each
browser test removes them (and the role groups), so the `site` fixture makes them again.
"""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.dates import month_start
from coresponder import dictionary as dd
from coresponder import services
from coresponder.csvio.jobs import import_start
from coresponder.csvio.parse import ENCOUNTERS
from coresponder.models import Encounter, ImportJob, ImportStatus, MonthlyCallVolume
from tests.coresponder.factories import encounter, org, row
from tests.e2e.helpers import (
    LANDING,
    PASSWORD,
    SIGN_IN,
    axe,
    focused,
    h1_text,
    main_text,
    phone_overflow,
    sign_in,
    submit,
    tab,
    tab_to,
    totp_code,
)

NEW = "/staff/coresponder/encounters/new/"
LIST = "/staff/coresponder/encounters/"
MONTHS = "/staff/coresponder/months/"
VOLUME = "/staff/coresponder/volume/"
IMPORT = "/staff/coresponder/import/"
EXPORT = "/staff/coresponder/export/"
DASHBOARD = "/staff/coresponder/dashboard/"
PUBLIC = "/co-responder/"


def _record_url(pk: int) -> str:
    return f"/staff/coresponder/encounters/{pk}/"


def _job_url(pk: int) -> str:
    return f"/staff/coresponder/import/{pk}/"


# --- Helpers ---------------------------------------------------------------------------


def _focused_text(page) -> str:
    return page.evaluate(
        "document.activeElement ? document.activeElement.textContent.trim().replace(/\\s+/g, ' ')"
        " : ''"
    )


def _tab_to_control(page, tag: str, text: str, limit: int = 40, key: str = "Tab") -> None:
    """Press Tab (or Shift+Tab) until a <tag> reading `text` has the focus."""
    for _ in range(limit):
        page.keyboard.press(key)
        if focused(page) == tag and _focused_text(page) == text:
            return
    pytest.fail(f"{key} never reached the {tag} {text!r} on {page.url}")


def _sign_in_by_keyboard(page, site: str, user) -> None:
    """The same with the keyboard: focus the username, type, Tab, type, Enter; the code, Enter."""
    page.goto(site + SIGN_IN)
    page.get_by_label("Username").focus()
    page.keyboard.type(user.username)
    page.keyboard.press("Tab")
    assert focused(page) == page.get_by_label("Password").get_attribute("id")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_label("Token").focus()
    page.keyboard.type(totp_code(TOTPDevice.objects.get(user=user)))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.removeprefix(site) == LANDING, f"sign-in ended on {page.url}"


def _phone(page, where: str) -> list[str]:
    overflow = phone_overflow(page, where)
    return [overflow] if overflow else []


def _visit(page, url: str, where: str, *, status: int = 200) -> list[str]:
    response = page.goto(url)
    assert response.status == status, f"{where}: {url} answered {response.status}"
    return axe(page, where)


def _csv(rows: list[dict]) -> bytes:
    lines = [",".join(dd.ENCOUNTER_COLUMNS)]
    for values in rows:
        lines.append(",".join(values[column] for column in dd.ENCOUNTER_COLUMNS))
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _table_rows(table) -> list[list[str]]:
    return [
        [" ".join(cell.split()) for cell in tr.locator("td, th").all_inner_texts()]
        for tr in table.locator("tbody tr").all()
    ]


def _some_records(*, days_ago: int = 3) -> list[Encounter]:
    """Encounters of two providers and several agencies, with call volume for the months."""
    day = services.today() - dt.timedelta(days=days_ago)
    records = []
    plan = [
        ("blue-springs", "rediscover", "resolved-on-scene", "no", ""),
        ("blue-springs", "rediscover", "referred", "yes", "outpatient"),
        ("lees-summit", "rediscover", "voluntary-transport", "yes", "crisis-center"),
        ("lees-summit", "burrell", "resolved-on-scene", "no", ""),
        ("grandview", "burrell", "arrest", "no", ""),
        ("raytown", "burrell", "referred", "yes", "substance-use-treatment"),
    ]
    for n, (agency, provider, disposition, linked, service) in enumerate(plan, start=1):
        records.append(
            encounter(
                encounter_id=f"{agency[:2].upper()}-{n:04d}",
                agency=agency,
                provider=provider,
                date=day.isoformat(),
                disposition=disposition,
                linked_to_services=linked,
                service_type=service,
                concerns="mental-health;substance-use" if n % 2 else "welfare-check",
                person_key=f"P-{n % 4}",
            )
        )
    month = month_start(day)
    for code in ("blue-springs", "lees-summit", "grandview", "raytown"):
        MonthlyCallVolume.objects.create(
            agency=org(code), month=month, mh_calls=40, total_calls=900
        )
    return records


# --- 1. Keyboard entry ---------------------------------------------------------------------


def test_a_clinician_enters_an_encounter_with_the_keyboard_alone(
    site, new_page, lees_summit_clinician
):
    page = new_page("clinician")
    _sign_in_by_keyboard(page, site, lees_summit_clinician.user)
    page.goto(site + NEW)
    assert h1_text(page) == "New encounter"
    today = services.today()
    assert page.locator("#id_date").input_value() == today.isoformat(), "today is not prefilled"
    assert page.locator("#id_agency_0").is_checked(), "the usual agency is not prefilled"

    # The call. The encounter ID has the focus on arrival.
    assert focused(page) == "id_encounter_id", f"the form opens at {focused(page)!r}"
    page.keyboard.type("LS-0420")
    tab(page, "id_agency_0")  # Blue Springs (the usual one, checked)
    page.keyboard.press("ArrowDown")  # Lee's Summit
    assert focused(page) == "id_agency_1" and page.locator("#id_agency_1").is_checked()
    tab(page, "id_date")  # prefilled with today: one text box, one Tab
    tab(page, "id_time")
    page.keyboard.type("14:30")
    tab(page, "id_cad_incident")
    page.keyboard.type("24-118834")

    # The contact: radios with Space and the arrows, checkboxes with Space.
    tab(page, "id_referral_source_0")
    page.keyboard.press("Space")  # 911 call
    tab(page, "id_contact_type_0")
    page.keyboard.press("Space")  # On scene
    tab(page, "id_concerns_0")
    page.keyboard.press("Space")  # Mental health
    tab(page, "id_concerns_1")
    tab(page, "id_concerns_2")
    page.keyboard.press("Space")  # Suicidal ideation
    tab_to(page, "id_assessment_0", limit=7)
    page.keyboard.press("Space")  # yes
    tab(page, "id_disposition_0")
    page.keyboard.press("ArrowDown")  # Referred
    assert page.locator("#id_disposition_1").is_checked()

    # Services: linked, but the service type left at "Not recorded".
    tab(page, "id_linked_to_services_0")
    page.keyboard.press("Space")  # yes
    tab(page, "id_service_type_7")  # Not recorded (checked)

    # The person (optional).
    tab(page, "id_age_group_7")  # Not recorded (checked)
    for _ in range(4):  # up from "Not recorded": 65 and over, 55 to 64, 45-54, 35-44
        page.keyboard.press("ArrowUp")
    assert page.locator("#id_age_group_3").is_checked(), "35-44 is not chosen"
    tab(page, "id_gender_3")  # Not recorded
    tab(page, "id_veteran_2")  # Not recorded
    tab(page, "id_person_key")
    page.keyboard.type("RD-7781")
    tab(page, "id_minutes")
    page.keyboard.type("50")
    tab(page, "id_use_of_force_2")  # Not recorded
    page.keyboard.press("Tab")
    assert [focused(page), _focused_text(page)] == ["BUTTON", "Save"], "Tab did not reach Save"
    with page.expect_navigation() as navigation:
        page.keyboard.press("Enter")

    # Refused: the error at the field and in the summary.
    assert navigation.value.status == 400, navigation.value.status
    assert page.title().startswith("Error: "), page.title()
    assert not Encounter.objects.exists(), "the refused encounter was saved"
    message = "Service type is required when “linked to services” is yes."
    summary = page.locator("#error-summary")
    assert summary.is_visible(), "no error summary"
    links = [" ".join(t.split()) for t in summary.get_by_role("link").all_inner_texts()]
    assert links == [message], links
    assert summary.get_by_role("link").get_attribute("href") == "#id_service_type_0"
    first = page.locator("#id_service_type_0")
    group = first.locator("xpath=ancestor::fieldset[1]")
    assert message in " ".join(group.inner_text().split()), "the error is not shown at the field"
    assert first.get_attribute("aria-invalid") == "true", "the service type is not aria-invalid"
    # The group's fieldset (legend "Service type") is described by the error.
    described = (group.get_attribute("aria-describedby") or "").split()
    described_text = " ".join(page.locator(f"#{d}").inner_text() for d in described)
    assert message in " ".join(described_text.split()), f"aria-describedby: {described}"

    # Everything typed is kept.
    kept = {
        "#id_encounter_id": "LS-0420",
        "#id_date": today.isoformat(),
        "#id_time": "14:30",
        "#id_cad_incident": "24-118834",
        "#id_person_key": "RD-7781",
        "#id_minutes": "50",
    }
    for selector, value in kept.items():
        assert page.locator(selector).input_value() == value, f"{selector} was not kept"
    for box in (
        "#id_agency_1",
        "#id_referral_source_0",
        "#id_contact_type_0",
        "#id_concerns_0",
        "#id_concerns_2",
        "#id_assessment_0",
        "#id_disposition_1",
        "#id_linked_to_services_0",
        "#id_age_group_3",
    ):
        assert page.locator(box).is_checked(), f"{box} was not kept"

    # From the summary link (reached with Shift+Tab), Enter moves the focus to the field.
    _tab_to_control(page, "A", message, limit=80, key="Shift+Tab")
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement && document.activeElement.id !== ''")
    assert focused(page) == "id_service_type_0", f"the summary link went to {focused(page)!r}"

    # Corrected by keyboard: Space chooses Outpatient, the arrow Crisis center.
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    assert page.locator("#id_service_type_1").is_checked(), "Crisis center is not chosen"
    _tab_to_control(page, "BUTTON", "Save", limit=20)
    with page.expect_navigation() as navigation:
        page.keyboard.press("Enter")
    assert navigation.value.ok, navigation.value.status

    # Saved, and listed.
    assert page.url.split("#")[0] == site + LIST, page.url
    assert "Encounter LS-0420 saved." in main_text(page)
    listed = page.get_by_role("link", name="LS-0420", exact=True)
    assert listed.count() == 1, "the list does not show the new encounter"
    row_text = " ".join(listed.locator("xpath=ancestor::tr[1]").inner_text().split())
    assert "Lee's Summit Police Department" in row_text, row_text
    saved = Encounter.objects.get()
    assert (saved.encounter_id, saved.agency.dictionary_code, saved.provider.dictionary_code) == (
        "LS-0420",
        "lees-summit",
        "rediscover",
    )
    assert (saved.date, saved.time) == (today, dt.time(14, 30))
    assert saved.cad_incident == "24-118834"
    assert (saved.referral_source, saved.contact_type) == ("911-call", "on-scene")
    assert list(saved.concerns) == ["mental-health", "suicidal-ideation"]
    assert saved.assessment is True and saved.disposition == "referred"
    assert saved.linked_to_services is True and saved.service_type == "crisis-center"
    assert (saved.age_group, saved.gender, saved.veteran) == ("35-44", "", None)
    assert (saved.person_key, saved.minutes, saved.use_of_force) == ("RD-7781", 50, None)
    assert saved.created_by == lees_summit_clinician.user


# --- 2. An import with errors ------------------------------------------------------------


def test_an_import_with_errors_lists_every_one_and_imports_nothing(site, new_page, program_manager):
    rows = [
        row(encounter_id="BS-1001", agency="lees-summit-pd"),  # row 2: unknown code
        row(encounter_id="BS-1002", date="2025-02-30"),  # row 3: not a date
        row(encounter_id="BS-1003", linked_to_services="yes"),  # row 4: no service type
        row(encounter_id="BS-1004"),  # row 5: fine
        row(encounter_id="BS-1004", disposition="referred"),  # row 6: BS-1004 again
        row(encounter_id="BS-1005", referral_source=""),  # row 7: a required value missing
    ]
    page = new_page("manager")
    sign_in(page, site, program_manager)
    page.goto(site + IMPORT)
    assert h1_text(page) == "Import a CSV file"
    assert page.get_by_label("The file holds").input_value() == "encounters"
    page.get_by_label("CSV file").set_input_files(
        {"name": "march-encounters.csv", "mimeType": "text/csv", "buffer": _csv(rows)}
    )
    response = submit(page, "Check and import")
    assert response.ok, response.status
    job = ImportJob.objects.get()
    assert page.url == site + _job_url(job.pk), page.url
    assert h1_text(page) == "Import of march-encounters.csv"
    assert job.status == ImportStatus.FAILED, job.status

    alert = " ".join(page.get_by_role("alert").inner_text().split())
    assert "Nothing was imported: the file has 5 errors (6 data rows checked)" in alert, alert
    table = page.locator("table", has=page.locator("caption", has_text="Errors 1 to 5 of 5"))
    assert table.count() == 1, "no table of the errors"
    listed = _table_rows(table)
    codes = ", ".join(dd.AGENCIES)
    assert listed == [
        ["2", "agency", f"“lees-summit-pd” is not a listed code ({codes})"],
        ["3", "date", "2025-02-30 does not exist: February 2025 has 28 days"],
        ["4", "service_type", "is required when linked_to_services is yes"],
        ["6", "encounter_id", "“BS-1004” of blue-springs is also on row 5: one row per encounter"],
        ["7", "referral_source", "is required"],
    ], listed
    by_column = page.locator("table", has=page.locator("caption", has_text="Errors by column"))
    assert sorted(_table_rows(by_column)) == sorted(
        [[c, "1"] for c in ("agency", "date", "service_type", "encounter_id", "referral_source")]
    )
    assert Encounter.objects.count() == 0, "rows of a refused file were imported"
    assert not job.file, "the refused upload was kept"


# --- 3. An agency liaison and the records ------------------------------------------------


def test_an_agency_liaison_cannot_reach_a_record_by_its_url(site, new_page, lees_summit_liaison):
    own = encounter(encounter_id="LS-0001", agency="lees-summit")
    other = encounter(encounter_id="BS-0001", agency="blue-springs")
    MonthlyCallVolume.objects.create(
        agency=org("lees-summit"), month=month_start(own.date), mh_calls=30
    )
    page = new_page("liaison")
    sign_in(page, site, lees_summit_liaison)
    for record, whose in ((own, "their own agency's"), (other, "another agency's")):
        response = page.goto(site + _record_url(record.pk))
        assert response.status == 404, f"{whose} record answered {response.status}"
        assert h1_text(page) == "We could not find that page", f"{whose} record: {h1_text(page)}"
        html = page.content()
        assert record.encounter_id not in html, f"the 404 page names {whose} record"

    page.goto(site + DASHBOARD)
    assert h1_text(page) == "Co-responder dashboard"
    main = main_text(page)
    lees_summit = "Lee's Summit Police Department"
    assert f"These are the figures for {lees_summit}." in main, main[:400]
    assert page.get_by_label("Agency", exact=True).count() == 0, "a liaison can choose an agency"
    agencies = [r[0] for r in _table_rows(page.locator("#table-agencies"))]
    assert agencies == [lees_summit], f"the liaison's agency table lists {agencies}"
    for name in dd.AGENCIES.values():
        if name != lees_summit:
            assert name not in main, f"the liaison's dashboard names {name}"
    assert "Substance use" not in main, "a liaison sees substance-use figures"


# --- 4. axe and small screens on every page -------------------------------------------------


def test_every_coresponder_page_passes_axe_and_fits_a_phone(
    site, new_page, program_manager, lees_summit_clinician, lees_summit_liaison
):
    problems: list[str] = []
    records = _some_records()

    # Two import jobs, one refused and one imported (the upload itself is test 2's).
    # Dated in a month without call volume: the imported job lists them under "Data to check".
    past = (services.today() - dt.timedelta(days=40)).isoformat()
    good = [
        row(encounter_id="IM-0001", date=past),
        row(encounter_id="IM-0002", agency="lees-summit", date=past),
    ]
    bad = [row(encounter_id="IM-0003", agency="nowhere"), row(encounter_id="IM-0004", date="x")]
    failed = import_start(
        kind=ENCOUNTERS,
        upload=SimpleUploadedFile("bad.csv", _csv(bad), content_type="text/csv"),
        by=program_manager,
    )
    done = import_start(
        kind=ENCOUNTERS,
        upload=SimpleUploadedFile("good.csv", _csv(good), content_type="text/csv"),
        by=program_manager,
    )
    assert (failed.status, done.status) == (ImportStatus.FAILED, ImportStatus.DONE)

    # The clinician's entry form, empty and with errors, at desktop and phone widths.
    phone = new_page("clinician")
    sign_in(phone, site, lees_summit_clinician.user)
    problems += _visit(phone, site + NEW, "entry form (empty)")
    problems += _phone(phone, "entry form (empty)")
    phone.locator("#id_encounter_id").fill("")
    response = submit(phone, "Save")
    assert response.status == 400 and phone.locator("#error-summary").is_visible()
    problems += axe(phone, "entry form (with errors)")
    problems += _phone(phone, "entry form (with errors)")

    # The program manager's pages.
    desk = new_page("manager")
    sign_in(desk, site, program_manager)
    problems += _visit(desk, site + LIST, "encounter list")
    assert desk.get_by_role("link", name=records[0].encounter_id, exact=True).count() == 1
    problems += _visit(desk, site + _record_url(records[0].pk), "record page")
    problems += _visit(desk, site + MONTHS, "months page")
    problems += _visit(desk, site + VOLUME, "volume page")
    problems += _visit(desk, site + IMPORT, "import page")
    problems += _visit(desk, site + _job_url(failed.pk), "import result (with errors)")
    assert "Nothing was imported" in main_text(desk)
    problems += _visit(desk, site + _job_url(done.pk), "import result (imported)")
    assert "Imported 2 rows" in main_text(desk)
    assert "2 agency-months look unlikely." in main_text(desk)
    problems += _visit(desk, site + EXPORT, "export page")
    problems += _visit(desk, site + DASHBOARD, "dashboard (program manager)")
    assert desk.locator("#table-agencies").count() == 1, "the dashboard shows no figures"

    # The liaison's dashboard.
    police = new_page("liaison")
    sign_in(police, site, lees_summit_liaison)
    problems += _visit(police, site + DASHBOARD, "dashboard (agency liaison)")
    assert "These are the figures for Lee's Summit Police Department" in main_text(police)

    # The public page.
    public = new_page("public")
    problems += _visit(public, site + PUBLIC, "public figures page")
    assert h1_text(public) == "Co-responder program figures"
    problems += _phone(public, "public figures page")

    assert not problems, "\n\n".join(problems)

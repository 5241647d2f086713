"""The training calendar as people meet it in a real Chromium: registering and landing on
the waitlist, cancelling by the emailed link and the waitlist promotion that follows,
registering with the keyboard alone, the error summary, the coordinator's phone check-in,
and axe (WCAG 2.1 A/AA) plus 320px sideways scrolling on every calendar page on the way.

Emails go to Django's locmem backend; the live server runs in this process, so the test
reads them from ``django.core.mail.outbox`` (Celery runs the email tasks eagerly, on
commit, inside the request that queued them).
"""

import re
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail

from tests.e2e.helpers import (
    DESKTOP,
    PHONE,
    axe,
    broken_words,
    h1_text,
    page_problems,
    phone_overflow,
    screenshot_if_failed,
    sign_in,
    submit,
)
from tests.training.conftest import DOOR_TIME, event_at_the_door
from tests.training.factories import EventFactory, RegistrationFactory, in_days
from training.demo import training_demo_load
from training.links import cancel_url
from training.models import EventStatus, Registration, RegistrationStatus

COORDINATOR_HOME = "/staff/training/"
CHECK_IN_PHONE = {"width": 375, "height": 812}

DANA = {
    "name": "Dana Dispatcher",
    "email": "dana@example.org",
    "agency": "Blue Springs Police Department",
    "role": "Call-taker",
    "state": "Missouri",
}
SAM = {
    "name": "Sam Second",
    "email": "sam@example.org",
    "agency": "Johnson County Emergency Communications",
    "role": "Dispatcher",
    "state": "Kansas",
}


# --- Fixtures --------------------------------------------------------------------------


@pytest.fixture
def touch_page(browser, request):
    """A phone: 375px wide, touch events, mobile viewport rules (screenshot on failure)."""
    context = browser.new_context(viewport=CHECK_IN_PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    screenshot_if_failed(request, page)
    context.close()


# --- Helpers ---------------------------------------------------------------------------


def _register_url(site: str, event) -> str:
    return f"{site}/calendar/events/{event.pk}/register/"


def _fill(page, person: dict, *, needs: str = "") -> None:
    page.get_by_label("Your name").fill(person["name"])
    page.get_by_label("Email address").fill(person["email"])
    page.get_by_label("Agency or organization").fill(person["agency"])
    page.get_by_label("Role or job title").fill(person["role"])
    page.get_by_role("radio", name=person["state"], exact=True).check()
    if needs:
        page.get_by_label("Accessibility needs (optional)").fill(needs)


def _register(page, site: str, event, person: dict, button: str = "Register"):
    page.goto(_register_url(site, event))
    _fill(page, person)
    return submit(page, button)


def _emails(address: str, subject_start: str) -> list:
    return [m for m in mail.outbox if address in m.to and m.subject.startswith(subject_start)]


def _cancel_path(message) -> str:
    match = re.search(r"/calendar/cancel/[^/\s]+/", message.body)
    assert match, f"no cancel link in the email {message.subject!r}:\n{message.body}"
    return match.group(0)


def _seats_text(page) -> str:
    dd = page.locator("dl.event-details dt", has_text=re.compile(r"^\s*Seats\s*$"))
    return " ".join(dd.locator("xpath=following-sibling::dd[1]").inner_text().split())


def _focused_id(page) -> str:
    return page.evaluate("document.activeElement ? document.activeElement.id : ''")


def _public_problems(page, where: str) -> list[str]:
    """page_problems (axe, 320px sideways scrolling) and words split over two lines at 320px."""
    problems = page_problems(page, where)
    broken = broken_words(page, where)
    return [*problems, broken] if broken else problems


def _overflow_at(page, viewport: dict, where: str) -> list[str]:
    """Sideways scrolling at the current viewport (already set to `viewport`)."""
    if page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"):
        return []
    width = page.evaluate("document.documentElement.scrollWidth")
    return [f"{where} scrolls sideways at {viewport['width']}px (content {width}px wide)"]


# --- 1. Register, waitlist, cancel by link, promotion ---------------------------------


def test_a_cancel_by_link_promotes_the_first_person_on_the_waitlist(site, page):
    event = EventFactory(title="Radio interoperability drill", capacity=1)

    # A registers from the event page.
    page.goto(site + event.get_absolute_url())
    assert _seats_text(page) == "1 seat, 1 left", _seats_text(page)
    with page.expect_navigation():
        page.locator(".event-register").get_by_role("link", name="Register").click()
    assert h1_text(page) == "Register for Radio interoperability drill"
    _fill(page, DANA)
    submit(page, "Register")
    assert h1_text(page) == "You are registered", f"A's registration ended on {page.url}"
    assert page.locator("#registration-result").get_attribute("data-status") == "confirmed"
    confirmations = _emails(DANA["email"], "You are registered: Radio interoperability drill")
    assert len(confirmations) == 1, [m.subject for m in mail.outbox]

    # B finds the event full and joins the waitlist.
    page.goto(site + event.get_absolute_url())
    assert _seats_text(page).startswith("1 seat, full"), _seats_text(page)
    with page.expect_navigation():
        page.locator(".event-register").get_by_role("link", name="Join the waitlist").click()
    assert page.locator("#waitlist-notice").is_visible(), "the full event's form has no notice"
    _fill(page, SAM)
    submit(page, "Join the waitlist")
    assert h1_text(page) == "You are on the waitlist", f"B's registration ended on {page.url}"
    result = page.locator("#registration-result")
    assert result.get_attribute("data-status") == "waitlisted"
    assert "you are number 1 on the waitlist" in result.inner_text()
    sam_page = page.url
    assert len(_emails(SAM["email"], "You are on the waitlist:")) == 1

    # A opens the cancel link from the confirmation email and confirms.
    page.goto(site + _cancel_path(confirmations[0]))
    assert h1_text(page) == "Cancel your registration?"
    assert "Dana Dispatcher" in page.locator("main").inner_text()
    submit(page, "Yes, cancel my registration")
    assert h1_text(page) == "Your registration is cancelled"
    assert page.locator("#cancel-result").is_visible()
    assert len(_emails(DANA["email"], "Your registration is cancelled:")) == 1

    # B has the seat: the promotion email, the registration, the event page, B's own page.
    promoted = _emails(SAM["email"], "A seat opened up, you are in: Radio interoperability")
    assert len(promoted) == 1, [(m.to, m.subject) for m in mail.outbox]
    assert "it is yours" in promoted[0].body
    sam = Registration.objects.get(event=event, email=SAM["email"])
    assert sam.status == RegistrationStatus.CONFIRMED and sam.waitlist_position is None
    page.goto(site + event.get_absolute_url())
    assert _seats_text(page).startswith("1 seat, full"), (
        f"after the promotion the event page shows {_seats_text(page)!r}"
    )
    page.goto(sam_page)
    assert h1_text(page) == "You are registered", "B's own page still says the waitlist"


# --- 2. Keyboard only ------------------------------------------------------------------


def test_registration_works_with_the_keyboard_alone(site, page):
    event = EventFactory(title="Keyboard course", capacity=10)
    page.goto(_register_url(site, event))
    for _ in range(60):
        page.keyboard.press("Tab")
        if _focused_id(page) == "id_name":
            break
    else:
        pytest.fail("Tab never reached the first field (Your name) of the registration form")

    page.keyboard.type("Kim Keyboard")
    for field, text in (
        ("id_email", "kim@example.org"),
        ("id_agency", "Olathe Fire Department"),
        ("id_role", "Firefighter"),
    ):
        page.keyboard.press("Tab")
        assert _focused_id(page) == field, f"Tab went to {_focused_id(page)!r}, not {field}"
        page.keyboard.type(text)

    page.keyboard.press("Tab")
    assert _focused_id(page) == "id_state_0", f"Tab went to {_focused_id(page)!r}, not Missouri"
    page.keyboard.press("Space")
    assert page.get_by_role("radio", name="Missouri").is_checked(), "Space did not choose"
    page.keyboard.press("ArrowDown")
    assert _focused_id(page) == "id_state_1"
    assert page.get_by_role("radio", name="Kansas").is_checked(), "ArrowDown did not choose"

    page.keyboard.press("Tab")
    assert _focused_id(page) == "id_accessibility_needs", _focused_id(page)
    page.keyboard.type("Step-free access")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "[document.activeElement.tagName, document.activeElement.type,"
        " document.activeElement.textContent.trim()]"
    )
    assert focused == ["BUTTON", "submit", "Register"], f"after the last field: {focused}"
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert h1_text(page) == "You are registered", f"keyboard registration ended on {page.url}"
    kim = Registration.objects.get(event=event, email="kim@example.org")
    assert (kim.name, kim.agency_name, kim.role, kim.state, kim.accessibility_needs) == (
        "Kim Keyboard",
        "Olathe Fire Department",
        "Firefighter",
        "KS",
        "Step-free access",
    )


# --- 3. Errors -------------------------------------------------------------------------

REQUIRED = {
    "id_name": "Your name: Enter your name.",
    "id_email": "Email address: Enter your email address.",
    "id_agency": "Agency or organization: Enter your agency or organization.",
    "id_role": "Role or job title: Enter your role or job title.",
    "id_state_0": "State where you work: Choose the state where you work: Missouri or Kansas.",
}


def test_the_error_summary_links_to_the_fields_and_typed_values_are_kept(site, page):
    event = EventFactory(title="Errors course", capacity=10)
    page.goto(_register_url(site, event))
    response = submit(page, "Register")
    assert response.status == 400, response.status
    assert page.title().startswith("Error: "), page.title()

    summary = page.locator("#error-summary")
    assert summary.is_visible(), "an empty form shows no error summary"
    form_top = page.locator("main form[method=post]").bounding_box()["y"]
    assert summary.bounding_box()["y"] < form_top, "the error summary is not above the form"
    assert summary.get_attribute("role") == "alert"
    links = summary.get_by_role("link")
    found = {
        link.get_attribute("href").removeprefix("#"): " ".join(link.inner_text().split())
        for link in links.all()
    }
    assert found == REQUIRED, found
    for target in REQUIRED:
        page.evaluate("window.scrollTo(0, 0)")
        summary.locator(f'a[href="#{target}"]').click()
        assert _focused_id(page) == target, (
            f"the summary link to #{target} left focus on {_focused_id(page)!r}"
        )
        field = page.locator(f"#{target}")
        assert field.get_attribute("aria-invalid") == "true", f"#{target} is not aria-invalid"
        described = (field.get_attribute("aria-describedby") or "").split()
        if target == "id_state_0":  # the radios' error belongs to their fieldset
            described = (
                page.locator("fieldset:has(#id_state_0)").get_attribute("aria-describedby") or ""
            ).split()
        message = REQUIRED[target].split(": ", 1)[1]
        texts = " ".join(page.locator(f"#{d}").inner_text() for d in described)
        assert message in texts, f"#{target}'s error is not in its aria-describedby ({described})"

    # An invalid email: the one error is named, and everything typed is still there.
    _fill(page, {**DANA, "email": "dana.example.org"}, needs="An interpreter, please")
    submit(page, "Register")
    links = page.locator("#error-summary").get_by_role("link")
    assert [" ".join(t.split()) for t in links.all_inner_texts()] == [
        "Email address: Enter an email address in the form name@example.org."
    ]
    kept = {
        "Your name": DANA["name"],
        "Email address": "dana.example.org",
        "Agency or organization": DANA["agency"],
        "Role or job title": DANA["role"],
        "Accessibility needs (optional)": "An interpreter, please",
    }
    for label, value in kept.items():
        assert page.get_by_label(label).input_value() == value, f"{label} was not kept"
    assert page.get_by_role("radio", name="Missouri").is_checked(), "the state was not kept"

    page.get_by_label("Email address").fill(DANA["email"])
    submit(page, "Register")
    assert h1_text(page) == "You are registered", f"the corrected form ended on {page.url}"


# --- 4. axe and 320px on every calendar page -------------------------------------------


def test_public_calendar_pages_are_accessible_and_fit_a_phone(site, page):
    training_demo_load()
    normal = EventFactory(title="Hazmat awareness", capacity=20, starts_at=in_days(12))
    full = EventFactory(title="Full tabletop", capacity=1, starts_at=in_days(13))
    RegistrationFactory(event=full)
    cancelled = EventFactory(
        title="Cancelled exercise", capacity=20, starts_at=in_days(15), status=EventStatus.CANCELLED
    )
    small = EventFactory(title="Small course", capacity=1, starts_at=in_days(16))
    problems: list[str] = []

    page.goto(site + "/calendar/")
    assert h1_text(page) == "Training calendar"
    assert page.locator(".calendar-event").count() >= 4, "the calendar list shows no events"
    problems += _public_problems(page, "calendar list")

    page.get_by_label("Kind").select_option(label="Training")
    page.get_by_label("Only events with seats left").check()
    submit(page, "Show events")
    assert "match these filters" in page.locator("main").inner_text(), page.url
    problems += _public_problems(page, "calendar list, filtered (kind=training, seats left)")

    month = normal.starts_at
    page.goto(f"{site}/calendar/month/{month.year}/{month.month}/")
    assert page.locator(".month-event").count() >= 1, "the month grid shows no events"
    problems += axe(page, "month grid at 1280px")
    page.set_viewport_size(PHONE)
    problems += axe(page, "month grid at 320px")
    overflow = phone_overflow(page, "month grid")
    problems += [overflow] if overflow else []
    broken = broken_words(page, "month grid")
    problems += [broken] if broken else []
    page.set_viewport_size(DESKTOP)

    for event, where in ((normal, "normal"), (full, "full"), (cancelled, "cancelled")):
        page.goto(site + event.get_absolute_url())
        assert h1_text(page) == event.title
        problems += _public_problems(page, f"event page ({where})")

    page.goto(_register_url(site, cancelled))
    assert h1_text(page) == "Registration is not available"
    problems += _public_problems(page, "registration not available (cancelled event)")

    page.goto(_register_url(site, small))
    problems += _public_problems(page, "registration form (empty)")
    submit(page, "Register")
    assert page.locator("#error-summary").is_visible()
    problems += _public_problems(page, "registration form (with errors)")

    _register(page, site, small, DANA)
    assert h1_text(page) == "You are registered"
    problems += _public_problems(page, "registration success page")
    _register(page, site, small, SAM, button="Join the waitlist")
    assert h1_text(page) == "You are on the waitlist"
    problems += _public_problems(page, "registration waitlist page")

    dana = Registration.objects.get(event=small, email=DANA["email"])
    page.goto(site + urlsplit(cancel_url(dana)).path)
    assert h1_text(page) == "Cancel your registration?"
    problems += _public_problems(page, "cancel confirmation page")
    submit(page, "Yes, cancel my registration")
    assert h1_text(page) == "Your registration is cancelled"
    problems += _public_problems(page, "cancelled page")
    assert not problems, "\n\n".join(problems)


def test_coordinator_pages_are_accessible(site, training_coordinator, page):
    event = EventFactory(title="Roster course", capacity=2)
    RegistrationFactory(event=event, name="Casey Confirmed", accessibility_needs="Large print")
    RegistrationFactory(event=event, name="Chris Checked", status=RegistrationStatus.ATTENDED)
    RegistrationFactory(
        event=event,
        name="Wren Waiting",
        status=RegistrationStatus.WAITLISTED,
        waitlist_position=1,
    )
    RegistrationFactory(event=event, name="Cam Cancelled", status=RegistrationStatus.CANCELLED)
    problems: list[str] = []

    sign_in(page, site, training_coordinator)
    page.goto(site + COORDINATOR_HOME)
    assert h1_text(page) == "Training calendar", f"{COORDINATOR_HOME} shows {h1_text(page)!r}"
    assert page.get_by_role("link", name="Roster course").count() >= 1
    problems += axe(page, "coordinator event list")

    page.goto(site + COORDINATOR_HOME + "events/new/")
    assert h1_text(page) == "New event"
    problems += axe(page, "create-event form")
    submit(page, "Add the event")
    problems += axe(page, "create-event form with errors")

    page.goto(f"{site}/staff/training/events/{event.pk}/")
    main = page.locator("main")
    assert "Casey Confirmed" in main.locator("#confirmed").inner_text()
    assert "Wren Waiting" in main.locator("#waitlist").inner_text()
    problems += axe(page, "roster (confirmed, attended, waitlisted, cancelled)")

    page.set_viewport_size(CHECK_IN_PHONE)
    page.goto(f"{site}/staff/training/events/{event.pk}/check-in/")
    assert h1_text(page) == "Check-in: Roster course"
    problems += axe(page, "check-in page at 375px")
    problems += _overflow_at(page, CHECK_IN_PHONE, "check-in page")
    broken = broken_words(page, "check-in page", CHECK_IN_PHONE)
    problems += [broken] if broken else []
    assert not problems, "\n\n".join(problems)


# --- 5. Check-in on a phone ------------------------------------------------------------


def test_a_coordinator_checks_someone_in_by_tapping_on_a_phone(
    site, training_coordinator, touch_page
):
    page = touch_page
    with time_machine.travel(DOOR_TIME):  # check-in is open half an hour before the start
        event = event_at_the_door(title="Check-in course", capacity=5)
        casey = RegistrationFactory(event=event, name="Casey Confirmed")
        RegistrationFactory(event=event, name="Pat Present")

        sign_in(page, site, training_coordinator)
        page.goto(f"{site}/staff/training/events/{event.pk}/check-in/")
        assert "0 of 2 checked in" in " ".join(page.locator("main").inner_text().split())
        button = page.get_by_role("button", name="Check in Casey Confirmed", exact=True)
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, f"the check-in button is only {box}"
        with page.expect_navigation():
            button.tap()

        row = page.locator(f"#registration-{casey.pk}")
        assert "Checked in" in row.inner_text(), "Casey's row does not say checked in"
        assert row.get_by_role("button", name=re.compile("^Check in")).count() == 0, (
            "Casey can still be checked in again"
        )
        assert "1 of 2 checked in" in " ".join(page.locator("main").inner_text().split())
        assert page.get_by_role("button", name="Check in Pat Present").is_visible()
        casey.refresh_from_db()
        assert casey.status == RegistrationStatus.ATTENDED and casey.checked_in_at is not None

        with page.expect_navigation():
            page.get_by_role("link", name="Full roster").tap()
        attended = page.locator("#attended")
        assert "Casey Confirmed" in attended.inner_text(), "the roster does not list Casey attended"
        assert "Checked in" in attended.locator(f"#registration-{casey.pk}").inner_text()
        assert "Casey Confirmed" not in page.locator("#confirmed").inner_text()

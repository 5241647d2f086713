"""911 peer support from end to end in a real Chromium (issue 5, point 10).

One request from outside the MARC region goes the whole way: the anonymous requester reads
the promise, fills the form (mostly by keyboard; once with a date in the future, to meet
the error summary), lands on the status page and copies the private link; the link opened
in a fresh browser shows only the status and the next step. A coordinator (two-factor
sign-in) approves the request and assigns a member chosen from the suggestions; the member
(another browser, two-factor sign-in) accepts, records the contact, logs an activity
(once with an error), marks the request completed and closes it. The requester's link then
says closed. After the contact-details purge (run here, 31 days on) the coordinator sees
the details gone and the dashboard still counting the request.

Every page on the way is checked with axe (WCAG 2.1 A/AA), and the public pages at 320px
for sideways scrolling. Problems are collected and reported together at the end; the
path itself is asserted as it goes.
"""

import datetime as dt
import re
from urllib.parse import urldefrag

from django.utils import timezone

from accounts.roles import Role
from peersupport.models import (
    Activity,
    AssignmentStatus,
    RequestStatus,
    ServiceType,
    SupportRequest,
)
from peersupport.services import contact_details_purge
from tests.e2e.helpers import (
    axe,
    focused,
    h1_text,
    main_text,
    page_problems,
    sign_in,
    submit,
    tab,
    tab_to,
)
from tests.peersupport.factories import OrganizationFactory, member_for

START = "/peer-support/"
FORM = "/peer-support/request/"
QUEUE = "/staff/peer-support/"
MINE = "/staff/peer-support/mine/"
DASHBOARD = "/staff/peer-support/dashboard/"

# What the requester types. None of it may show on the status page.
REQUESTER = {
    "people": "6",
    "role": "Shift supervisor",
    "agency": "Prairie County Emergency Communications",
    "name": "Robin Requester",
    "phone": "913-555-0142",
    "best_time": "Weekdays after 3 pm",
}


# --- Helpers ---------------------------------------------------------------------------


def _follow(page, link_name: str, *, within=None):
    scope = within if within is not None else page
    with page.expect_navigation() as navigation:
        scope.get_by_role("link", name=link_name, exact=True).click()
    return navigation.value


def _dd(scope, term: str) -> str:
    """The text of the <dd> that follows the <dt> reading exactly `term`."""
    dt_ = scope.locator("dt", has_text=re.compile(rf"^\s*{re.escape(term)}\s*$"))
    return " ".join(dt_.locator("xpath=following-sibling::dd[1]").inner_text().split())


def _row_cells(table, header: str) -> list[str]:
    """The cells of the table row whose header cell reads exactly `header`."""
    row = table.locator(
        "tr", has=table.page.locator("th", has_text=re.compile(rf"^\s*{re.escape(header)}\s*$"))
    )
    assert row.count() == 1, f"{row.count()} rows headed {header!r}"
    return [" ".join(t.split()) for t in row.locator("td").all_inner_texts()]


def _table_after(page, heading_id: str):
    return page.locator(f"h2#{heading_id} + .table-scroll table")


def _column(table, name: str) -> int:
    headers = [" ".join(t.split()) for t in table.locator("thead th").all_inner_texts()]
    assert name in headers, f"no column {name!r} in {headers}"
    return headers.index(name) - 1  # the first header heads the row headers, not a <td>


def _copy_link(page) -> str:
    """Select the private link's text and copy it with Ctrl+C; return the clipboard."""
    page.locator("#status-link").evaluate(
        """el => { const range = document.createRange(); range.selectNodeContents(el);
                   const selection = window.getSelection(); selection.removeAllRanges();
                   selection.addRange(range); }"""
    )
    page.keyboard.press("Control+C")
    return page.evaluate("navigator.clipboard.readText()").strip()


# --- The whole path --------------------------------------------------------------------


def test_a_request_from_outside_the_region_goes_from_the_form_to_the_dashboard(
    site, new_page, make_staff
):
    problems: list[str] = []
    today = timezone.localdate()
    home_agency = OrganizationFactory(name="Lee's Summit 911 Center")
    coordinator = make_staff(
        username="coordinator",
        first_name="Casey",
        last_name="Coordinator",
        roles=[Role.PEER_SUPPORT_COORDINATOR],
    )
    peer = make_staff(
        username="peer", first_name="Pat", last_name="Peer", roles=[Role.PEER_TEAM_MEMBER]
    )
    member_for(peer, training_hours=48, home_agency=home_agency)

    # --- 1. The requester: the promise, the form (by keyboard), the status page --------
    requester = new_page("requester", permissions=["clipboard-read", "clipboard-write"])
    requester.goto(site + START)
    assert h1_text(requester) == "Ask for 911 peer support"
    promise = main_text(requester)
    for words in (
        "What stays confidential",
        "What you tell a peer stays between you and that peer",
        "your contact details are deleted after the request is closed",
        "Agencies outside the region are welcome to ask too",
    ):
        assert words in promise, f"the start page does not say {words!r}"
    problems += page_problems(requester, "start page")
    _follow(requester, "Ask the peer support team for help", within=requester.locator("main"))
    assert requester.url == site + FORM, requester.url
    assert h1_text(requester) == "Ask the peer support team for help"
    problems += page_problems(requester, "request form (empty)")

    # By keyboard: radios with Space and the arrows, text and the date (year-month-day) by
    # typing; the agency list is set directly. Fields that apply only to some answers (the
    # agency's name, the phone, the email) show once chosen (conditional-fields.js).
    tab_to(requester, "id_request_type_0")
    requester.keyboard.press("Space")  # Group debriefing at a 911 center (CISD)
    tab(requester, "id_incident_kind_0")
    for _ in range(3):  # Death, Suicide, Officer-involved shooting, Child death or injury
        requester.keyboard.press("ArrowDown")
    assert focused(requester) == "id_incident_kind_3"
    tab(requester, "id_incident_date")
    tomorrow = today + dt.timedelta(days=1)
    requester.keyboard.type(tomorrow.isoformat())
    assert requester.locator("#id_incident_date").input_value() == tomorrow.isoformat()
    tab(requester, "id_people_affected")
    requester.keyboard.type(REQUESTER["people"])
    tab(requester, "id_urgency_0")
    requester.keyboard.press("ArrowDown")  # Today or tomorrow
    tab(requester, "id_requester_role")
    requester.keyboard.type(REQUESTER["role"])
    tab(requester, "id_agency")
    agencies = requester.locator("#id_agency option").all_inner_texts()
    assert home_agency.name in agencies, f"the in-region agency is not listed: {agencies}"
    requester.locator("#id_agency").select_option(label="Outside the MARC region")
    tab(requester, "id_outside_agency_name")
    requester.keyboard.type(REQUESTER["agency"])
    tab(requester, "id_contact_name")
    requester.keyboard.type(REQUESTER["name"])
    tab(requester, "id_contact_method_0")
    requester.keyboard.press("Space")  # Phone call
    tab(requester, "id_contact_phone")
    requester.keyboard.type(REQUESTER["phone"])
    tab(requester, "id_best_time")  # the email, for email only, is hidden
    requester.keyboard.type(REQUESTER["best_time"])
    requester.keyboard.press("Tab")
    reached = requester.evaluate(
        "[document.activeElement.tagName, document.activeElement.textContent.trim()]"
    )
    assert reached == ["BUTTON", "Send the request"], f"after the last field: {reached}"
    with requester.expect_navigation() as navigation:
        requester.keyboard.press("Enter")

    # A date in the future: refused, named in the summary, and everything typed is kept.
    assert navigation.value.status == 400, navigation.value.status
    assert requester.title().startswith("Error: "), requester.title()
    summary = requester.locator("#error-summary")
    assert summary.is_visible(), "the refused form shows no error summary"
    summary_links = [" ".join(t.split()) for t in summary.get_by_role("link").all_inner_texts()]
    assert summary_links == [
        "Date of the incident: The date of the incident cannot be in the future."
    ], summary_links
    summary.get_by_role("link").click()
    assert focused(requester) == "id_incident_date", "the summary link does not reach the date"
    date_field = requester.locator("#id_incident_date")
    assert date_field.get_attribute("aria-invalid") == "true"
    described = (date_field.get_attribute("aria-describedby") or "").split()
    described_text = " ".join(requester.locator(f"#{d}").inner_text() for d in described)
    assert "cannot be in the future" in described_text, f"aria-describedby: {described}"
    kept = {
        "#id_incident_date": tomorrow.isoformat(),
        "#id_people_affected": REQUESTER["people"],
        "#id_requester_role": REQUESTER["role"],
        "#id_agency": "outside",
        "#id_outside_agency_name": REQUESTER["agency"],
        "#id_contact_name": REQUESTER["name"],
        "#id_contact_phone": REQUESTER["phone"],
        "#id_best_time": REQUESTER["best_time"],
    }
    for selector, value in kept.items():
        assert requester.locator(selector).input_value() == value, f"{selector} was not kept"
    for radio in (
        "#id_request_type_0",
        "#id_incident_kind_3",
        "#id_urgency_1",
        "#id_contact_method_0",
    ):
        assert requester.locator(radio).is_checked(), f"{radio} was not kept"
    problems += page_problems(requester, "request form (with an error)")

    date_field.fill((today - dt.timedelta(days=1)).isoformat())
    response = submit(requester, "Send the request")
    assert response.status == 200 and "/peer-support/status/" in requester.url, requester.url
    assert h1_text(requester) == "Your request was sent"
    reference = requester.locator("#request-reference").inner_text().strip()
    assert re.fullmatch(r"PS-[A-Z0-9]{6}", reference), reference
    assert _dd(requester, "Status") == "Waiting for approval"
    assert "must approve" in _dd(requester, "What happens next")
    copied = _copy_link(requester)
    # (The address may keep the #id_incident_date of the summary link across the redirect.)
    here = urldefrag(requester.url).url
    assert copied == here, f"the copied link {copied!r} is not this page {here}"
    problems += page_problems(requester, "status page (just sent)")

    support_request = SupportRequest.objects.get(reference=reference)
    assert support_request.status == RequestStatus.AWAITING_APPROVAL
    assert support_request.outside_region
    assert support_request.outside_agency_name == REQUESTER["agency"]

    # The link in a fresh browser: status and next step, none of the details.
    holder = new_page("link-holder")
    holder.goto(copied)
    assert h1_text(holder) == "Your peer support request"
    assert holder.locator("#request-sent, #save-link").count() == 0
    assert holder.locator("#request-reference").inner_text().strip() == reference
    assert _dd(holder, "Status") == "Waiting for approval"
    assert "must approve" in _dd(holder, "What happens next")
    html = holder.content()
    for label, value in REQUESTER.items():
        if label != "people":
            assert value not in html, f"the status page shows the request's {label}: {value!r}"
    for detail in ("Child death or injury", "Group debriefing", "Today or tomorrow"):
        assert detail not in html, f"the status page shows {detail!r}"
    problems += page_problems(holder, "status page (opened from the link)")

    # --- 2. The coordinator: queue, detail, approve, assign -----------------------------
    desk = new_page("coordinator")
    sign_in(desk, site, coordinator)
    desk.goto(site + QUEUE)
    assert h1_text(desk) == "Peer support requests"
    row = desk.locator(f"#request-{support_request.pk}")
    assert row.count() == 1, "the queue does not list the request"
    assert "Outside the region" in row.inner_text()
    assert REQUESTER["phone"] not in desk.content(), "the queue shows contact details"
    problems += axe(desk, "coordinator queue")
    _follow(desk, reference, within=row)
    assert h1_text(desk) == f"Request {reference}"
    contact = desk.locator("section[aria-labelledby=contact-heading]")
    assert _dd(contact, "Name") == REQUESTER["name"]
    assert _dd(contact, "Phone") == REQUESTER["phone"]
    assert _dd(contact, "Best time") == REQUESTER["best_time"]
    assert desk.get_by_role("checkbox", name="Pat Peer").count() == 0, (
        "members can be assigned before the out-of-region request is approved"
    )
    problems += axe(desk, "request detail (awaiting approval)")

    submit(desk, "Approve")
    assert f"{reference} is now Approved." in main_text(desk)
    support_request.refresh_from_db()
    assert support_request.status == RequestStatus.APPROVED
    problems += axe(desk, "request detail (approved)")

    suggestion = desk.get_by_role("checkbox", name="Pat Peer", exact=True)
    assert suggestion.count() == 1, "Pat Peer is not among the suggestions"
    suggestion.check()
    submit(desk, "Assign the chosen members")
    assert "1 member assigned." in main_text(desk)
    assigned = desk.locator("section[aria-labelledby=assignments-heading] table").first
    assert "Pat Peer" in assigned.inner_text() and "Offered" in assigned.inner_text()
    support_request.refresh_from_db()
    assert support_request.status == RequestStatus.ASSIGNED
    problems += axe(desk, "request detail (assigned)")

    # --- 3. The member: accept, contact, activity, completed, closed --------------------
    member = new_page("member")
    sign_in(member, site, peer)
    member.goto(site + MINE)
    assert h1_text(member) == "My peer support assignments"
    offered = member.locator("#offered")
    assert reference in offered.inner_text(), "the request is not waiting for the member"
    assert REQUESTER["phone"] not in member.content()
    problems += axe(member, "member: my assignments (offered)")
    _follow(member, reference, within=offered)
    assert h1_text(member) == f"Request {reference}"
    assert "waiting for your answer" in main_text(member)
    assert REQUESTER["phone"] not in member.content(), "contact details shown before accepting"
    assert REQUESTER["name"] not in member.content(), "the name is shown before accepting"
    problems += axe(member, "member request page (offered)")

    submit(member, f"Accept {reference}")
    assert f"You accepted {reference}." in main_text(member)
    reach = member.locator("#contact")
    assert _dd(reach, "Name") == REQUESTER["name"]
    assert _dd(reach, "Phone") == REQUESTER["phone"]
    assert _dd(reach, "Best time") == REQUESTER["best_time"]
    problems += axe(member, "member request page (accepted)")

    submit(member, "Contact made")
    assert "Contact made." in main_text(member)
    support_request.refresh_from_db()
    assert support_request.status == RequestStatus.CONTACTED

    # The activity, first with a date in the future.
    form = member.locator("form[action$='/activity/']")
    form.get_by_label("Date").fill(tomorrow.isoformat())
    form.get_by_label("Service").select_option(label=ServiceType.DEBRIEFING.label)
    form.get_by_label("People reached").fill("6")
    form.get_by_label("Hours").fill("1.5")
    submit(member, "Log the activity")
    assert "The date cannot be in the future." in main_text(member)
    assert not Activity.objects.exists()
    form = member.locator("form[action$='/activity/']")
    assert form.get_by_label("People reached").input_value() == "6", "people were not kept"
    assert form.get_by_label("Hours").input_value() == "1.5", "hours were not kept"
    assert form.get_by_label("Service").input_value() == ServiceType.DEBRIEFING.value
    problems += axe(member, "member request page (activity form with an error)")

    form.get_by_label("Date").fill(today.isoformat())
    assert not form.get_by_label("Follow-up needed").is_checked()
    submit(member, "Log the activity")
    assert "Activity logged." in main_text(member)
    activity = Activity.objects.get(request=support_request)
    assert (activity.date, activity.service_type, activity.people_reached) == (
        today,
        ServiceType.DEBRIEFING,
        6,
    )
    assert float(activity.hours) == 1.5 and not activity.follow_up_needed

    submit(member, "Mark completed")
    assert "Marked completed." in main_text(member)
    submit(member, "Close")
    assert "Closed." in main_text(member)
    support_request.refresh_from_db()
    assert support_request.status == RequestStatus.CLOSED
    assert support_request.assignments.get().status == AssignmentStatus.ACCEPTED

    # --- 4. The requester's link says closed ----------------------------------------------
    holder.reload()
    assert _dd(holder, "Status") == "Closed", _dd(holder, "Status")
    assert REQUESTER["name"] not in holder.content()
    problems += page_problems(holder, "status page (closed)")

    # --- 5. The purge; the request still counts on the dashboard -------------------------
    assert contact_details_purge(now=timezone.now() + dt.timedelta(days=31)) == 1
    desk.reload()
    assert h1_text(desk) == f"Request {reference}"
    contact = desk.locator("section[aria-labelledby=contact-heading]")
    assert "The contact details were removed on" in contact.inner_text()
    html = desk.content()
    for label in ("name", "phone", "best_time"):
        assert REQUESTER[label] not in html, f"after the purge the page shows the {label}"
    problems += axe(desk, "request detail (closed, contact details purged)")

    desk.goto(site + DASHBOARD)
    assert h1_text(desk) == "Peer support dashboard"
    outside = _table_after(desk, "outside-region")
    assert _row_cells(outside, "Requests from outside the region") == ["1"]
    assert _row_cells(outside, "Approved") == ["1"]
    assert _row_cells(outside, "Declined") == ["0"]
    activity_table = _table_after(desk, "activity")
    people = _column(activity_table, "People reached")
    hours = _column(activity_table, "Hours")
    debriefing = _row_cells(activity_table, ServiceType.DEBRIEFING.label)
    assert debriefing[people] == "6" and float(debriefing[hours]) == 1.5, debriefing
    assert _row_cells(activity_table, "All services")[people] == "6"
    monthly = _table_after(desk, "monthly")
    month = _row_cells(monthly, today.strftime("%B %Y"))
    assert month[_column(monthly, "Debriefings (CISD)")] == "1", month
    assert month[_column(monthly, "One-to-one total")] == "0", month
    problems += axe(desk, "peer support dashboard")

    assert not problems, "\n\n".join(problems)

"""A coordinator on a phone declines a request with a reason, confirms, and reopens it.

At 375 px wide: the Decline button is well apart from Approve (on another row, at least
24 px below it), the decline is asked once more with the chosen reason repeated, the
request then shows as declined with the reason, and "Reopen" puts it back where it was.
Every page on the way has no axe violations (WCAG 2.1 A/AA) and no sideways scrolling.
"""

from django.urls import reverse

from accounts.roles import Role
from peersupport.models import DeclineReason, RequestStatus, SupportRequest
from tests.e2e.helpers import assert_no_axe_violations, h1_text, main_text, sign_in, submit
from tests.peersupport.factories import submitted_request

PHONE_375 = {"width": 375, "height": 740}
MIN_GAP = 24  # px between the primary and the destructive button


def assert_fits(page) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"{page.url} scrolls sideways by {wide}px at 375px"


def test_a_coordinator_on_a_phone_declines_with_a_reason_and_reopens(site, new_page, make_staff):
    coordinator = make_staff(roles=[Role.PEER_SUPPORT_COORDINATOR], first_name="Casey")
    support_request, _ = submitted_request(outside_agency_name="Wichita regional 911")
    reason = DeclineReason.REFERRED

    phone = new_page("coordinator", viewport=PHONE_375, is_mobile=True, has_touch=True)
    sign_in(phone, site, coordinator)
    detail = site + reverse(
        "peersupport:coordinator:request_detail", kwargs={"pk": support_request.pk}
    )
    phone.goto(detail)
    assert h1_text(phone) == f"Request {support_request.reference}"

    approve = phone.get_by_role("button", name="Approve", exact=True).bounding_box()
    decline = phone.get_by_role("button", name="Decline…", exact=True).bounding_box()
    gap = decline["y"] - (approve["y"] + approve["height"])
    assert gap >= MIN_GAP, f"Decline is {gap:.0f}px below Approve: {approve} {decline}"
    assert_no_axe_violations(phone)
    assert_fits(phone)

    phone.get_by_label(reason.label).check()
    submit(phone, "Decline…")
    assert h1_text(phone) == f"Decline request {support_request.reference}?"
    assert reason.label in main_text(phone)
    assert SupportRequest.objects.get().status == RequestStatus.AWAITING_APPROVAL
    assert_no_axe_violations(phone)
    assert_fits(phone)

    submit(phone, "Decline the request")
    assert f"{support_request.reference} is declined." in main_text(phone)
    assert phone.locator("#decline-reason").inner_text() == reason.label
    assert SupportRequest.objects.get().status == RequestStatus.DECLINED
    assert_no_axe_violations(phone)
    assert_fits(phone)

    submit(phone, "Reopen the request")
    assert "is reopened: it is awaiting approval" in main_text(phone)
    assert phone.get_by_role("button", name="Approve", exact=True).is_visible()
    assert SupportRequest.objects.get().status == RequestStatus.AWAITING_APPROVAL
    assert_no_axe_violations(phone)

"""Every staff page each role can reach, in a real Chromium (issue 13, "what must hold").

Each role signs in with two-factor, starts at /staff/ and follows every link that stays on
the portal under the staff prefixes (GET only; downloads and sign-out are not followed).
One page per view: a link to a view already checked for that role (another record, another
page or order of a list) is not followed again. On every page, at 1280 and at 375 px wide:
no axe violation (WCAG 2.1 A/AA), no console error or page error, and at 375 px nothing
scrolls sideways; at 375 px axe runs again in dark mode (prefers-color-scheme). The seed
gives the pages content: an event today with a registration, a request in the queue and one
assigned, an encounter, a finished and a failed report.
"""

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import Resolver404, resolve
from django.utils import timezone

from accounts.apikeys import ApiScope, api_key_issue
from accounts.roles import Role
from peersupport.services import request_assign
from reports.models import ReportKind, ReportRun, RunStatus
from reports.services import previous_month
from tests.coresponder.factories import clinician_for, encounter
from tests.e2e.helpers import DESKTOP, axe, main_text, page_problems, sign_in, submit
from tests.peersupport.factories import member_for, submitted_request
from tests.training.factories import EventFactory, RegistrationFactory

PHONE_375 = {"width": 375, "height": 720}
DOWNLOADS = (".csv", ".xlsx", ".pdf", ".ics", ".svg", ".zip")
NOT_FOLLOWED = {"reports:download", "accounts:logout", "admin:logout", "admin:view_on_site"}
MAX_PAGES = 60  # a safety net: no role has this many distinct staff views

ROLES = {
    "program manager": [Role.PROGRAM_MANAGER],
    "training coordinator": [Role.TRAINING_COORDINATOR],
    "peer coordinator": [Role.PEER_SUPPORT_COORDINATOR],
    "peer team member": [Role.PEER_TEAM_MEMBER],
    "clinician": [],  # clinician_for adds the role with the roster entry
    "agency liaison": [Role.AGENCY_LIAISON],
    "site editor": [Role.SITE_EDITOR],
    "administrator": [Role.ADMINISTRATOR],
}


def person(make_staff, role: str, coordinator):
    """The account of the role, with what it needs to have work: a roster entry and an
    assignment for a team member, a clinician's provider, a liaison's agency."""
    from accounts.models import Organization

    fields = {"first_name": "Robin", "last_name": role.title().replace(" ", "")}
    if role == "agency liaison":
        fields["organization"] = Organization.objects.get(dictionary_code="lees-summit")
    user = make_staff(roles=ROLES[role], **fields)
    if role == "peer team member":
        support_request, _ = submitted_request(urgency="today")
        request_assign(support_request=support_request, members=[member_for(user)], by=coordinator)
    if role == "clinician":
        clinician_for(user, provider="rediscover")
    if role == "program manager":  # a key on the list of API keys
        api_key_issue(
            name="ReDiscover nightly upload",
            organization=Organization.objects.get(dictionary_code="rediscover"),
            scope=ApiScope.ENCOUNTERS,
            expires_at=timezone.now() + dt.timedelta(days=365),
            by=user,
        )
    return user


def seed() -> None:
    """One of each thing the staff pages list (make_staff gives the roles back their
    permissions, which the flush after each browser test took)."""
    now = timezone.localtime()
    event = EventFactory(starts_at=now + dt.timedelta(hours=1))
    RegistrationFactory(event=event)
    submitted_request(urgency="now")
    encounter(date=(timezone.localdate() - dt.timedelta(days=1)).isoformat())
    period = previous_month(timezone.localdate())
    done = ReportRun(kind=ReportKind.TRAINING, period=period, scope="")
    html = "<!doctype html><html><body><h2>Events</h2><p>3 events.</p></body></html>"
    done.html_file.save(f"training-{period:%Y-%m}-v1.html", ContentFile(html), save=False)
    done.status = RunStatus.DONE
    done.finished_at = timezone.now()
    done.save()
    ReportRun.objects.create(
        kind=ReportKind.PEERSUPPORT, period=period, status=RunStatus.FAILED, error="Timed out."
    )


def staff_view(url: str, origin: str) -> str | None:
    """The view name of a link worth following (same origin, under a staff prefix, not a
    download or sign-out), or None."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return None
    path = parts.path
    if not any(path.startswith(prefix) for prefix in settings.STAFF_PATH_PREFIXES):
        return None
    if path.lower().endswith(DOWNLOADS):
        return None
    try:
        name = resolve(path).view_name
    except Resolver404:
        return path  # a broken link: visit it, so that its 404 is reported
    return None if name in NOT_FOLLOWED else name


def links(page) -> list[str]:
    return page.eval_on_selector_all(
        "a[href]:not([download])", "anchors => anchors.map(a => a.href.split('#')[0])"
    )


def check(page, url: str, origin: str, errors: list[str]) -> list[str] | None:
    """Open the page and check it at both widths: the problems found, as sentences, or
    None if the link led off the staff pages (e.g. to a record's public page)."""
    where = url.removeprefix(origin)
    problems = []
    errors.clear()
    response = page.goto(url)
    if response is None or response.status >= 400:
        status = response.status if response else "no response"
        return [f"{where} answered {status}"]
    if staff_view(page.url, origin) is None:
        return None
    # Read the console before axe runs: axe reads the stylesheets itself, and inlining an
    # @import'ed one (the admin's forms.css) is refused by the CSP, in axe's name, not ours.
    problems += [f"{where}: {error}" for error in errors]
    problems += axe(page, f"{where} at 1280px")
    page.set_viewport_size(PHONE_375)
    problems += axe(page, f"{where} at 375px")
    if not page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"):
        width = page.evaluate("document.documentElement.scrollWidth")
        problems.append(f"{where} scrolls sideways at 375px (content {width}px wide)")
    # Staff whose system is set to dark mode. Reduced motion turns Bootstrap's colour
    # transitions off, so axe never measures a colour halfway through the switch.
    page.emulate_media(color_scheme="dark", reduced_motion="reduce")
    problems += axe(page, f"{where} at 375px in dark mode")
    page.emulate_media(color_scheme="light", reduced_motion="no-preference")
    page.set_viewport_size(DESKTOP)
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_every_staff_page_of_the_role_passes_axe_without_errors_or_overflow(
    role, site, page, make_staff, peer_coordinator
):
    seed()
    user = person(make_staff, role, peer_coordinator)
    errors: list[str] = []

    def console(message) -> None:
        if message.type == "error":
            source = message.location.get("url")
            errors.append(f"console error: {message.text}" + (f" ({source})" if source else ""))

    page.on("console", console)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    sign_in(page, site, user)

    seen: set[str] = set()
    queue = [site + "/staff/"]
    problems: list[str] = []
    checked = 0
    while queue and checked < MAX_PAGES:
        url = queue.pop(0)
        view = staff_view(url, site)
        if view is None or view in seen:
            continue
        seen.add(view)
        found = check(page, url, site, errors)
        if found is not None:
            problems += found
            checked += 1
        queue += [link for link in links(page) if staff_view(link, site) not in seen]
    print(f"{role}: {checked} staff pages checked at 1280 and 375px, light and dark")
    assert checked >= 2, f"{role} reached only {checked} staff page(s)"
    assert not problems, "\n\n".join(problems)


def test_the_api_key_pages_behind_a_form_pass_axe_and_show_the_secret_once(
    site, new_page, program_manager
):
    """The pages the crawl cannot reach by links: the new key's secret (after the issue
    form) and the revoke confirmation. The copy button puts the whole secret on the
    clipboard; reloading the page shows it no more."""
    page = new_page("manager", permissions=["clipboard-read", "clipboard-write"])
    sign_in(page, site, program_manager)
    page.goto(site + "/staff/api-keys/new/")
    page.get_by_label("Name").fill("ReDiscover nightly upload")
    page.get_by_label("Encounters of one behavioral-health provider").check()
    page.get_by_label("Whose key it is").select_option(label="ReDiscover")
    submit(page, "Issue the key")

    secret = page.locator("#api-secret").inner_text().strip()
    assert secret.startswith("marc_")
    assert page.get_by_role("button", name="Copy the key").is_visible()
    page.get_by_role("button", name="Copy the key").click()
    page.get_by_role("status").filter(has_text="Key copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == secret
    problems = page_problems(page, "the new key's page")

    page.reload()
    assert secret not in main_text(page)
    assert "cannot be shown again" in main_text(page)

    page.goto(site + "/staff/api-keys/")
    submit(page, "Revoke… ReDiscover nightly upload")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Revoke the key")
    problems += page_problems(page, "the revoke confirmation")
    submit(page, "Revoke the key")
    assert "is revoked" in main_text(page)
    problems += page_problems(page, "the list after revoking")
    assert not problems, "\n\n".join(problems)

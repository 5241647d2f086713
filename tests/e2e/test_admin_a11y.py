"""The whole admin, in a browser: every page an administrator opens there is accessible and
quiet. The crawl starts at the admin index and follows what the admin lists (so a model
registered tomorrow is checked too): each section's list, its add form, and the change form
and history of one row (with django-reversion: the deleted rows to recover and the form of
one saved version), at desktop (1280 px) and phone (375 px) widths. On each page axe
finds no WCAG 2.1 A/AA violation, and the browser's console shows no error (a script or
style the CSP refuses, a missing file) and no uncaught script error; at 1280 px every list
shows all its columns without scrolling sideways.

One browser page does it all: each address is opened once and checked at both widths.
Rows are made first for the models the demo content leaves empty.
"""

import datetime as dt

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice

from accounts.apikeys import ApiScope, api_key_issue
from core.outbox import outbox_enqueue
from coresponder.models import ClosedMonth, ImportJob, MonthlyCallVolume, Release
from peersupport.demo import peersupport_demo_load
from peersupport.models import Activity, Assignment, ServiceType
from tests.coresponder.factories import clinician_for, encounter, org
from tests.e2e.helpers import DESKTOP, axe, sign_in
from tests.peersupport.factories import member_for, move, submitted_request
from tests.training.factories import RegistrationFactory
from training.demo import training_demo_load
from training.models import Certificate, Event, EventDocument

PHONE_WIDE = {"width": 375, "height": 740}
# A changelist's table wider than the space it has (its columns would hide off to the right).
LIST_SCROLLS_JS = """() => {
  const table = document.querySelector('#result_list');
  return table !== null && table.scrollWidth > table.parentElement.clientWidth;
}"""
ADMIN = "/admin/"


# --- One row of each model the demo content leaves empty ----------------------------------


def _outbox_email():
    outbox_enqueue(
        key="admin-crawl:1", template="testapp/plain", to="a@example.org", subject="Hello"
    )


def _axes_rows():
    fields = {"user_agent": "Chromium", "ip_address": "192.0.2.1", "username": "someone"}
    AccessAttempt.objects.create(
        **fields, path_info="/account/login/", failures_since_start=3, get_data="", post_data=""
    )
    AccessLog.objects.create(**fields, path_info="/account/login/")
    AccessFailureLog.objects.create(**fields, path_info="/account/login/", locked_out=False)


def _backup_codes(user):
    StaticDevice.objects.create(user=user, name="backup").token_set.create(token="abcd1234")


def _training_rows():
    training_demo_load()
    event = Event.objects.order_by("starts_at").first()
    registration = RegistrationFactory(event=event)
    Certificate.objects.create(registration=registration, code="CRAWL-1", hours=2)
    EventDocument.objects.create(
        event=event, title="Agenda", file=SimpleUploadedFile("agenda.pdf", b"%PDF-1.4")
    )


def _peersupport_rows(user):
    peersupport_demo_load()
    member = member_for(user)
    support_request, _ = submitted_request()
    move(support_request, "approved", by=user)
    Assignment.objects.create(request=support_request, member=member, assigned_by=user)
    Activity.objects.create(
        request=support_request,
        member=member,
        date=timezone.localdate(),
        service_type=ServiceType.PRE_INCIDENT_EDUCATION,
        people_reached=4,
        hours=1,
    )


def _coresponder_rows(user):
    clinician_for(user)
    encounter()
    month = dt.date(2025, 1, 1)
    ClosedMonth.objects.create(month=month, closed_by=user)
    MonthlyCallVolume.objects.create(
        agency=org("blue-springs"), month=month, mh_calls=12, updated_by=user
    )
    ImportJob.objects.create(
        kind="volume",
        file=SimpleUploadedFile("volume.csv", b"agency,month\n"),
        original_name="volume.csv",
        created_by=user,
    )
    Release.objects.create(
        year=2024, revision=1, published_at=timezone.now(), published_by=user, counts={}, figures={}
    )
    api_key_issue(
        name="ReDiscover records system",
        organization=org("rediscover"),
        scope=ApiScope.ENCOUNTERS,
        expires_at=timezone.now() + dt.timedelta(days=365),
        by=user,
    )


def rows_for_every_model(user) -> None:
    _outbox_email()
    _axes_rows()
    _backup_codes(user)
    _training_rows()
    _peersupport_rows(user)
    _coresponder_rows(user)


# --- The crawl ------------------------------------------------------------------------------


def _hrefs(page, selector: str) -> list[str]:
    return page.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('href'))")


def pages_of_the_admin(page, site: str) -> tuple[list[str], list[str], list[str]]:
    """The lists on the admin index; every address to check; the lists with no row to open."""
    page.goto(site + ADMIN)
    lists = _hrefs(page, "#content-main th[scope=row] a")
    addresses, empty = [ADMIN], []
    for changelist in lists:
        page.goto(site + changelist)
        addresses.append(changelist)
        addresses += _hrefs(page, ".object-tools a.addlink")[:1]
        recover = _hrefs(page, ".object-tools a.recoverlink")[:1]  # django-reversion's
        addresses += recover
        rows = _hrefs(page, "#result_list tbody tr a[href*='/change/']")
        if not rows:
            empty.append(changelist)
            continue
        change = rows[0].split("?")[0]
        history = change.removesuffix("change/") + "history/"
        addresses += [change, history]
        if recover:  # and the form of one of the row's saved versions
            page.goto(site + history)
            addresses += _hrefs(page, "#change-history th[scope=row] a")[:1]
    return lists, addresses, empty


def test_every_admin_page_is_accessible_and_free_of_console_errors(site, make_staff, page):
    boss = make_staff(username="admin", superuser=True)
    rows_for_every_model(boss)
    registered = {model._meta.label for model in admin.site._registry}
    console: list[str] = []
    page.on("console", lambda msg: console.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: console.append(str(exc)))
    sign_in(page, site, boss)

    lists, addresses, empty = pages_of_the_admin(page, site)
    assert len(lists) == len(registered), f"the index lists {lists}, not every model"
    problems = [f"no row to open in {changelist}: make one above" for changelist in empty]
    for address in addresses:
        console.clear()
        page.set_viewport_size(DESKTOP)
        response = page.goto(site + address)
        page.wait_for_load_state("networkidle")
        if response.status != 200:
            problems.append(f"{address} answered {response.status}")
            continue
        # Read the console before axe runs: axe's own look at the stylesheets inserts a
        # <style> element, which the CSP refuses, on every page with an @import.
        problems += [f"{address}: console error: {text}" for text in console]
        problems += axe(page, f"{address} at 1280px")
        if address in lists and page.evaluate(LIST_SCROLLS_JS):
            problems.append(f"{address}: the list scrolls sideways at 1280px")
        page.set_viewport_size(PHONE_WIDE)
        problems += axe(page, f"{address} at 375px")
    print(f"admin: {len(addresses)} pages of {len(lists)} models checked at 1280 and 375px")
    assert not problems, "\n\n".join(problems)

"""The staff landing page: each role's open work first, with the right counts; the other
areas after it; the person's account chores last. And the staff layout around it."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from coresponder.models import ClosedMonth
from peersupport.services import request_assign
from reports.models import ReportKind, ReportRun, RunStatus
from tests.coresponder.factories import clinician_for, encounter
from tests.peersupport.factories import member_for, submitted_request
from tests.training.factories import EventFactory

pytestmark = pytest.mark.django_db

LANDING = "/staff/"
# A Wednesday afternoon in Kansas City, so that "this week" has days on both sides.
NOW = dt.datetime(2026, 11, 18, 14, 0, tzinfo=dt.timezone(dt.timedelta(hours=-6)))


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def landing_text(client) -> str:
    response = client.get(LANDING)
    assert response.status_code == 200
    main = response.content.decode().split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def before(text: str, first: str, second: str) -> bool:
    assert first in text, f"{first!r} is not on the page"
    assert second in text, f"{second!r} is not on the page"
    return text.index(first) < text.index(second)


def test_peer_coordinator_sees_the_queue_and_the_urgent_requests_first(
    peer_coordinator, staff_client
):
    submitted_request(urgency="now")
    submitted_request(urgency="now")
    submitted_request(urgency="week")
    text = landing_text(staff_client(peer_coordinator))
    assert "3 open requests in the queue 2 urgent" in text
    assert before(text, "Your open work", "More of your areas")
    assert before(text, "open requests in the queue", "Change your password")


def test_team_member_sees_their_open_assignments_before_the_account_chores(
    make_staff, peer_coordinator, staff_client
):
    member = member_for(make_staff(roles=[Role.PEER_TEAM_MEMBER]))
    someone_else = member_for(make_staff(roles=[Role.PEER_TEAM_MEMBER]))
    for _ in range(2):
        support_request, _ = submitted_request()
        request_assign(support_request=support_request, members=[member], by=peer_coordinator)
    support_request, _ = submitted_request()
    request_assign(support_request=support_request, members=[someone_else], by=peer_coordinator)
    text = landing_text(staff_client(member.user))
    assert "2 open assignments 2 waiting for your answer" in text
    first_card = text.split("Your open work", 1)[1]
    assert first_card.lstrip().startswith("My peer support assignments")
    assert before(text, "open assignments", "Two-factor sign-in and recovery codes")


def test_training_coordinator_sees_events_today_and_this_week(training_coordinator, staff_client):
    today = timezone.localtime().replace(hour=9, minute=0)
    EventFactory(starts_at=today)
    EventFactory(starts_at=today + dt.timedelta(days=2))  # Friday
    EventFactory(starts_at=today + dt.timedelta(days=5))  # next Monday
    EventFactory(starts_at=today - dt.timedelta(days=1))  # yesterday: over
    EventFactory(starts_at=today, status="cancelled")
    text = landing_text(staff_client(training_coordinator))
    assert "1 event today" in text
    assert "2 events this week, today included" in text


def test_program_manager_sees_data_to_check_months_not_closed_and_failed_reports(
    program_manager, staff_client
):
    encounter(date="2026-09-10")
    encounter(date="2026-10-05")  # no call volume for October: data to check
    encounter(date="2026-08-20")
    ClosedMonth.objects.create(month=dt.date(2026, 8, 1), closed_by=program_manager)
    ReportRun.objects.create(
        kind=ReportKind.TRAINING, period=dt.date(2026, 9, 1), status=RunStatus.FAILED
    )
    ReportRun.objects.create(
        kind=ReportKind.TRAINING, period=dt.date(2026, 8, 1), status=RunStatus.FAILED
    )
    ReportRun.objects.create(  # rebuilt since: not failed any more
        kind=ReportKind.TRAINING, period=dt.date(2026, 8, 1), version=2, status=RunStatus.DONE
    )
    text = landing_text(staff_client(program_manager))
    assert "1 data warning to check, October and November 2026" in text
    assert "2 ended months not closed yet" in text
    assert "1 failed report" in text


def test_clinician_sees_the_data_to_check_of_their_own_provider(make_staff, staff_client):
    user = make_staff()
    clinician_for(user, provider="rediscover")
    encounter(date="2026-10-05", provider="rediscover")
    text = landing_text(staff_client(user))
    assert "1 data warning to check, October and November 2026" in text
    assert "ended months not closed" not in text
    assert before(text, "data warning to check", "Change your password")


def test_a_person_without_roles_sees_only_their_account(outsider, staff_client):
    text = landing_text(staff_client(outsider))
    assert "Your account has no roles yet" in text
    assert "Your open work" not in text
    assert "Change your password" in text


def test_staff_pages_wear_the_staff_layout_and_public_pages_do_not(peer_coordinator, staff_client):
    client = staff_client(peer_coordinator)
    staff = client.get(LANDING).content.decode()
    assert 'class="staff-header"' in staff
    assert "Casey Coord" in staff
    assert "Peer support coordinator" in staff
    assert 'aria-label="Staff areas"' in staff
    assert 'href="/staff/peer-support/"' in staff
    assert "staff.css" in staff
    assert 'class="site-footer"' not in staff
    assert 'href="#main"' in staff
    public = client.get(reverse("home")).content.decode()
    assert 'class="site-header"' in public
    assert 'class="staff-header"' not in public

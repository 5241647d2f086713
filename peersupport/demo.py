"""Demo peer team for development: the demo account "peer" joins the roster, and a few
more members round out the suggestions. Agencies come from the shared directory."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts.roles import Role
from accounts.services import organization_ensure
from peersupport.models import SupportRequest, TeamMember
from peersupport.services import RequestData, request_submit

AGENCIES = [
    ("Blue Springs Police Department", "police", "Jackson", "MO"),
    ("Johnson County Emergency Communications", "psap", "Johnson", "KS"),
    ("Kansas City Fire Department", "fire", "Jackson", "MO"),
    ("Lee's Summit Police Department", "police", "Jackson", "MO"),
    ("Independence Police Department", "police", "Jackson", "MO"),
    ("Kansas City, Missouri Police Department Communications", "psap", "Jackson", "MO"),
]

# (username, first, last, member type, discipline, agency index, hours, on call)
MEMBERS = [
    ("peer", "Pat", "Peer", "peer", "dispatch", 1, 48, True),
    ("peer.rivera", "Alex", "Rivera", "peer", "dispatch", 0, 64, False),
    ("peer.chen", "Morgan", "Chen", "peer", "ems", 2, 40, True),
    ("cmd.okafor", "Jordan", "Okafor", "command", "fire", 2, 80, True),
    ("peer.new", "Casey", "Nguyen", "peer", "law", 3, 12, False),
]


@transaction.atomic
def peersupport_demo_load() -> dict[str, int]:
    agencies = []
    for name, kind, county, state in AGENCIES:
        agencies.append(organization_ensure(name=name, kind=kind, county=county, state=state))
    group = Group.objects.get(name=Role.PEER_TEAM_MEMBER)
    users = get_user_model().objects
    created = 0
    for username, first, last, kind, discipline, agency, hours, on_call in MEMBERS:
        user, _ = users.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"},
        )
        user.groups.add(group)
        _, made = TeamMember.objects.get_or_create(
            user=user,
            defaults={
                "member_type": kind,
                "discipline": discipline,
                "home_agency": agencies[agency],
                "county": agencies[agency].county,
                "training_hours": hours,
                "on_call": on_call,
            },
        )
        created += made
    if not SupportRequest.objects.exists():
        request_submit(
            data=RequestData(
                request_type="group",
                incident_kind="child",
                incident_date=timezone.localdate() - dt.timedelta(days=1),
                requester_role="Shift supervisor",
                agency=agencies[5],
                outside_agency_name="",
                people_affected=7,
                urgency="today",
                contact_name="Demo Supervisor",
                contact_method="phone",
                contact_phone="816-555-0142",
                contact_email="",
                best_time="Weekdays after 3 pm",
            )
        )
    return {"members_created": created}

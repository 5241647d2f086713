import datetime as dt

import factory
from django.utils import timezone

from accounts.models import Organization
from peersupport.models import DeclineReason, RequestStatus, SupportRequest, TeamMember
from peersupport.services import (
    COORDINATOR,
    RequestData,
    request_decline,
    request_submit,
    request_transition,
)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("name", "kind")

    name = factory.Sequence(lambda n: f"County 911 center {n}")
    kind = "psap"
    county = "Jackson"
    state = "MO"
    in_region = True


def request_data(**overrides) -> RequestData:
    values = {
        "request_type": "group",
        "incident_kind": "child",
        "incident_date": timezone.localdate() - dt.timedelta(days=1),
        "requester_role": "Shift supervisor",
        "agency": None,
        "outside_agency_name": "",
        "people_affected": 6,
        "urgency": "today",
        "contact_name": "Sam Supervisor",
        "contact_method": "phone",
        "contact_phone": "816-555-0100",
        "contact_email": "",
        "best_time": "After 3 pm",
    }
    values.update(overrides)
    if values["agency"] is None and not values["outside_agency_name"]:
        values["agency"] = OrganizationFactory()
    return RequestData(**values)


def submitted_request(**overrides) -> tuple[SupportRequest, str]:
    return request_submit(data=request_data(**overrides))


def move(support_request, *statuses, by) -> SupportRequest:
    """A coordinator's moves through the services, one status after another; a decline
    gives a reason, as it must."""
    for status in statuses:
        if status == RequestStatus.DECLINED:
            support_request = request_decline(
                support_request=support_request, reason=DeclineReason.DUPLICATE, by=by
            )
        else:
            support_request = request_transition(
                support_request=support_request, to_status=status, by=by, actor_role=COORDINATOR
            )
    return support_request


def member_for(user, **fields) -> TeamMember:
    values = {
        "member_type": "peer",
        "discipline": "dispatch",
        "training_hours": 48,
        "active": True,
        "on_call": False,
    }
    values.update(fields)
    return TeamMember.objects.create(user=user, **values)


__all__ = ["RequestStatus"]

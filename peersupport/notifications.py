"""Notification emails. They carry no details of a request: only that there is something
to look at, and a link to the secure (two-factor) page. A request the requester marked
as most urgent says "Urgent" in the subject, so that it stands out in an inbox; that is
all it says.

Each is an outbox email (core.outbox) written in the transaction that submits the request
or makes the assignment, so it goes out, once, even if the broker is down at that moment:
    peersupport-request:<request>:coordinator:<user>   one per active coordinator
    peersupport-assignment:<assignment>                the assigned member
"""

from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.roles import Role
from core.outbox import outbox_enqueue
from core.urls import absolute_url
from peersupport.models import Assignment, SupportRequest, Urgency

NEW_REQUEST_SUBJECT = "A new peer support request is waiting"
URGENT_REQUEST_SUBJECT = "Urgent: a new peer support request is waiting"


def coordinators_notify(*, support_request: SupportRequest) -> int:
    """Tell every active peer support coordinator; the number of emails added."""
    coordinators = (
        get_user_model()
        .objects.filter(groups__name=Role.PEER_SUPPORT_COORDINATOR, is_active=True)
        .exclude(email="")
        .distinct()
        .order_by("pk")
        .values_list("pk", "email")
    )
    context = {"queue_url": absolute_url(reverse("peersupport:coordinator:queue"))}
    urgent = support_request.urgency == Urgency.NOW
    subject = URGENT_REQUEST_SUBJECT if urgent else NEW_REQUEST_SUBJECT
    return sum(
        outbox_enqueue(
            key=f"peersupport-request:{support_request.pk}:coordinator:{user_id}",
            template="peersupport/new_request",
            to=email,
            subject=subject,
            context=context,
        )
        for user_id, email in coordinators
    )


def assignee_notify(*, assignment: Assignment) -> bool:
    """Tell the assigned member; True if the email was added."""
    email = assignment.member.user.email
    if not email:
        return False
    return outbox_enqueue(
        key=f"peersupport-assignment:{assignment.pk}",
        template="peersupport/assignment",
        to=email,
        subject="You have a new peer support assignment",
        context={"assignments_url": absolute_url(reverse("peersupport:member:assignments"))},
    )


def coordinators_notify_by_id(*, request_id: int) -> int:
    """For a task that has only the id (tasks queued before the outbox)."""
    support_request = SupportRequest.objects.filter(pk=request_id).first()
    return coordinators_notify(support_request=support_request) if support_request else 0


def assignee_notify_by_id(*, assignment_id: int) -> bool:
    assignment = Assignment.objects.select_related("member__user").filter(pk=assignment_id).first()
    return assignee_notify(assignment=assignment) if assignment else False

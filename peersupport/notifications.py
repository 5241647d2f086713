"""Notification emails. They carry no details of a request: only that there is something
to look at, and a link to the secure (two-factor) page. Each is sent once: the row's
*_notified_at is set in the same transaction as the send, under a row lock."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from peersupport.models import Assignment, SupportRequest


def coordinators_notify(*, request_id: int) -> int:
    from django.contrib.auth import get_user_model

    with transaction.atomic():
        support_request = SupportRequest.objects.select_for_update().get(pk=request_id)
        if support_request.coordinators_notified_at:
            return 0
        recipients = list(
            get_user_model()
            .objects.filter(groups__name=Role.PEER_SUPPORT_COORDINATOR, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
            .distinct()
        )
        if recipients:
            link = settings.SITE_URL + reverse("peersupport:queue")
            send_mail(
                subject="A new peer support request is waiting",
                message=(
                    "A new peer support request has arrived. Its details are on the secure "
                    f"page, after two-factor sign-in:\n\n{link}\n\nMARC Safety Portal"
                ),
                from_email=None,
                recipient_list=recipients,
            )
        support_request.coordinators_notified_at = timezone.now()
        support_request.save(update_fields=["coordinators_notified_at"])
    return len(recipients)


def assignee_notify(*, assignment_id: int) -> bool:
    with transaction.atomic():
        assignment = (
            Assignment.objects.select_for_update()
            .select_related("member__user")
            .get(pk=assignment_id)
        )
        if assignment.notified_at or not assignment.member.user.email:
            return False
        link = settings.SITE_URL + reverse("peersupport:my_assignments")
        send_mail(
            subject="You have a new peer support assignment",
            message=(
                "The peer support coordinator has assigned you a request. Please open the "
                f"secure page, after two-factor sign-in, to accept it:\n\n{link}\n\n"
                "MARC Safety Portal"
            ),
            from_email=None,
            recipient_list=[assignment.member.user.email],
        )
        assignment.notified_at = timezone.now()
        assignment.save(update_fields=["notified_at"])
    return True

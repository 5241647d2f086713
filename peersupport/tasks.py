"""Peer-support tasks. Emails carry no details of a request, only a link to the secure page;
each is sent once (training.emails.email_once-style keys in peersupport.notifications)."""

from celery import shared_task


@shared_task(
    name="peersupport.notify_coordinators",
    autoretry_for=(OSError,),
    retry_backoff=30,
    max_retries=5,
)
def notify_coordinators(request_id: int) -> int:
    from peersupport import notifications

    return notifications.coordinators_notify(request_id=request_id)


@shared_task(
    name="peersupport.notify_assignee", autoretry_for=(OSError,), retry_backoff=30, max_retries=5
)
def notify_assignee(assignment_id: int) -> bool:
    from peersupport import notifications

    return notifications.assignee_notify(assignment_id=assignment_id)


@shared_task(name="peersupport.purge_contact_details")
def purge_contact_details() -> int:
    from peersupport import services

    return services.contact_details_purge()

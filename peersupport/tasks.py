"""Peer-support tasks: thin. The notification emails go through the outbox (core.outbox),
added by the services in their transaction; the two notify tasks serve messages queued
before the outbox existed."""

from celery import shared_task

from peersupport import notifications, services


@shared_task(name="peersupport.notify_coordinators")
def notify_coordinators(request_id: int) -> int:
    return notifications.coordinators_notify_by_id(request_id=request_id)


@shared_task(name="peersupport.notify_assignee")
def notify_assignee(assignment_id: int) -> bool:
    return notifications.assignee_notify_by_id(assignment_id=assignment_id)


@shared_task(name="peersupport.purge_contact_details")
def purge_contact_details() -> int:
    return services.contact_details_purge()

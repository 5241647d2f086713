from celery import shared_task

from accounts import services


@shared_task(name="accounts.audit_purge_expired")
def audit_purge_expired() -> int:
    return services.audit_purge_expired()

"""Writes for accounts: deactivation and the audit log's retention purge."""

import datetime as dt

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditAction, AuditEvent, User


@transaction.atomic
def user_deactivate(*, user: User, by: User | None = None) -> int:
    """Deactivate an account and end all its sessions at once; returns sessions ended."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    audit_record(
        actor=by,
        action=AuditAction.ACCOUNT_DEACTIVATED,
        obj=user,
        detail={"sessions_ended": ended},
    )
    return ended


def audit_purge_expired(*, now: dt.datetime | None = None) -> int:
    """Delete audit entries older than AUDIT_RETENTION_DAYS; the trigger allows nothing else."""
    days = settings.AUDIT_RETENTION_DAYS
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('marc.audit_purge', 'on', true)")
        cursor.execute("SELECT set_config('marc.audit_retention_days', %s, true)", [str(days)])
        deleted, _ = AuditEvent.objects.filter(at__lt=cutoff).delete()
    return deleted

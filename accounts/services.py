"""Writes for accounts: deactivation, sign-in slowdown notices, the audit log's purge."""

import datetime as dt
import logging

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.audit import audit_record
from accounts.models import AuditAction, AuditEvent, AuditOutcome, User
from accounts.roles import Role

log = logging.getLogger(__name__)


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


def sign_in_slowdown_notify(
    *, request: HttpRequest, username: str, failures: int, addresses: int
) -> int:
    """Tell administrators that sign-in to an account is being slowed down; returns emails sent.

    Called once per account per lockout window (accounts.lockout). Only for an existing
    account: failures on names that are nobody's are slowed down but not reported. The
    audit log gets one entry; the email (to superusers and Administrators) names the
    account and the counts, never a typed password.
    """
    account = User.objects.filter(username=username).first()
    if account is None:
        return 0
    audit_record(
        request=request,
        actor=None,
        action=AuditAction.SIGN_IN_SLOWED,
        outcome=AuditOutcome.DENIED,
        obj=account,
        detail={"username": username[:150], "failures": failures, "addresses": addresses},
    )
    recipients = list(
        User.objects.filter(Q(is_superuser=True) | Q(groups__name=Role.ADMINISTRATOR))
        .filter(is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    if not recipients:
        return 0
    context = {
        "username": username,
        "failures": failures,
        "addresses": addresses,
        "max_seconds": settings.SIGN_IN_SLOWDOWN_MAX_SECONDS,
        "attempts_url": settings.SITE_URL
        + reverse("admin:axes_accessattempt_changelist")
        + "?"
        + urlencode({"q": username}),
    }
    try:
        send_mail(
            subject=" ".join(
                render_to_string("emails/accounts/sign_in_slowed_subject.txt", context).split()
            ),
            message=render_to_string("emails/accounts/sign_in_slowed.txt", context),
            from_email=None,
            recipient_list=recipients,
        )
    except Exception:
        # A mail server that is down must not turn a sign-in page into an error.
        log.exception("sign-in slowdown: the notice to administrators could not be sent")
        return 0
    return len(recipients)

"""Writes for accounts: deactivation, sign-in slowdown notices, the audit log's purge, and
the organizations that demo content adds to the directory."""

import datetime as dt
import logging
import uuid

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.db.models import DateTimeField, ExpressionWrapper, Q, Value
from django.db.models.functions import Now
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.audit import audit_record
from accounts.models import AuditAction, AuditEvent, AuditOutcome, Organization, User
from accounts.roles import Role
from core.outbox import outbox_enqueue
from core.urls import absolute_url

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


def organization_ensure(*, name: str, kind: str, county: str, state: str) -> Organization:
    """The directory's organization of this name and kind, added if missing."""
    organization, _ = Organization.objects.get_or_create(
        name=name, kind=kind, defaults={"county": county, "state": state}
    )
    return organization


def audit_purge_expired(*, now: dt.datetime | None = None) -> int:
    """Delete audit entries older than AUDIT_RETENTION_DAYS; the trigger allows nothing else.

    The cutoff is taken from the database's clock (the one the trigger checks against), so
    an application server whose clock runs ahead cannot make the purge ask for too much."""
    days = settings.AUDIT_RETENTION_DAYS
    cutoff = (
        now - dt.timedelta(days=days)
        if now is not None
        else ExpressionWrapper(Now() - Value(dt.timedelta(days=days)), output_field=DateTimeField())
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('marc.audit_purge', 'on', true)")
        cursor.execute("SELECT set_config('marc.audit_retention_days', %s, true)", [str(days)])
        deleted, _ = AuditEvent.objects.filter(at__lt=cutoff).delete()
    return deleted


def password_reset_email_queue(*, user: User, email: str, subject: str, link: dict) -> bool:
    """Put a password reset email in the outbox (templates/emails/password_reset.*).

    link: the parts of the reset link (protocol, domain, uid, token). Each request is an
    email of its own, as Django sends it. The link is stored whole, so that the admin and
    the logs mask it like every private link (core.logs), and the outbox empties the row's
    context once the email is sent."""
    path = reverse(
        "accounts:password_reset_confirm", kwargs={"uidb64": link["uid"], "token": link["token"]}
    )
    return outbox_enqueue(
        key=f"password-reset:{user.pk}:{uuid.uuid4().hex}",
        template="password_reset",
        to=email,
        subject=subject,
        context={
            "name": user.get_full_name() or user.get_username(),
            "reset_url": f"{link['protocol']}://{link['domain']}{path}",
        },
    )


def sign_in_slowdown_notify(
    *, username: str, failures: int, addresses: int, ip: str = "", path: str = ""
) -> int:
    """Tell administrators that sign-in to an account is being slowed down; returns the
    emails added to the outbox (one per administrator, sent by a worker).

    Called once per account per lockout window (accounts.lockout), with the address and
    path of the sign-in attempt that crossed the line. Only for an existing
    account: failures on names that are nobody's are slowed down but not reported. The
    audit log gets one entry; the email (to superusers and Administrators) names the
    account and the counts, never a typed password.
    """
    account = User.objects.filter(username=username).first()
    if account is None:
        return 0
    recipients = list(
        User.objects.filter(Q(is_superuser=True) | Q(groups__name=Role.ADMINISTRATOR))
        .filter(is_active=True)
        .exclude(email="")
        .values_list("pk", "email")
        .distinct()
        .order_by("pk")
    )
    context = {
        "username": username,
        "failures": failures,
        "addresses": addresses,
        "max_seconds": settings.SIGN_IN_SLOWDOWN_MAX_SECONDS,
        "attempts_url": absolute_url(
            reverse("admin:axes_accessattempt_changelist") + "?" + urlencode({"q": username})
        ),
    }
    subject = render_to_string("emails/accounts/sign_in_slowed_subject.txt", context)
    notice = f"{timezone.now():%Y%m%dT%H%M%S}"
    with transaction.atomic():
        audit_record(
            ip=ip,
            path=path,
            action=AuditAction.SIGN_IN_SLOWED,
            outcome=AuditOutcome.DENIED,
            obj=account,
            detail={"username": username[:150], "failures": failures, "addresses": addresses},
        )
        return sum(
            outbox_enqueue(
                key=f"sign-in-slowed:{account.pk}:{notice}:{user_id}",
                template="accounts/sign_in_slowed",
                to=email,
                subject=subject,
                context=context,
            )
            for user_id, email in recipients
        )

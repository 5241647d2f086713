"""Sign-in events into the audit log (signals are the only place these events surface),
and axes' attempts kept without the typed form data."""

from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import pre_save
from two_factor.signals import user_verified

from accounts.audit import audit_record
from accounts.lockout import RETRY_AFTER, forget_form_data
from accounts.models import AuditAction, AuditOutcome


def _signed_in(sender, request, user, **kwargs):
    audit_record(request=request, actor=user, action=AuditAction.SIGN_IN)


def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(request=request, actor=user, action=AuditAction.SIGN_OUT)


def _sign_in_failed(sender, credentials, request=None, **kwargs):
    detail = {"username": str(credentials.get("username", ""))[:150]}
    if getattr(request, RETRY_AFTER, 0):
        detail["refused"] = "slowed down: the password was not checked"
    audit_record(
        request=request,
        action=AuditAction.SIGN_IN_FAILED,
        outcome=AuditOutcome.FAILURE,
        detail=detail,
    )


def _locked_out(sender, request, username, ip_address, **kwargs):
    audit_record(
        request=request,
        action=AuditAction.LOCKED_OUT,
        outcome=AuditOutcome.DENIED,
        detail={"username": str(username or "")[:150]},
    )


def _verified(sender, request, user, device, **kwargs):
    audit_record(
        request=request,
        actor=user,
        action=AuditAction.TWO_FACTOR_VERIFIED,
        detail={"device": device.__class__.__name__},
    )


def connect() -> None:
    user_logged_in.connect(_signed_in, dispatch_uid="audit-sign-in")
    user_logged_out.connect(_signed_out, dispatch_uid="audit-sign-out")
    user_login_failed.connect(_sign_in_failed, dispatch_uid="audit-sign-in-failed")
    user_locked_out.connect(_locked_out, dispatch_uid="audit-locked-out")
    user_verified.connect(_verified, dispatch_uid="audit-two-factor")
    pre_save.connect(forget_form_data, sender=AccessAttempt, dispatch_uid="axes-no-form-data")

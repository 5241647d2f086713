"""One audit-log line for every call to the partner API, written in one place.

The API's middleware (coresponder.api.middleware) writes the line when the answer leaves,
whatever produced it: an endpoint, a refusal of the key (401, 403, 429, 415), a problem of
the request (400, 413, 422), an unknown address (404) or an error of ours (500). Endpoints
and the key check only fill in the request's ApiCall (the key, what was touched, counts);
so a call is recorded exactly once, and a call the endpoints never saw is recorded too.

The line names the key (never its secret), the method, the status, the object's type and
id and the counts of a write; never the values sent, which may be health data.
"""

from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse

from accounts.apikeys import ApiKey, api_call_audit, api_key_authenticate
from accounts.audit import AuditAction, AuditOutcome
from accounts.network import client_ip

_ATTRIBUTE = "_partner_api_call"
# A refusal of the key itself: recorded as a denied permission.
DENIED_STATUSES = (401, 403, 429)


@dataclass
class ApiCall:
    """What the audit line of one API call says, filled in while the call is answered."""

    key: ApiKey | None = None
    key_checked: bool = False  # the key check ran (key None then means refused)
    action: str = ""  # AuditAction; by default from the method and the status
    object_type: str = ""
    object_id: str = ""
    detail: dict = field(default_factory=dict)
    denied: bool = False  # a record of someone else's was asked for


def call_of(request: HttpRequest) -> ApiCall:
    call = getattr(request, _ATTRIBUTE, None)
    if call is None:
        call = ApiCall()
        setattr(request, _ATTRIBUTE, call)
    return call


def _bearer(request: HttpRequest) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _action(request: HttpRequest, call: ApiCall, status: int) -> str:
    if call.action:
        return call.action
    if status in DENIED_STATUSES or call.denied:
        return AuditAction.PERMISSION_DENIED
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return AuditAction.VIEW
    return AuditAction.UPDATE


def _outcome(call: ApiCall, status: int) -> str:
    if status < 400:
        return AuditOutcome.SUCCESS
    if status in DENIED_STATUSES or call.denied:
        return AuditOutcome.DENIED
    return AuditOutcome.FAILURE


def call_record(request: HttpRequest, response: HttpResponse) -> None:
    """Write the call's one audit line. A call refused before its key was checked (too
    large, unknown address) is still put to the key that sent it, when the key is valid."""
    call = call_of(request)
    if not call.key_checked:
        token = _bearer(request)
        call.key = api_key_authenticate(token) if token else None
    status = response.status_code
    api_call_audit(
        call.key,
        action=_action(request, call, status),
        outcome=_outcome(call, status),
        ip=client_ip(request),
        path=request.path,
        object_type=call.object_type,
        object_id=call.object_id[:64],
        detail={"method": request.method, "status": status, **call.detail},
    )

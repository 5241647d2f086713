"""Who may call the partner API, how often, and with what: the checks run before any
endpoint reads the request, in this order.

1. The key: `Authorization: Bearer <key>` (accounts.apikeys.api_key_authenticate). No key,
   an unknown, revoked or expired one → 401 with `WWW-Authenticate: Bearer`. A staff
   session cookie counts for nothing here, so the API needs no CSRF protection.
2. The rate: at most settings.API_RATE_LIMIT calls per key ("120/minute"), counted in the
   shared cache (Redis), so every web process counts together → 429 with Retry-After.
3. The scope: an encounters key reaches only encounters, a call-volume key only call
   volume → 403.
4. The body: a PUT or POST must say `Content-Type: application/json` → 415.

Each refusal is a problem document (coresponder.api.problems), and the key check fills in
the call's audit line (coresponder.api.calls).
"""

import logging
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.security import HttpBearer

from accounts.apikeys import ApiKey, ApiScope, api_key_authenticate
from coresponder.api.calls import call_of

log = logging.getLogger(__name__)

REALM = 'Bearer realm="MARC Safety Portal partner API"'
_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_SCOPE_NAMES = {ApiScope.ENCOUNTERS: "encounters", ApiScope.CALL_VOLUME: "call volume"}


class ApiRefusal(Exception):
    """A refusal answered as a problem document (coresponder.api.api's handler)."""

    def __init__(
        self,
        status: int,
        detail: str = "",
        *,
        errors: list[dict] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(detail or str(status))
        self.status = status
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


def rate_limit() -> tuple[int, int]:
    """settings.API_RATE_LIMIT as (calls, seconds): "120/minute" → (120, 60)."""
    count, _, period = settings.API_RATE_LIMIT.partition("/")
    return int(count), _PERIODS[period.strip().rstrip("s")]


def rate_wait(key: ApiKey) -> int:
    """0 when the key may make this call (and it is counted), else the seconds to wait.

    A fixed window per key: the count lives in the shared cache for one period. If the
    cache cannot be reached the call goes through (logged): the limit protects the portal
    from a runaway client, it guards no data."""
    calls, seconds = rate_limit()
    now = time.time()
    window = int(now // seconds)
    counter = f"api:rate:{key.pk}:{window}"
    try:
        cache.add(counter, 0, timeout=seconds + 1)
        try:
            used = cache.incr(counter)
        except ValueError:  # expired between add and incr
            cache.set(counter, 1, timeout=seconds + 1)
            used = 1
    except Exception:  # noqa: BLE001 - any cache failure: let the call through
        log.warning("API rate limit not checked: the cache is unavailable")
        return 0
    if used <= calls:
        return 0
    return max(1, math.ceil((window + 1) * seconds - now))


def _writes(request: HttpRequest) -> bool:
    return request.method in ("PUT", "POST", "PATCH")


class KeyBearer(HttpBearer):
    """An API key of one scope, sent as a bearer token (see the module docstring)."""

    def __init__(self, scope: str):
        super().__init__()
        self.scope = scope

    def __call__(self, request: HttpRequest):
        # Unlike ninja's HttpBearer, never log the header: it holds a secret.
        scheme, _, token = request.headers.get(self.header, "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            call_of(request).key_checked = True
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        call = call_of(request)
        key = api_key_authenticate(token)
        call.key, call.key_checked = key, True
        if key is None:
            return None
        wait = rate_wait(key)
        if wait:
            raise ApiRefusal(
                429,
                f"This key may make {settings.API_RATE_LIMIT.replace('/', ' calls a ')}. "
                f"Wait {wait} seconds, then try again.",
                headers={"Retry-After": str(wait)},
            )
        if key.scope != self.scope:
            raise ApiRefusal(
                403,
                f"This key is for {_SCOPE_NAMES.get(key.scope, key.scope)}: it cannot reach "
                f"{_SCOPE_NAMES[self.scope]}. Ask the program manager for a key of that kind.",
            )
        if _writes(request) and request.content_type != "application/json":
            raise ApiRefusal(
                415,
                "Send the body as JSON, with the header “Content-Type: application/json” "
                f"(this request said “{(request.content_type or 'nothing')[:100]}”).",
            )
        if _writes(request):
            _body_read(request)
        return key


def _body_read(request: HttpRequest) -> None:
    """Read the JSON body now, past DATA_UPLOAD_MAX_MEMORY_SIZE (1 MiB, the limit of form
    fields, which a batch of 5,000 encounters exceeds and which request.body enforces).
    The API's own limit, API_MAX_BODY_BYTES, was enforced on the declared length before
    anything was read (accounts.bodylimits), and the stream never yields more than that."""
    if not hasattr(request, "_body"):
        request._body = request.read()  # what request.body keeps, read without its check

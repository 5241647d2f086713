"""RFC 9457 problem details: the one shape of every error the partner API answers.

    {"type": ".../api/v1/docs/#problem-not-found", "title": "Not found", "status": 404,
     "detail": "There is no encounter ...", "instance": "/api/v1/encounters/...",
     "errors": [{"item": 3, "field": "minutes", "reason": "..."}]}

`errors` comes only with validation problems (400 and 422): every error of the request,
with the index of its item (from 0; null for the request as a whole) and its field (a
column of the data dictionary, "" for the whole item).

Every answer under /api/ that is an error is one of these, whoever produced it: the API's
own handlers build them here, and coresponder.api.middleware turns any other error answer
(the body limit's 413, the input boundary's 400, Django's 404 or 500) into one.
"""

import json
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse

from accounts.network import loggable_path

MEDIA_TYPE = "application/problem+json"
# Where each problem's `type` points: its entry in the API's documentation (docs/api.md
# lists the same anchors).
TYPE_BASE = "/api/v1/docs/#problem-"

# The slug and plain title of each status the API answers; an unexpected status gets
# its HTTP reason phrase.
_KINDS = {
    400: ("bad-request", "The request could not be read"),
    401: ("unauthorized", "A valid API key is needed"),
    403: ("forbidden", "This key may not do that"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "That method is not allowed here"),
    413: ("too-large", "The request is too large"),
    415: ("unsupported-media-type", "The request must be JSON"),
    422: ("invalid", "The data was not accepted"),
    429: ("too-many-requests", "Too many requests"),
    500: ("server-error", "Something went wrong on our side"),
    503: ("unavailable", "The service is unavailable for a moment"),
}

# Plain explanations for answers that carry no detail of their own.
DEFAULT_DETAILS = {
    400: "The request could not be read. Check that its body is valid JSON.",
    401: "Send your API key as “Authorization: Bearer <key>”. The key may be unknown, "
    "revoked or expired: ask the program manager for a new one.",
    403: "This key may not use this part of the API.",
    404: "There is nothing at this address. The API's documentation is at /api/v1/docs/.",
    405: "This address does not take that method. The Allow header lists those it takes.",
    413: "The request is larger than the API accepts. Send the records in smaller batches.",
    415: "Send the body as JSON, with the header “Content-Type: application/json”.",
    422: "The data was not accepted. The errors list says what to correct.",
    429: "This key sent too many requests. Wait the seconds given in Retry-After, then try again.",
    500: "Something went wrong on our side. Nothing was written; please try again later.",
    503: "The service is unavailable for a moment. Please try again shortly.",
}

# Headers of the original answer that a problem document keeps.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def problem_type(status: int) -> str:
    return TYPE_BASE + _KINDS.get(status, (str(status), ""))[0]


def problem_title(status: int) -> str:
    if status in _KINDS:
        return _KINDS[status][1]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem_body(
    *, status: int, detail: str = "", instance: str = "", errors: list[dict] | None = None
) -> dict:
    body = {
        "type": problem_type(status),
        "title": problem_title(status),
        "status": status,
        "detail": detail or DEFAULT_DETAILS.get(status, problem_title(status)),
        "instance": instance,
    }
    if errors is not None:
        body["errors"] = errors
    return body


def problem_response(
    request: HttpRequest | None,
    status: int,
    detail: str = "",
    *,
    errors: list[dict] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """A problem document answer. `instance` is the request's path (tokens masked)."""
    instance = loggable_path(request.path) if request is not None else ""
    body = problem_body(status=status, detail=detail, instance=instance, errors=errors)
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=MEDIA_TYPE
    )
    for name, value in (headers or {}).items():
        response[name] = value
    response["Cache-Control"] = "no-store"
    return response


def is_problem(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip() == MEDIA_TYPE


def as_problem(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Another layer's error answer as a problem document of the same status, keeping the
    headers a client acts on (Allow, Retry-After, WWW-Authenticate)."""
    kept = {name: response[name] for name in KEPT_HEADERS if name in response}
    return problem_response(request, response.status_code, headers=kept)


def error(item: int | None, field: str, reason: str) -> dict:
    """One validation error: the item (from 0, None for the whole request), the field (a
    dictionary column, "" for the whole item) and the reason in plain words."""
    return {"item": item, "field": field, "reason": reason}

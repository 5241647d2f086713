"""The partner API, /api/v1/: providers send encounters and police agencies send monthly
call volume, each with a key of their own (accounts.apikeys), instead of uploading CSV files.

Endpoints translate JSON into the data dictionary's text rows and call the same writes as
the CSV import (coresponder.services.encounters_ingest, volume_ingest): the same checks,
all or nothing, every error listed; sending the same data twice changes nothing. They read
back through coresponder.selectors. Another provider's record (or agency's month) is
answered exactly as a missing one: 404.

Every error is a problem document (coresponder.api.problems); the key, rate, scope and
media-type checks are in coresponder.api.auth; the audit line of each call is written by
coresponder.api.middleware. The OpenAPI document is at /api/v1/openapi.json and its
Swagger UI, served from the package's static files, at /api/v1/docs/.
"""

import logging
from typing import Annotated, Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Body, NinjaAPI, Path, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import WithJsonSchema

from accounts.apikeys import ApiKey, ApiScope
from accounts.audit import AuditAction
from core import dates
from coresponder import dictionary as dd
from coresponder import selectors, services
from coresponder.api import problems
from coresponder.api.auth import REALM, ApiRefusal, KeyBearer
from coresponder.api.calls import call_of
from coresponder.api.schemas import (
    EncounterBatch,
    EncounterFields,
    EncounterOut,
    Problem,
    VolumeFields,
    VolumeOut,
    WriteResult,
    item_row,
    typed_item,
)
from coresponder.api.validation import validation_errors
from coresponder.csvio.parse import OTHER_PROVIDERS_RECORD

log = logging.getLogger(__name__)

ENCOUNTER = "coresponder.encounter"
VOLUME = "coresponder.monthlycallvolume"

DESCRIPTION = """
The partner API of the MARC co-responder program. Behavioral-health providers send
their **encounters**; police departments send their monthly **call volume**. Records are
checked exactly as a CSV import is, against the program's
[data dictionary](/co-responder/data-dictionary/).

**Keys.** The program manager issues each organization its keys (one for encounters for a
provider, one for call volume for a police department). Send the key in every request as
`Authorization: Bearer <key>`. A key reaches only its own organization's records: another
provider's record is answered as missing (404).

**Writes** are idempotent: a record is keyed by agency and encounter ID (call volume: by
agency and month), and sending the same data again changes nothing (the answer counts it
as unchanged). A batch is written all together or not at all.

**Errors** are [RFC 9457](https://www.rfc-editor.org/rfc/rfc9457) problem details
(`application/problem+json`). When data is not accepted (422) the `errors` list gives
every error, each with its item's index in the batch (from 0), its field and the reason.
A closed month is refused with 422 and says so; only the program manager can change it.

**Limits.** Each key may make a limited number of calls a minute (429 with `Retry-After`
beyond it); a request body may be a few megabytes at most (413), enough for 5,000
encounters; bodies must be JSON (`Content-Type: application/json`, else 415).
"""

_STATUSES = (400, 401, 403, 404, 413, 415, 422, 429)
ERRORS: dict[int, Any] = dict.fromkeys(_STATUSES, Problem)

_AGENCY = Annotated[
    str,
    WithJsonSchema({"type": "string", "enum": list(dd.AGENCIES)}),
    Path(description="The police department's code in the data dictionary.", example="grandview"),
]
_ENCOUNTER_ID = Annotated[
    str,
    WithJsonSchema({"type": "string", "minLength": 1, "maxLength": 64}),
    Path(description="The provider's own identifier of the encounter.", example="RD-2026-0042"),
]
_MONTH = Annotated[
    str,
    WithJsonSchema({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"}),
    Path(description="The month, written YYYY-MM.", example="2026-02"),
]


class PartnerApi(NinjaAPI):
    def validation_error_from_error_contexts(self, error_contexts) -> ValidationError:
        """Keep whether each refused value was null (pydantic's own answer drops the
        value): a required field sent as null is reported as required."""
        errors = []
        for context in error_contexts:
            model = context.model
            for found in context.pydantic_validation_error.errors(include_url=False):
                loc = (model.__ninja_param_source__,) + model.__ninja_flatten_map_reverse__.get(
                    found["loc"], found["loc"]
                )
                errors.append(
                    {
                        "loc": loc,
                        "type": found["type"],
                        "msg": found["msg"],
                        "null": found.get("input", "") is None,
                        "ctx": {k: v for k, v in (found.get("ctx") or {}).items() if k != "error"},
                    }
                )
        return ValidationError(errors)

    def get_openapi_schema(self, *args, **kwargs):
        """Error answers are application/problem+json, with their headers."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, answer in operation.get("responses", {}).items():
                    _problem_answer(int(status), answer)
        return schema


def _problem_answer(status: int, answer: dict) -> None:
    if status < 400:
        return
    content = answer.get("content", {})
    if "application/json" in content:
        content[problems.MEDIA_TYPE] = content.pop("application/json")
    answer["description"] = problems.problem_title(status)
    if status == 429:
        answer["headers"] = {
            "Retry-After": {
                "description": "Seconds to wait before the next call.",
                "required": True,
                "schema": {"type": "integer"},
            }
        }
    if status == 401:
        answer["headers"] = {
            "WWW-Authenticate": {
                "description": "Bearer: send the key as Authorization: Bearer <key>.",
                "required": True,
                "schema": {"type": "string"},
            }
        }


api = PartnerApi(
    title="MARC co-responder partner API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="partner-api",
    # No deep links: they put a link inside each operation's button (nested controls).
    docs=Swagger(
        settings={
            "defaultModelsExpandDepth": 0,
            "tryItOutEnabled": False,
            "deepLinking": False,
            "syntaxHighlight": False,  # its colours fail contrast on the dark example boxes
        }
    ),
    docs_url="/docs/",
    openapi_url="/openapi.json",
)

encounters_key = KeyBearer(ApiScope.ENCOUNTERS)
volume_key = KeyBearer(ApiScope.CALL_VOLUME)


# --- Errors: every one a problem document ------------------------------------------------


@api.exception_handler(ApiRefusal)
def _refusal(request: HttpRequest, exc: ApiRefusal) -> HttpResponse:
    return problems.problem_response(
        request, exc.status, exc.detail, errors=exc.errors, headers=exc.headers
    )


@api.exception_handler(AuthenticationError)
def _unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    sent = bool(request.headers.get("Authorization"))
    detail = (
        "This key is unknown, revoked or expired. Ask the program manager for a new one."
        if sent
        else "Send your API key as “Authorization: Bearer <key>”."
    )
    header = f'{REALM}, error="invalid_token"' if sent else REALM
    return problems.problem_response(request, 401, detail, headers={"WWW-Authenticate": header})


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = validation_errors(exc.errors, single=not request.path.endswith("/batch"))
    call_of(request).detail["errors"] = len(errors)
    return problems.problem_response(request, 422, errors=errors)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:  # ninja: the body is not JSON
        detail = "The body is not valid JSON. Check it with a JSON validator and send it again."
        errors = [problems.error(None, "", "the body is not valid JSON")]
        return problems.problem_response(request, 400, detail, errors=errors)
    return problems.problem_response(request, exc.status_code)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problems.problem_response(request, 404)


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("partner API: unexpected error")
    return problems.problem_response(request, 500)


# --- Shared steps ------------------------------------------------------------------------


def _history(key: ApiKey) -> dict:
    """pghistory's context of the writes: which key made them."""
    return {"api_key": key.pk, "api_key_prefix": key.prefix}


def _summary(result: services.IngestResult, one: str, many: str) -> str:
    def count(number: int) -> str:
        return f"{number:,} {one if number == 1 else many}"

    if not result.created and not result.updated:
        return f"Nothing changed: {count(result.unchanged)} already exactly as sent."
    parts = [f"{count(result.created)} created" if result.created else ""]
    parts.append(f"{count(result.updated)} updated" if result.updated else "")
    parts.append(f"{count(result.unchanged)} unchanged" if result.unchanged else "")
    return ", ".join(part for part in parts if part) + "."


def _answer(request: HttpRequest, result: services.IngestResult, one: str, many: str):
    call = call_of(request)
    counts = {"created": result.created, "updated": result.updated}
    call.detail.update({**counts, "unchanged": result.unchanged})
    if result.errors:
        call.detail["errors"] = len(result.errors)
        raise ApiRefusal(
            422,
            f"Nothing was written: {len(result.errors):,} "
            f"{'error' if len(result.errors) == 1 else 'errors'} to correct (see errors).",
            errors=result.errors,
        )
    if result.created and not result.updated:
        call.action = AuditAction.CREATE
    return {**counts, "unchanged": result.unchanged, "detail": _summary(result, one, many)}


def _foreign(result: services.IngestResult) -> bool:
    """The one item is a record of another provider (coresponder.csvio.parse's reason)."""
    return any(error["reason"].endswith(OTHER_PROVIDERS_RECORD) for error in result.errors)


def _not_found_detail(what: str) -> str:
    return f"There is no {what} that this key can reach."


# --- Encounters --------------------------------------------------------------------------


@api.put(
    "/encounters/{agency}/{encounter_id}",
    auth=encounters_key,
    response={200: WriteResult, **ERRORS},
    tags=["Encounters"],
    summary="Create or update one encounter",
    description=(
        "Writes one encounter of your provider, keyed by agency and encounter ID: created "
        "if new, updated to exactly what is sent if it exists, left alone if it is already "
        "so. Fields left out or null are blank. An encounter of another provider is "
        "answered 404; one dated in a closed month is refused (422)."
    ),
)
def encounter_put(
    request: HttpRequest,
    agency: _AGENCY,
    encounter_id: _ENCOUNTER_ID,
    payload: EncounterFields = Body(...),  # type: ignore[valid-type]  # noqa: B008
):
    key: ApiKey = request.auth
    call = call_of(request)
    call.object_type, call.object_id = ENCOUNTER, f"{agency}/{encounter_id}"
    row = item_row(payload.model_dump(), agency=agency, encounter_id=encounter_id)
    result = services.encounters_ingest(
        items=[row], provider=key.organization, history=_history(key)
    )
    if _foreign(result):
        call.denied = True
        raise ApiRefusal(404, _not_found_detail(f"encounter {encounter_id} of {agency}"))
    return _answer(request, result, "encounter", "encounters")


@api.post(
    "/encounters/batch",
    auth=encounters_key,
    response={200: WriteResult, **ERRORS},
    tags=["Encounters"],
    summary="Create or update up to 5,000 encounters",
    description=(
        "Writes up to 5,000 encounters of your provider in one go, all or nothing: if any "
        "item has an error, nothing is written and the answer (422) lists every error with "
        "the item's index (from 0), the field and the reason. Sending the same batch again "
        "changes nothing and says so."
    ),
)
def encounters_batch(request: HttpRequest, payload: EncounterBatch = Body(...)):  # noqa: B008
    key: ApiKey = request.auth
    call = call_of(request)
    call.object_type = ENCOUNTER
    call.detail["items"] = len(payload.encounters)
    rows = [item_row(item.model_dump()) for item in payload.encounters]
    result = services.encounters_ingest(
        items=rows, provider=key.organization, history=_history(key)
    )
    return _answer(request, result, "encounter", "encounters")


@api.get(
    "/encounters/{agency}/{encounter_id}",
    auth=encounters_key,
    response={200: EncounterOut, **ERRORS},
    tags=["Encounters"],
    summary="Read one encounter back",
    description=(
        "One of your provider's encounters as the portal holds it. Another provider's "
        "encounter is answered 404, like a missing one."
    ),
)
def encounter_get(request: HttpRequest, agency: _AGENCY, encounter_id: _ENCOUNTER_ID):
    key: ApiKey = request.auth
    call = call_of(request)
    call.object_type, call.object_id = ENCOUNTER, f"{agency}/{encounter_id}"
    row = selectors.encounter_of_provider(
        provider=key.organization, agency=agency, encounter_id=encounter_id
    )
    if row is None:
        raise ApiRefusal(404, _not_found_detail(f"encounter {encounter_id} of {agency}"))
    return typed_item(dd.ENCOUNTERS, row)


# --- Call volume -------------------------------------------------------------------------


def _volume_month(request: HttpRequest, agency: str, month: str):
    """The month of the address, for this key's agency; 404 for another agency's, 422 for
    a month that is not written YYYY-MM or does not exist."""
    key: ApiKey = request.auth
    call = call_of(request)
    call.object_type, call.object_id = VOLUME, f"{agency}/{month}"
    if agency != key.organization.dictionary_code:
        call.denied = agency in dd.AGENCIES
        raise ApiRefusal(404, _not_found_detail(f"call volume of {agency} for {month}"))
    try:
        return dates.real_month(month)
    except dates.DateInputError as error:
        reason = str(error).rstrip(".")
        raise ApiRefusal(422, errors=[problems.error(0, "month", reason)]) from None


@api.put(
    "/call-volume/{agency}/{month}",
    auth=volume_key,
    response={200: WriteResult, **ERRORS},
    tags=["Call volume"],
    summary="Create or update one month of call volume",
    description=(
        "Writes your police department's calls for service of one month: created if new, "
        "updated if different, left alone if already so. A closed month is refused (422)."
    ),
)
def volume_put(
    request: HttpRequest,
    agency: _AGENCY,
    month: _MONTH,
    payload: VolumeFields = Body(...),  # type: ignore[valid-type]  # noqa: B008
):
    key: ApiKey = request.auth
    _volume_month(request, agency, month)
    row = item_row(payload.model_dump(), agency=agency, month=month)
    result = services.volume_ingest(items=[row], agency=key.organization, history=_history(key))
    return _answer(request, result, "month", "months")


@api.get(
    "/call-volume/{agency}/{month}",
    auth=volume_key,
    response={200: VolumeOut, **ERRORS},
    tags=["Call volume"],
    summary="Read one month of call volume back",
)
def volume_get(request: HttpRequest, agency: _AGENCY, month: _MONTH):
    key: ApiKey = request.auth
    day = _volume_month(request, agency, month)
    row = selectors.volume_of_agency(agency=key.organization, month=day)
    if row is None:
        raise ApiRefusal(404, _not_found_detail(f"call volume of {agency} for {month}"))
    return typed_item(dd.VOLUME, row)

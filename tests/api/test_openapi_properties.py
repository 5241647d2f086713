"""Property-based tests generated from the API's own OpenAPI document (schemathesis).

Schemathesis reads /api/v1/openapi.json and sends every operation requests it generates
from the schema, valid and invalid, in-process through the WSGI application against the
test database, with a valid key of the operation's scope. Whatever it sends, the API must
not fail (no 5xx) and every answer must match the document: a documented status, the
documented media type (problem+json for errors), the documented headers and body.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from coresponder.api.api import api

WSGI = get_wsgi_application()
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


DOCUMENT = "/api/v1/openapi.json"
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/"))


@pytest.fixture
def _connection_kept():
    """The WSGI handler closes the database connection after each request (as in
    production); Django's test client keeps it, since the test's transaction lives on it.
    So does this test, for the in-process WSGI calls."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def keys(settings, rediscover_key, grandview_key, _connection_kept) -> dict[str, str]:
    settings.API_RATE_LIMIT = "1000000/minute"  # the limit is tested on its own
    return {"encounters": rediscover_key, "call-volume": grandview_key}


def test_the_document_tested_is_the_one_served(client):
    assert client.get(DOCUMENT).json() == schema.raw_schema


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_answers_every_generated_request_as_documented(case, keys):
    scope = "call-volume" if "/call-volume/" in case.path else "encounters"
    headers = {"Authorization": f"Bearer {keys[scope]}"}
    case.call_and_validate(headers=headers, checks=CHECKS, app=WSGI)

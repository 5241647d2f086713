"""The edge of the partner API: every answer under /api/ is a problem document when it is an
error, and every call is written to the audit log exactly once.

ApiEdgeMiddleware sits in MIDDLEWARE right above the body limit (accounts.bodylimits), so
it sees the answers of every layer below it for /api/ paths: the body limit's 413, the
input boundary's 400 (core.boundary), Django's 404 and 500, a session middleware's
redirect. Those were written for people in a browser; here each becomes a problem
document of the same status (a redirect to sign in becomes 401: a session never signs
anyone in to the API). The API's own answers are problem documents already.

Then it writes the call's audit line (coresponder.api.calls). The documentation (the
Swagger page and the OpenAPI document) is public and not a call: reading it is not
recorded, only a refused request to it.
"""

from django.http import HttpRequest, HttpResponse

from coresponder.api import calls, problems
from coresponder.api.auth import REALM

PREFIX = "/api/"


def _documentation(path: str) -> bool:
    return path in (f"{PREFIX}v1/docs/", f"{PREFIX}v1/openapi.json")


class ApiEdgeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(PREFIX):
            return self.get_response(request)
        calls.call_of(request)
        response = self.get_response(request)
        if 300 <= response.status_code < 400:
            response = problems.problem_response(request, 401, headers={"WWW-Authenticate": REALM})
        elif response.status_code >= 400 and not problems.is_problem(response):
            response = problems.as_problem(request, response)
        if response.status_code >= 400 or not _documentation(request.path):
            calls.call_record(request, response)
        if not _documentation(request.path):
            response["Cache-Control"] = "no-store"  # records and refusals: never kept
        return response

"""Request body limits, enforced before a body is read or written to the temporary directory.

Public pages (every path outside settings.STAFF_PATH_PREFIXES, sign-in and password pages
included) take at most PUBLIC_FORM_MAX_BODY_BYTES: their forms have no file fields. Staff
pages take at most STAFF_UPLOAD_MAX_BYTES (CSV imports, admin document uploads). The
partner API (/api/) takes JSON bodies of at most API_MAX_BODY_BYTES (a batch of 5,000
encounters), and its 413 is a problem document (RFC 9457), as all of the API's errors are.

- RequestBodyLimitMiddleware (right after SecurityMiddleware) answers 413 when the declared
  Content-Length is over the path's limit, without reading the body.
- BodyLimitUploadHandler (first in FILE_UPLOAD_HANDLERS) counts the bytes of uploaded
  files as they arrive and stops reading past the limit, for a body whose length was not
  declared; the middleware then answers 413 before any view sees the request.

The reverse proxy (nginx client_max_body_size) should refuse the same sizes even earlier.
"""

import json

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse, QueryDict
from django.template.loader import render_to_string
from django.utils.datastructures import MultiValueDict

from accounts.network import loggable_path
from accounts.staff_areas import is_staff_path

TOO_LARGE = "body_limit_exceeded"  # request attribute set when a body passed its limit
API_PREFIX = "/api/"  # the partner API (coresponder.api)

# The 413 page is answered before the security-header middleware runs, so it brings its own.
_TOO_LARGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def body_limit_for(path: str) -> int:
    """The most bytes a request body to this path may have."""
    if path.startswith(API_PREFIX):
        return settings.API_MAX_BODY_BYTES
    if is_staff_path(path):
        return settings.STAFF_UPLOAD_MAX_BYTES
    return settings.PUBLIC_FORM_MAX_BODY_BYTES


def _declared_length(request: HttpRequest) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0  # Django reads nothing of a body whose length it cannot parse either


def _megabytes(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, size // 1024)} KB"
    return f"{size // (1024 * 1024)} MB"


def too_large_response(*, limit: int, staff: bool) -> HttpResponse:
    """413 with a short page; it names the limit and, for staff, suggests splitting the file."""
    html = render_to_string(
        "accounts/request_too_large.html", {"limit": _megabytes(limit), "staff": staff}
    )
    response = HttpResponse(html, status=413)
    for header, value in _TOO_LARGE_HEADERS.items():
        response[header] = value
    return response


def api_too_large_response(*, limit: int, path: str) -> HttpResponse:
    """The partner API's 413: a problem document naming the limit."""
    body = {
        "type": "/api/v1/docs/#problem-too-large",
        "title": "The request is too large",
        "status": 413,
        "detail": (
            f"The body may be {_megabytes(limit)} at most. Send the records in smaller batches."
        ),
        "instance": loggable_path(path),
    }
    response = HttpResponse(json.dumps(body), status=413, content_type="application/problem+json")
    for header, value in _TOO_LARGE_HEADERS.items():
        response[header] = value
    return response


def _too_large(request: HttpRequest, *, limit: int, staff: bool) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return api_too_large_response(limit=limit, path=request.path)
    return too_large_response(limit=limit, staff=staff)


class RequestBodyLimitMiddleware:
    """413 for a body over the path's limit, before the body is read or spooled."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = body_limit_for(request.path)
        staff = is_staff_path(request.path)
        if _declared_length(request) > limit:
            return _too_large(request, limit=limit, staff=staff)
        if request.method == "POST" and request.content_type == "multipart/form-data":
            # Parse now, through the upload handlers, so that a body that only turns out
            # too large while it is read is refused before any view acts on part of it.
            request.POST  # noqa: B018
            if getattr(request, TOO_LARGE, False):
                return _too_large(request, limit=limit, staff=staff)
        return self.get_response(request)


class BodyLimitUploadHandler(FileUploadHandler):
    """Stops reading a multipart body once its files pass the path's limit.

    It comes first among the upload handlers, so the memory and temporary-file handlers
    after it never receive a chunk past the limit; the parser closes (and so deletes) any
    temporary file begun, and the request is marked for the middleware's 413.
    """

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.limit = body_limit_for(self.request.path) if self.request else None
        self.received = 0
        if self.limit is not None and content_length > self.limit:
            setattr(self.request, TOO_LARGE, True)
            return QueryDict(encoding=encoding), MultiValueDict()  # nothing is read
        return None

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.limit is not None and self.received > self.limit:
            setattr(self.request, TOO_LARGE, True)
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int):
        return None  # the handlers after this one build the file

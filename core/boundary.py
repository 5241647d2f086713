"""The one input boundary of the site: characters no page can use are refused up front.

A NUL byte or a lone UTF-16 surrogate cannot be stored in PostgreSQL text, so a request
carrying one in its path, query string, form fields or upload names would fail deep inside
a view, or inside the audit write of a refused request (letting a probe stay out of the
audit log). This middleware answers such a request with 400 before any view runs, and
calls settings.INPUT_REFUSED_HOOK (the audit log's, which records the refusal of a
signed-in person with the offending characters replaced) so the probe is still on record.
"""

import logging
import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.module_loading import import_string

from core.logs import mask_path

log = logging.getLogger(__name__)

_FORBIDDEN = re.compile("[\x00\ud800-\udfff]")
MESSAGE = "The address or form contained characters that cannot be used (such as a NUL byte)."


def has_forbidden_characters(text: str) -> bool:
    return bool(_FORBIDDEN.search(text))


def clean_text(text: str) -> str:
    """The text with every unusable character replaced by U+FFFD, safe to store or log."""
    return _FORBIDDEN.sub("\ufffd", text)


def _values(query) -> list[str]:
    found = []
    for key, values in query.lists():
        found.append(key)
        found.extend(value for value in values if isinstance(value, str))
    return found


def bad_request(request: HttpRequest, message: str = MESSAGE) -> HttpResponse:
    response = render(request, "400.html", {"message": message}, status=400)
    response["Cache-Control"] = "no-store"
    return response


class InputBoundaryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        hook = getattr(settings, "INPUT_REFUSED_HOOK", "")
        self.on_refused = import_string(hook) if hook else None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._refused(request):
            log.info("refused characters in a request to %s", clean_text(mask_path(request.path)))
            if self.on_refused is not None:
                self.on_refused(request)
            return bad_request(request)
        return self.get_response(request)

    @staticmethod
    def _refused(request: HttpRequest) -> bool:
        texts = [request.path, *_values(request.GET)]
        if request.method == "POST":
            try:
                texts += _values(request.POST)
                texts += [f.name or "" for files in request.FILES.lists() for f in files[1]]
            except MultiPartParserError:
                return True
        return any(has_forbidden_characters(text) for text in texts)

"""Whole-page cache for anonymous visitors, invalidated whenever public content changes.

Views opt in with @public_page. Only anonymous GET/HEAD requests are served from or stored
in the cache, and only 200 responses that set no cookie and are not marked private, so
nothing user-specific is ever cached. Every content change bumps one generation token;
entries of an older generation are ignored. If Redis is down, requests fall through to
the database as if the cache were empty.
"""

import hashlib
import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

log = logging.getLogger(__name__)

GENERATION_KEY = "pagecache:generation"


def public_page(view):
    view.public_page_cache = True
    return view


def content_changed() -> None:
    """Invalidate every cached public page."""
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
    except Exception:
        log.warning("page cache: could not bump the generation; pages expire by TTL", exc_info=True)


def _key(request: HttpRequest) -> str:
    raw = f"{request.get_host()}|{request.get_full_path()}".encode()
    return "pagecache:page:" + hashlib.sha256(raw).hexdigest()


def _cacheable_request(request: HttpRequest, view_func) -> bool:
    return (
        getattr(view_func, "public_page_cache", False)
        and request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
        and "preview" not in request.GET
    )


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        pending = getattr(request, "_pagecache_pending", None)
        if pending and self._storable(response):
            key, generation = pending
            entry = {
                "generation": generation,
                "content": response.content,
                "content_type": response.get("Content-Type"),
            }
            try:
                cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
            except Exception:
                log.warning("page cache: store failed", exc_info=True)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not _cacheable_request(request, view_func):
            return None
        key = _key(request)
        try:
            found = cache.get_many([GENERATION_KEY, key])
        except Exception:
            log.warning("page cache: lookup failed, serving from the database", exc_info=True)
            return None
        generation = found.get(GENERATION_KEY)
        if generation is None:
            generation = uuid.uuid4().hex
            try:
                if not cache.add(GENERATION_KEY, generation, None):
                    generation = cache.get(GENERATION_KEY)
            except Exception:
                return None
        entry = found.get(key)
        if entry and entry["generation"] == generation:
            response = HttpResponse(entry["content"], content_type=entry["content_type"])
            response["X-Page-Cache"] = "hit"
            return response
        request._pagecache_pending = (key, generation)
        return None

    @staticmethod
    def _storable(response: HttpResponse) -> bool:
        cache_control = response.get("Cache-Control", "")
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and "private" not in cache_control
            and "no-store" not in cache_control
        )

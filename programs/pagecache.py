"""Whole-page cache for anonymous visitors, invalidated whenever public content changes.

Views opt in with @public_page. Only anonymous GET/HEAD requests are served from or stored
in the cache, and only 200 responses that set no cookie and are not marked private, so
nothing user-specific is ever cached. Every content change bumps one generation token;
entries of an older generation are ignored. If Redis is down, requests fall through to
the database as if the cache were empty.

Each web process also keeps the pages it served in a small in-process LRU, and reads the
generation token from Redis at most once per PAGE_CACHE_GENERATION_CHECK_SECONDS, so a hot
page costs no Redis round trip at all; an edit reaches every process within that interval.
"""

import hashlib
import logging
import threading
import time
import uuid
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

log = logging.getLogger(__name__)

GENERATION_KEY = "pagecache:generation"
LOCAL_ENTRIES = 512


class _LocalPages:
    """The in-process layer: the last generation seen and an LRU of page entries."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pages: OrderedDict[str, dict] = OrderedDict()
        self.generation: str | None = None
        self.checked_at = 0.0

    def fresh_generation(self) -> str | None:
        interval = settings.PAGE_CACHE_GENERATION_CHECK_SECONDS
        if self.generation and time.monotonic() - self.checked_at < interval:
            return self.generation
        return None

    def remember_generation(self, generation: str) -> None:
        with self.lock:
            if generation != self.generation:
                self.pages.clear()
            self.generation, self.checked_at = generation, time.monotonic()

    def get(self, key: str, generation: str) -> dict | None:
        with self.lock:
            entry = self.pages.get(key)
            if entry is None:
                return None
            if entry["generation"] != generation or entry["expires"] < time.monotonic():
                del self.pages[key]
                return None
            self.pages.move_to_end(key)
            return entry

    def put(self, key: str, entry: dict) -> None:
        with self.lock:
            self.pages[key] = {**entry, "expires": time.monotonic() + settings.PAGE_CACHE_SECONDS}
            self.pages.move_to_end(key)
            while len(self.pages) > LOCAL_ENTRIES:
                self.pages.popitem(last=False)

    def forget(self) -> None:
        with self.lock:
            self.pages.clear()
            self.generation, self.checked_at = None, 0.0


_local = _LocalPages()


def public_page(view):
    view.public_page_cache = True
    return view


def content_changed() -> None:
    """Invalidate every cached public page."""
    _local.forget()
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
            _local.put(key, entry)
            try:
                cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
            except Exception:
                log.warning("page cache: store failed", exc_info=True)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not _cacheable_request(request, view_func):
            return None
        key = _key(request)
        generation = _local.fresh_generation()
        entry = _local.get(key, generation) if generation else None
        if entry is None:
            generation, entry = self._shared_lookup(key)
            if generation is None:
                return None
        if entry:
            response = HttpResponse(entry["content"], content_type=entry["content_type"])
            response["X-Page-Cache"] = "hit"
            return response
        request._pagecache_pending = (key, generation)
        return None

    @staticmethod
    def _shared_lookup(key: str) -> tuple[str | None, dict | None]:
        """Read the generation and the page from Redis; (None, None) if Redis is unusable."""
        try:
            found = cache.get_many([GENERATION_KEY, key])
            generation = found.get(GENERATION_KEY)
            if generation is None:
                generation = uuid.uuid4().hex
                if not cache.add(GENERATION_KEY, generation, None):
                    generation = cache.get(GENERATION_KEY)
        except Exception:
            log.warning("page cache: lookup failed, serving from the database", exc_info=True)
            return None, None
        _local.remember_generation(generation)
        entry = found.get(key)
        if entry and entry["generation"] == generation:
            _local.put(key, entry)
            return generation, entry
        return generation, None

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

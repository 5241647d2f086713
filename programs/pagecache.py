"""Whole-page cache for anonymous visitors, invalidated whenever public content changes.

Views opt in with @public_page. Only anonymous GET/HEAD requests are served from or stored
in the cache, and only 200 responses that set no cookie and are not marked private, so
nothing user-specific is ever cached. Every content change bumps one generation token;
entries of an older generation are ignored.

Each web process also keeps the pages it served in a small in-process LRU, and reads the
generation token from Redis at most once per PAGE_CACHE_GENERATION_CHECK_SECONDS, so a hot
page costs no Redis round trip at all; an edit reaches every process within that interval.

While Redis is unreachable the in-process layer keeps serving, for a bounded time:
- after a failed Redis call the process leaves Redis alone for
  PAGE_CACHE_REDIS_RETRY_SECONDS (a circuit breaker), so a dead Redis costs one failed
  call per process per interval instead of one (or a connect timeout) per request;
- a page in the local layer is served as long as it is known fresh as of less than
  PAGE_CACHE_STALE_SECONDS ago: known fresh when the generation was last read from Redis,
  or when the page was rendered, whichever is later. Pages not in the local layer are
  rendered from the database and stored in the local layer only;
- an edit made during the outage clears the local layer of the process that made it at
  once (content_changed), and that process bumps the shared generation as soon as Redis
  answers again. Other processes cannot hear of it while Redis is down: they may serve a
  page that does not show the edit for at most PAGE_CACHE_STALE_SECONDS (then they render
  it again), and within PAGE_CACHE_GENERATION_CHECK_SECONDS of Redis coming back.
"""

import hashlib
import logging
import threading
import time
import uuid
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

log = logging.getLogger(__name__)

GENERATION_KEY = "pagecache:generation"
LOCAL_ENTRIES = 512
LOCAL_GENERATION_PREFIX = "local:"  # a generation made up while Redis could not be read


def _clock() -> float:
    """Monotonic seconds; one place, so tests can move time on."""
    return time.monotonic()


class _LocalPages:
    """The in-process layer: the last generation seen, an LRU of page entries, and the
    circuit breaker that keeps a failing Redis from being asked on every request."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pages: OrderedDict[str, dict] = OrderedDict()
        self.generation: str | None = None
        self.checked_at = 0.0  # when the generation was last read from Redis
        self.redis_down_until = 0.0
        self.bump_pending = False  # content changed while Redis was down

    def fresh_generation(self) -> str | None:
        interval = settings.PAGE_CACHE_GENERATION_CHECK_SECONDS
        if self.generation and _clock() - self.checked_at < interval:
            return self.generation
        return None

    def remember_generation(self, generation: str) -> None:
        with self.lock:
            if generation != self.generation:
                self.pages.clear()
            self.generation, self.checked_at = generation, _clock()

    def offline_generation(self) -> str:
        """The generation to use while Redis is down: the last one seen, or a local one."""
        with self.lock:
            if self.generation is None:
                self.generation = LOCAL_GENERATION_PREFIX + uuid.uuid4().hex
                self.checked_at = 0.0  # never confirmed by Redis
            return self.generation

    def get(self, key: str, generation: str, *, offline: bool = False) -> dict | None:
        now = _clock()
        with self.lock:
            entry = self.pages.get(key)
            if entry is None:
                return None
            stale = (
                offline
                and now - max(entry["stored_at"], self.checked_at)
                >= settings.PAGE_CACHE_STALE_SECONDS
            )
            if entry["generation"] != generation or entry["expires"] < now or stale:
                del self.pages[key]
                return None
            self.pages.move_to_end(key)
            return entry

    def put(self, key: str, entry: dict) -> None:
        now = _clock()
        with self.lock:
            self.pages[key] = {
                **entry,
                "stored_at": now,
                "expires": now + settings.PAGE_CACHE_SECONDS,
            }
            self.pages.move_to_end(key)
            while len(self.pages) > LOCAL_ENTRIES:
                self.pages.popitem(last=False)

    def forget(self) -> None:
        with self.lock:
            self.pages.clear()
            self.generation, self.checked_at = None, 0.0

    # --- The circuit breaker -------------------------------------------------------------

    def redis_usable(self) -> bool:
        return _clock() >= self.redis_down_until

    def redis_failed(self) -> None:
        self.redis_down_until = _clock() + settings.PAGE_CACHE_REDIS_RETRY_SECONDS

    def redis_changed(self) -> None:
        """Another cache server: close the breaker and drop a pending bump."""
        self.redis_down_until, self.bump_pending = 0.0, False


_local = _LocalPages()


@receiver(setting_changed, dispatch_uid="programs.pagecache.caches_changed")
def _caches_changed(*, setting: str, **kwargs) -> None:
    # Django resets its cache connections when CACHES changes (tests); so does the breaker.
    if setting == "CACHES":
        _local.redis_changed()


def public_page(view):
    view.public_page_cache = True
    return view


def content_changed() -> None:
    """Invalidate every cached public page."""
    _local.forget()
    try:  # edits are rare: always try, whatever the breaker says
        cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
        _local.bump_pending = False
    except Exception as exc:
        _local.bump_pending = True
        log.warning(
            "page cache: could not bump the generation (%s); bumped once Redis is back", exc
        )


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
            key, generation, offline = pending
            entry = {
                "generation": generation,
                "content": response.content,
                "content_type": response.get("Content-Type"),
            }
            _local.put(key, entry)
            if not offline and _local.redis_usable():
                try:
                    cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
                except Exception as exc:
                    _local.redis_failed()
                    log.warning("page cache: store failed (%s)", exc)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not _cacheable_request(request, view_func):
            return None
        key = _key(request)
        generation = _local.fresh_generation()
        entry = _local.get(key, generation) if generation else None
        offline = False
        if entry is None:
            generation, entry = self._shared_lookup(key)
            if generation is None:  # Redis is down: this process's pages, for a while
                offline = True
                generation = _local.offline_generation()
                entry = _local.get(key, generation, offline=True)
        if entry:
            response = HttpResponse(entry["content"], content_type=entry["content_type"])
            response["X-Page-Cache"] = "hit"
            return response
        request._pagecache_pending = (key, generation, offline)
        return None

    @staticmethod
    def _shared_lookup(key: str) -> tuple[str | None, dict | None]:
        """Read the generation and the page from Redis; (None, None) if Redis is unusable."""
        if not _local.redis_usable():
            return None, None
        try:
            if _local.bump_pending:  # an edit was made here while Redis was down
                cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
                _local.bump_pending = False
            found = cache.get_many([GENERATION_KEY, key])
            generation = found.get(GENERATION_KEY)
            if generation is None:
                generation = uuid.uuid4().hex
                if not cache.add(GENERATION_KEY, generation, None):
                    generation = cache.get(GENERATION_KEY)
        except Exception as exc:
            _local.redis_failed()
            log.warning(
                "page cache: lookup failed (%s); serving from this process for %.1f s",
                exc,
                settings.PAGE_CACHE_REDIS_RETRY_SECONDS,
            )
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

"""Whole-page cache for anonymous visitors: served before the middleware stack, invalidated
by what each page shows.

Serving. AnonymousPageCacheMiddleware is near the top of MIDDLEWARE (only the
database-outage middleware is above it). A GET or HEAD request without a session cookie and
without a `preview` parameter is looked up there, by scheme, host and full path; a hit is
answered at once with the status, body and every header the page had when it left the
stack (Content-Security-Policy, X-Frame-Options, HSTS and the rest), so it costs none of
the sessions, authentication, two-factor, history or header middleware below. Misses and
every other request go through the stack as before. Because the scheme is part of the key,
a plain-HTTP request never gets a page rendered for HTTPS: it reaches SecurityMiddleware,
which redirects it.

Storing. Views opt in with @public_page(*tags). A response is stored, on its way out at the
top of the stack, when the request was cacheable, the visitor anonymous, and the response a
200 that sets no cookie (so no CSRF cookie either: a page that renders a token sets it), is
neither private nor no-store, and varies on nothing but Cookie (which the session middleware
adds whenever a page looks at request.user; hits go only to requests without a session
cookie, the variant that was rendered).

Dependencies. A tag names something a page shows: "programs" (program content), "events"
(event details as lists, search and the sitemap show them), "calendar" (the calendar lists
and month grids, seats included), "event:<pk>" (one event's page, seats included). A page's
tags are those of its decorator, plus those the view adds with depends_on(request, ...)
before it reads the data (e.g. the event's pk from the URL). An entry keeps the version
each tag had before the page was rendered; invalidate(*tags) gives those tags new versions,
and an entry is fresh only while every one of its tags still has the version it was stored
with. Every page also depends on ALL, which invalidate_all() bumps, for changes whose pages
are unclear. Versions live in Redis, one key per tag.

Each web process also keeps the pages it served in a small in-process LRU, and reads the
versions of the tags its pages use from Redis (one get_many) at most once per
PAGE_CACHE_GENERATION_CHECK_SECONDS, so a hot page costs no Redis round trip at all; a
change reaches every process within that interval.

While Redis is unreachable the in-process layer keeps serving, for a bounded time:
- after a failed Redis call the process leaves Redis alone for
  PAGE_CACHE_REDIS_RETRY_SECONDS (a circuit breaker), so a dead Redis costs one failed
  call per process per interval instead of one (or a connect timeout) per request;
- a page in the local layer is served as long as it is known fresh as of less than
  PAGE_CACHE_STALE_SECONDS ago: known fresh when the versions were last read from Redis,
  or when the page was rendered, whichever is later. Pages not in the local layer are
  rendered from the database and stored in the local layer only;
- a change made during the outage invalidates the local pages of the process that made it
  at once, and that process bumps the shared versions as soon as Redis answers again.
  Other processes cannot hear of it while Redis is down: they may serve a page that does
  not show the change for at most PAGE_CACHE_STALE_SECONDS (then they render it again),
  and within PAGE_CACHE_GENERATION_CHECK_SECONDS of Redis coming back.
"""

import functools
import hashlib
import logging
import re
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import cc_delim_re

log = logging.getLogger(__name__)

ALL = "all"  # every page depends on it; invalidate_all() bumps it
PAGE_PREFIX = "pagecache:page:"
TAG_PREFIX = "pagecache:tag:"
# A tag's version outlives every page stored with it; when it does expire, the next reader
# makes a new one, so the pages stored with the old one are simply rendered again.
TAG_SECONDS = 24 * 60 * 60
LOCAL_ENTRIES = 512
LOCAL_VERSION_PREFIX = "local:"  # a version made up while Redis could not be read
_TAG = re.compile(r"[a-z0-9][a-z0-9_.:-]{0,99}\Z")


def _clock() -> float:
    """Monotonic seconds; one place, so tests can move time on."""
    return time.monotonic()


def _new_version() -> str:
    return uuid.uuid4().hex


def _check_tags(tags: Iterable[str]) -> None:
    for tag in tags:
        if not isinstance(tag, str) or not _TAG.match(tag):
            raise ValueError(f"page cache tag {tag!r}: lower-case letters, digits, _ . : - only")


class _LocalPages:
    """The in-process layer: the last tag versions seen, an LRU of page entries, and the
    circuit breaker that keeps a failing Redis from being asked on every request."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pages: OrderedDict[str, dict] = OrderedDict()
        self.versions: dict[str, str] = {}
        self.checked_at = 0.0  # when the versions were last read from Redis
        self.redis_down_until = 0.0
        self.pending: set[str] = set()  # tags invalidated while Redis was down

    # --- Tag versions --------------------------------------------------------------------

    def versions_fresh(self) -> bool:
        return _clock() - self.checked_at < settings.PAGE_CACHE_GENERATION_CHECK_SECONDS

    def known(self, tags: Iterable[str]) -> dict[str, str] | None:
        """The versions of these tags, if this process knows them all."""
        with self.lock:
            found = {tag: self.versions.get(tag) for tag in tags}
        return None if None in found.values() else found

    def verdict(self, entry: dict) -> bool | None:
        """True if every tag of the entry has its version still, False if one changed,
        None if this process does not know a tag's version."""
        unknown = False
        for tag, version in entry["tags"].items():
            current = self.versions.get(tag)
            if current is None:
                unknown = True
            elif current != version:
                return False
        return None if unknown else True

    def tags_in_use(self) -> set[str]:
        with self.lock:
            tags = {ALL}
            for entry in self.pages.values():
                tags.update(entry["tags"])
            return tags

    def remember(self, versions: dict[str, str]) -> None:
        """Versions just read from Redis: every tag in use, so they replace the old ones."""
        with self.lock:
            self.versions = dict(versions)
            self.checked_at = _clock()

    def merge(self, versions: dict[str, str]) -> None:
        """Versions of some tags, just read from Redis or just bumped here."""
        with self.lock:
            self.versions.update(versions)

    def offline_versions(self, tags: Iterable[str]) -> dict[str, str]:
        """The versions to use while Redis is down: the last ones seen, or local ones."""
        with self.lock:
            for tag in tags:
                self.versions.setdefault(tag, LOCAL_VERSION_PREFIX + _new_version())
            return {tag: self.versions[tag] for tag in tags}

    # --- Pages ---------------------------------------------------------------------------

    def get(self, key: str) -> dict | None:
        now = _clock()
        with self.lock:
            entry = self.pages.get(key)
            if entry is None:
                return None
            if entry["expires"] < now:
                del self.pages[key]
                return None
            self.pages.move_to_end(key)
            return entry

    def stale_offline(self, entry: dict) -> bool:
        known_fresh = max(entry["stored_at"], self.checked_at)
        return _clock() - known_fresh >= settings.PAGE_CACHE_STALE_SECONDS

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

    def drop(self, key: str) -> None:
        with self.lock:
            self.pages.pop(key, None)

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()

    # --- The circuit breaker -------------------------------------------------------------

    def redis_usable(self) -> bool:
        return _clock() >= self.redis_down_until

    def redis_failed(self) -> None:
        self.redis_down_until = _clock() + settings.PAGE_CACHE_REDIS_RETRY_SECONDS

    def redis_changed(self) -> None:
        """Another cache server: close the breaker and drop pending bumps."""
        self.redis_down_until = 0.0
        self.pending.clear()


_local = _LocalPages()


@receiver(setting_changed, dispatch_uid="core.pagecache.caches_changed")
def _caches_changed(*, setting: str, **kwargs) -> None:
    # Django resets its cache connections when CACHES changes (tests); so does the breaker.
    if setting == "CACHES":
        _local.redis_changed()


def _redis_failed(what: str, exc: Exception) -> None:
    _local.redis_failed()
    log.warning(
        "page cache: %s (%s); serving from this process for %.1f s",
        what,
        exc,
        settings.PAGE_CACHE_REDIS_RETRY_SECONDS,
    )


# --- Declaring and invalidating dependencies -----------------------------------------------


def public_page(*tags: str):
    """Cache this view's anonymous responses whole; `tags` name what the page shows.

        @public_page("programs")
        def page_detail(request, area, slug): ...

    Tags known only inside the view (an object's pk) are added with depends_on().
    """
    if tags and callable(tags[0]):
        raise TypeError("public_page takes the page's tags: @public_page(...), not @public_page")
    _check_tags(tags)

    def decorate(view):
        @functools.wraps(view)
        def page(request, *args, **kwargs):
            return view(request, *args, **kwargs)

        page.page_cache_tags = (ALL, *tags)
        return page

    return decorate


def depends_on(request: HttpRequest, *tags: str) -> None:
    """Declare that the page being rendered also shows what `tags` name.

    Call it before reading that data: the versions are read now, so a change committed
    while the page renders makes the stored page stale rather than fresh.
    """
    _check_tags(tags)
    pending = getattr(request, "_page_cache", None)
    if pending is None or pending.versions is None:
        return  # not a page that will be stored
    new = [tag for tag in tags if tag not in pending.versions]
    if new:
        versions, offline = _current_versions(new)
        pending.versions.update(versions)
        pending.offline = pending.offline or offline


def invalidate(*tags: str) -> None:
    """Give these tags new versions: every cached page that shows them is rendered again.

    Bumped at once (this process, and a test, sees the change straight away) and again
    once the transaction commits, so a page another process rendered from the old rows
    in between is not kept either.
    """
    _check_tags(tags)
    _bump_now_and_after_commit(tags, force=False)


def invalidate_all() -> None:
    """Every cached page is rendered again: for changes whose pages are unclear."""
    _local.clear()
    _bump_now_and_after_commit([ALL], force=True)


def _bump_now_and_after_commit(tags: Iterable[str], *, force: bool) -> None:
    _bump(tags, force=force)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _bump(tags, force=force), robust=True)


def _bump(tags: Iterable[str], *, force: bool) -> None:
    versions = {tag: _new_version() for tag in tags}
    _local.merge(versions)  # this process's pages of the old versions are stale at once
    # Rare changes (force) always try Redis, whatever the breaker says; a success shows
    # Redis is back. Frequent ones (registrations) respect the breaker.
    if not (force or _local.redis_usable()):
        _local.pending.update(versions)
        return
    try:
        cache.set_many({TAG_PREFIX + tag: v for tag, v in versions.items()}, TAG_SECONDS)
    except Exception as exc:
        _local.pending.update(versions)
        _local.redis_failed()
        log.warning(
            "page cache: could not invalidate %s (%s); done once Redis is back",
            ", ".join(sorted(versions)),
            exc,
        )
        return
    _local.pending.difference_update(versions)
    if force:
        _local.redis_down_until = 0.0


def _push_pending() -> None:
    """Tags invalidated here while Redis was down get new shared versions, before any
    read: pages other processes stored before the change are then stale everywhere."""
    if not _local.pending:
        return
    tags = set(_local.pending)
    versions = {tag: _new_version() for tag in tags}
    cache.set_many({TAG_PREFIX + tag: v for tag, v in versions.items()}, TAG_SECONDS)
    _local.pending.difference_update(tags)
    _local.merge(versions)


def _read_versions(tags: Iterable[str], *keys: str) -> tuple[dict[str, str], dict]:
    """The shared versions of these tags (made now for tags that have none) and the values
    of any other keys, with one get_many. Raises if Redis fails."""
    tags = list(tags)
    found = cache.get_many([*(TAG_PREFIX + tag for tag in tags), *keys])
    versions = {}
    for tag in tags:
        version = found.get(TAG_PREFIX + tag)
        if version is None:
            version = _new_version()
            if not cache.add(TAG_PREFIX + tag, version, TAG_SECONDS):
                version = cache.get(TAG_PREFIX + tag) or version
        versions[tag] = version
    return versions, found


def _current_versions(tags: list[str]) -> tuple[dict[str, str], bool]:
    """The versions of these tags now, and whether they are this process's own (offline)."""
    if _local.versions_fresh():
        known = _local.known(tags)
        if known is not None:
            return known, False
    if _local.redis_usable():
        try:
            _push_pending()
            versions, _ = _read_versions(tags)
        except Exception as exc:
            _redis_failed("lookup failed", exc)
        else:
            _local.merge(versions)
            return versions, False
    return _local.offline_versions(tags), True


# --- The middleware ------------------------------------------------------------------------


@dataclass
class _Pending:
    """A cacheable request on its way through the stack."""

    key: str
    offline: bool
    versions: dict[str, str] | None = field(default=None)  # set once the view is a public page


def _request_key(request: HttpRequest) -> str | None:
    """The cache key of a request that may be served from or stored in the cache."""
    if (
        request.method not in ("GET", "HEAD")
        or settings.SESSION_COOKIE_NAME in request.COOKIES
        or "preview" in request.GET
    ):
        return None
    try:
        host = request.get_host()
    except DisallowedHost:
        return None  # the stack answers it (400)
    raw = f"{request.scheme}|{host}|{request.get_full_path()}"
    return PAGE_PREFIX + hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def _is_public_page(request: HttpRequest) -> bool:
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return False
    return hasattr(match.func, "page_cache_tags")


def _shared_lookup(key: str) -> tuple[bool, dict | None]:
    """(True, the fresh shared entry or None), reading the page from Redis, and with it, if
    this process's versions are due for a check, the versions of every tag its pages use:
    one get_many. (False, None) if Redis is unusable."""
    if not _local.redis_usable():
        return False, None
    refresh = not _local.versions_fresh()
    try:
        _push_pending()
        versions, found = _read_versions(_local.tags_in_use() if refresh else (), key)
        entry = found.get(key)
        known = versions if refresh else _local.versions
        unknown = [tag for tag in entry["tags"] if tag not in known] if entry else []
        if unknown:  # a tag no page of this process uses yet
            versions.update(_read_versions(unknown)[0])
    except Exception as exc:
        _redis_failed("lookup failed", exc)
        return False, None
    if refresh:
        _local.remember(versions)
    else:
        _local.merge(versions)
    if entry is not None and _local.verdict(entry):
        return True, entry
    return True, None


def _lookup(request: HttpRequest, key: str) -> dict | _Pending | None:
    """The entry to serve; or a _Pending for a page to render and maybe store; or None
    for a request the cache leaves alone."""
    entry = _local.get(key)
    if entry is not None and _local.versions_fresh():
        verdict = _local.verdict(entry)
        if verdict:
            return entry
        if verdict is False:
            _local.drop(key)
            entry = None
    if entry is None and not _is_public_page(request):
        return None
    answered, shared = _shared_lookup(key)
    if not answered:  # Redis is down: this process's pages, for a while
        if entry is not None and _local.verdict(entry) and not _local.stale_offline(entry):
            return entry
        return _Pending(key, offline=True)
    if entry is not None and _local.verdict(entry):
        return entry
    if shared is not None:
        _local.put(key, shared)
        return shared
    if entry is not None:
        _local.drop(key)
    return _Pending(key, offline=False)


def _replay(entry: dict) -> HttpResponse:
    response = HttpResponse(entry["content"], status=entry["status"], headers=entry["headers"])
    response["X-Page-Cache"] = "hit"
    return response


def _storable(response: HttpResponse) -> bool:
    cache_control = response.get("Cache-Control", "")
    vary = {v.strip().lower() for v in cc_delim_re.split(response.get("Vary", "")) if v.strip()}
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "Set-Cookie" not in response
        and "private" not in cache_control
        and "no-store" not in cache_control
        and vary <= {"cookie"}
    )


def _store(pending: _Pending, response: HttpResponse) -> None:
    entry = {
        "tags": dict(pending.versions),
        "status": response.status_code,
        "headers": list(response.items()),  # as they leave the stack
        "content": response.content,
    }
    _local.put(pending.key, entry)
    if pending.offline or not _local.redis_usable():
        return
    try:
        cache.set(pending.key, entry, settings.PAGE_CACHE_SECONDS)
    except Exception as exc:
        _redis_failed("store failed", exc)


class AnonymousPageCacheMiddleware:
    """Second in MIDDLEWARE: answers cached anonymous pages before the stack runs, and
    stores public pages with the headers every layer below gave them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = _request_key(request)
        found = _lookup(request, key) if key else None
        if isinstance(found, dict):
            return _replay(found)
        request._page_cache = found
        response = self.get_response(request)
        if found is not None and found.versions is not None and _storable(response):
            _store(found, response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        pending = getattr(request, "_page_cache", None)
        tags = getattr(view_func, "page_cache_tags", None)
        user = getattr(request, "user", None)
        if pending is None or tags is None or (user is not None and user.is_authenticated):
            return None
        pending.versions = {}
        depends_on(request, *tags)
        return None

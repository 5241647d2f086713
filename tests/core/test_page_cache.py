"""The anonymous page cache (core.pagecache): what is served, what is stored, Redis down.

Which changes re-render which pages is tested beside the content: tests/training/
test_page_cache_dependencies.py.
"""

import time

import pytest
from django.conf import settings as django_settings
from django.core.cache.backends.redis import RedisCache

from core import pagecache
from programs.models import ProgramPage, Status
from tests.programs.factories import AreaFactory, PageFactory

pytestmark = pytest.mark.django_db

SECURITY_HEADERS = (
    "Content-Security-Policy",
    "Strict-Transport-Security",
    "Referrer-Policy",
    "Permissions-Policy",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Cross-Origin-Opener-Policy",
    "Cross-Origin-Resource-Policy",
)


def is_hit(response) -> bool:
    return response.get("X-Page-Cache") == "hit"


def test_anonymous_page_is_served_from_cache_until_content_changes(client):
    page = PageFactory(title="Original title")
    first = client.get(page.get_absolute_url())
    assert "X-Page-Cache" not in first
    second = client.get(page.get_absolute_url())
    assert is_hit(second)
    assert "Original title" in second.content.decode()

    page.title = "Edited title"
    page.save()
    third = client.get(page.get_absolute_url())
    assert "X-Page-Cache" not in third
    assert "Edited title" in third.content.decode()


def test_a_hit_carries_exactly_the_headers_of_the_miss_that_stored_it(client):
    page = PageFactory()
    first = client.get(page.get_absolute_url(), secure=True)
    second = client.get(page.get_absolute_url(), secure=True)
    assert is_hit(second)
    for header in SECURITY_HEADERS:
        assert header in first, header
    assert {k: v for k, v in second.items() if k != "X-Page-Cache"} == dict(first.items())
    assert second.status_code == first.status_code and second.content == first.content


def test_a_hit_is_answered_before_the_middleware_stack(client, settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.core.test_page_cache.CountingMiddleware"]
    CountingMiddleware.seen = 0
    page = PageFactory()
    client.get(page.get_absolute_url())
    assert CountingMiddleware.seen == 1  # the miss went through the whole stack
    assert is_hit(client.get(page.get_absolute_url()))
    assert is_hit(client.head(page.get_absolute_url()))
    assert CountingMiddleware.seen == 1  # the hits did not


class CountingMiddleware:
    """The last middleware: counts the requests that reach the bottom of the stack."""

    seen = 0

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        CountingMiddleware.seen += 1
        return self.get_response(request)


def test_a_request_with_a_session_cookie_is_never_served_or_stored(client):
    page = PageFactory(title="Cookie page")
    client.cookies[django_settings.SESSION_COOKIE_NAME] = "an-old-or-anonymous-session"
    client.get(page.get_absolute_url())
    assert not is_hit(client.get(page.get_absolute_url()))
    del client.cookies[django_settings.SESSION_COOKIE_NAME]
    assert not is_hit(client.get(page.get_absolute_url()))  # those two stored nothing
    assert is_hit(client.get(page.get_absolute_url()))
    client.cookies[django_settings.SESSION_COOKIE_NAME] = "an-old-or-anonymous-session"
    assert not is_hit(client.get(page.get_absolute_url()))  # stored, but not for this one


def test_head_is_served_from_the_cache_and_stores_the_whole_page(client):
    page = PageFactory(title="Head page")
    first = client.head(page.get_absolute_url())
    assert first.status_code == 200 and not is_hit(first) and first.content == b""
    got = client.get(page.get_absolute_url())
    assert is_hit(got) and "Head page" in got.content.decode()
    head = client.head(page.get_absolute_url())
    assert is_hit(head) and head.content == b""
    assert head["Content-Length"] == got["Content-Length"] == str(len(got.content))


def test_a_page_stored_for_https_is_not_served_over_plain_http(client):
    page = PageFactory()
    client.get(page.get_absolute_url(), secure=True)
    assert is_hit(client.get(page.get_absolute_url(), secure=True))
    plain = client.get(page.get_absolute_url())
    assert not is_hit(plain) and "Strict-Transport-Security" not in plain


def test_preview_requests_are_never_served_from_the_cache(client):
    page = PageFactory()
    client.get(page.get_absolute_url())
    assert is_hit(client.get(page.get_absolute_url()))
    assert not is_hit(client.get(page.get_absolute_url(), {"preview": "1"}))
    assert not is_hit(client.get(page.get_absolute_url(), {"preview": "1"}))


def test_publishing_a_draft_shows_it_on_a_cached_home_page(client):
    area = AreaFactory(title="Draft area", status=Status.DRAFT)
    client.get("/")
    assert "Draft area" not in client.get("/").content.decode()
    area.status = Status.PUBLISHED
    area.save(update_fields=["status"])
    assert "Draft area" in client.get("/").content.decode()


def test_signed_in_users_are_never_served_or_stored_in_the_cache(client, django_user_model):
    page = PageFactory()
    user = django_user_model.objects.create_user("staff", password="x" * 16)
    client.force_login(user)
    client.get(page.get_absolute_url())
    assert "X-Page-Cache" not in client.get(page.get_absolute_url())
    client.logout()
    assert "X-Page-Cache" not in client.get(page.get_absolute_url())


def test_not_found_and_error_responses_are_not_cached(client):
    client.get("/programs/nowhere/")
    assert "X-Page-Cache" not in client.get("/programs/nowhere/")
    client.get("/search/", {"q": "x" * 300})
    assert "X-Page-Cache" not in client.get("/search/", {"q": "x" * 300})


@pytest.mark.urls("tests.testapp.urls")
@pytest.mark.parametrize(
    "path",
    [
        "/test/public/cookie/",  # sets a cookie
        "/test/public/form/",  # renders a CSRF token, so sets the CSRF cookie
        "/test/public/language/",  # varies on Accept-Language, which the key ignores
    ],
)
def test_responses_that_set_a_cookie_or_vary_are_never_stored(client, path):
    first = client.get(path, headers={"Accept-Language": "fr"})
    assert first.status_code == 200
    second = client.get(path, headers={"Accept-Language": "en"})
    assert not is_hit(second)


def test_public_page_needs_its_tags_named():
    with pytest.raises(TypeError):

        @pagecache.public_page
        def view(request):
            pass

    with pytest.raises(ValueError):
        pagecache.public_page("Has Spaces")


def test_pages_render_from_the_database_when_the_cache_is_down(client, settings, caplog):
    page = PageFactory(title="Still here")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    response = client.get(page.get_absolute_url())
    assert response.status_code == 200
    assert "Still here" in response.content.decode()
    assert "page cache: lookup failed" in caplog.text


def test_a_hot_page_is_served_from_process_memory_without_asking_redis(client, settings):
    settings.PAGE_CACHE_GENERATION_CHECK_SECONDS = 60
    page = PageFactory(title="Hot page")
    client.get(page.get_absolute_url())
    settings.CACHES = {  # the shared cache goes away; the process still has the page
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    response = client.get(page.get_absolute_url())
    assert is_hit(response)
    assert "Hot page" in response.content.decode()


def test_an_edit_in_this_process_is_seen_at_once_even_with_a_long_check_interval(client, settings):
    settings.PAGE_CACHE_GENERATION_CHECK_SECONDS = 60
    page = PageFactory(title="Before")
    client.get(page.get_absolute_url())
    assert is_hit(client.get(page.get_absolute_url()))
    page.title = "After"
    page.save()
    response = client.get(page.get_absolute_url())
    assert "X-Page-Cache" not in response
    assert "After" in response.content.decode()


def test_a_page_rendered_from_the_old_rows_before_the_change_commits_is_not_kept(
    client, django_capture_on_commit_callbacks
):
    page = PageFactory(title="Before")
    with django_capture_on_commit_callbacks(execute=True):  # the editor's transaction
        pagecache.invalidate("programs")  # as its signal does, before the commit
        stale = client.get(page.get_absolute_url())  # a visitor meanwhile: the old rows
        ProgramPage.objects.filter(pk=page.pk).update(title="After")
    assert "Before" in stale.content.decode()
    response = client.get(page.get_absolute_url())  # after the commit
    assert not is_hit(response) and "After" in response.content.decode()


def test_a_page_stored_by_another_process_is_served_from_redis(client):
    page = PageFactory(title="Shared page")
    client.get(page.get_absolute_url())
    pagecache._local.clear()  # as if this were another web process
    response = client.get(page.get_absolute_url())
    assert is_hit(response) and "Shared page" in response.content.decode()


# --- Redis down: the in-process layer keeps serving, for a bounded time -----------------

REDIS_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@pytest.fixture
def clock(monkeypatch):
    """The page cache's clock, frozen; tests move it on by hand. It starts on a whole
    second, so the sums of whole seconds it reaches are exact (300 s after is >= 300)."""
    now = [float(int(time.monotonic()))]
    monkeypatch.setattr(pagecache, "_clock", lambda: now[0])
    return now


@pytest.fixture
def redis_calls(monkeypatch):
    """How often the page cache asked Redis (successfully or not) for pages."""
    calls = []
    get_many = RedisCache.get_many

    def counted(self, *args, **kwargs):
        calls.append(args)
        return get_many(self, *args, **kwargs)

    monkeypatch.setattr(RedisCache, "get_many", counted)
    return calls


def served_from_cache(client, page) -> tuple[bool, str]:
    response = client.get(page.get_absolute_url())
    assert response.status_code == 200
    return is_hit(response), response.content.decode()


def test_with_redis_down_pages_are_served_from_process_memory_for_a_bounded_time(
    client, settings, clock, redis_calls
):
    settings.PAGE_CACHE_SECONDS = 3600  # the entries' own lifetime is not what ends them
    settings.PAGE_CACHE_STALE_SECONDS = 300
    settings.PAGE_CACHE_REDIS_RETRY_SECONDS = 2
    known = PageFactory(title="Cached before the outage")
    new = PageFactory(title="First asked for during the outage")
    assert served_from_cache(client, known)[0] is False  # rendered, stored in both layers

    settings.CACHES = REDIS_DOWN
    clock[0] += 10
    hit, html = served_from_cache(client, known)
    assert hit and "Cached before the outage" in html  # from the local layer
    hit, html = served_from_cache(client, new)
    assert not hit and "First asked for during the outage" in html  # rendered ...
    assert served_from_cache(client, new)[0]  # ... stored locally, and served from there

    # An edit made by another process: this one cannot hear of it while Redis is down.
    ProgramPage.objects.filter(pk=known.pk).update(title="Edited elsewhere")
    clock[0] += 280  # known fresh 290 s ago (when Redis last answered): still served
    hit, html = served_from_cache(client, known)
    assert hit and "Cached before the outage" in html
    clock[0] += 20  # past the bound: rendered again, and served locally again
    hit, html = served_from_cache(client, known)
    assert not hit and "Edited elsewhere" in html
    assert served_from_cache(client, known)[0]
    clock[0] += 299  # rendered 299 s ago during the outage: still served
    assert served_from_cache(client, known)[0]
    clock[0] += 1
    assert not served_from_cache(client, known)[0]


def test_a_dead_redis_is_asked_once_per_retry_interval_not_on_every_request(
    client, settings, clock, redis_calls, caplog
):
    settings.PAGE_CACHE_REDIS_RETRY_SECONDS = 2
    page = PageFactory(title="Hot page")
    settings.CACHES = REDIS_DOWN
    for _ in range(5):
        assert "Hot page" in served_from_cache(client, page)[1]
    assert len(redis_calls) == 1  # the first request failed; the breaker kept Redis out
    assert caplog.text.count("page cache: lookup failed") == 1
    clock[0] += 2.5
    for _ in range(5):
        assert served_from_cache(client, page)[0]
    assert len(redis_calls) == 2  # one more try after the interval, failed again


class _DeadCache:
    """A cache whose server does not answer (without changing the CACHES setting)."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("Redis is down")

        return fail


def test_an_edit_made_while_redis_is_down_shows_here_at_once_and_everywhere_once_it_is_back(
    client, settings, clock, monkeypatch
):
    settings.PAGE_CACHE_GENERATION_CHECK_SECONDS = 60
    page = PageFactory(title="Before")
    served_from_cache(client, page)
    redis = pagecache.cache
    version = redis.get(pagecache.TAG_PREFIX + "programs")
    assert version

    monkeypatch.setattr(pagecache, "cache", _DeadCache())
    clock[0] += 61
    assert served_from_cache(client, page)[0]
    page.title = "After"
    page.save()  # invalidate("programs"): this process's pages of it are stale at once
    hit, html = served_from_cache(client, page)
    assert not hit and "After" in html

    monkeypatch.setattr(pagecache, "cache", redis)  # Redis is back: the pending bump is made
    clock[0] += 61
    hit, html = served_from_cache(client, page)
    assert not hit and "After" in html
    assert redis.get(pagecache.TAG_PREFIX + "programs") not in (None, version)

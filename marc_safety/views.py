import logging

import redis
from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe

from core import jsonld
from core.pagecache import public_page
from coresponder import selectors as coresponder
from marc_safety import opendata
from marc_safety.search import MAX_QUERY_LENGTH, site_search, spelling_suggestion
from programs import selectors as programs
from training import selectors as training

log = logging.getLogger(__name__)

# Providers of upcoming events for the home page; the training calendar joins here.
UPCOMING_SOURCES: list = [training.upcoming_events]

# Highlights whose figures a program publishes itself, by slug: the co-responder highlight
# shows the latest release of /co-responder/, never hand-typed figures that could disagree.
# Publishing a release invalidates "programs", which every page showing highlights reads.
programs.highlight_figures_register("co-responder-program", coresponder.highlight_figures)


# Program areas and highlights; upcoming events by title and date. No seats, so registrations
# leave it cached (it would also need "calendar" if it showed them).
@require_safe
@public_page("programs", "events")
def home(request: HttpRequest) -> HttpResponse:
    upcoming = [event for source in UPCOMING_SOURCES for event in source(limit=5)]
    context = {
        "areas": programs.areas_published(),
        "highlights": programs.highlights_latest(limit=3),
        "upcoming": upcoming,
        # The council as schema.org's GovernmentOrganization, for search engines.
        "jsonld": jsonld.block(jsonld.council(request)),
    }
    response = render(request, "home.html", context)
    return jsonld.allow(response, context["jsonld"])


@require_safe
@public_page("programs", "events")
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    error, page, suggestion = "", None, ""
    if len(query) > MAX_QUERY_LENGTH:
        error = f"Please shorten your search to {MAX_QUERY_LENGTH} characters or fewer."
    elif query:
        paginator = Paginator(site_search(query), 10)
        page = paginator.get_page(request.GET.get("page"))
        suggestion = "" if paginator.count else spelling_suggestion(query)
    context = {"query": query, "error": error, "page": page, "suggestion": suggestion}
    return render(request, "search.html", context, status=400 if error else 200)


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "accessibility.html")


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy.html")


@require_safe
@public_page(*opendata.CACHE_TAGS)
def data_json(request: HttpRequest) -> JsonResponse:
    """The open data catalogue (Project Open Data v1.1), for harvesters such as data.gov."""
    response = JsonResponse(opendata.catalogue(request), json_dumps_params={"indent": 2})
    response["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    return response


@require_safe
@public_page(*opendata.CACHE_TAGS)
def open_data(request: HttpRequest) -> HttpResponse:
    """The catalogue's datasets and their downloads, for people."""
    context = {
        "datasets": opendata.datasets(request),
        "license": opendata.LICENSE,
        "license_name": opendata.LICENSE_NAME,
    }
    return render(request, "open_data.html", context)


# Browsers and bookmark tools ask for /favicon.ico at the site root whatever the page says.
FAVICON = settings.BASE_DIR / "static" / "img" / "favicon.ico"


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> FileResponse:
    return FileResponse(FAVICON.open("rb"), content_type="image/x-icon")


@require_safe
@cache_control(max_age=86400, public=True)
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: the name and icons a phone shows for a saved home-screen link."""
    body = {
        "name": "MARC Safety Portal, Mid-America Regional Council",
        "short_name": "MARC Safety",
        "start_url": "/",
        "display": "browser",
        "background_color": "#ffffff",
        "theme_color": "#0b3a5b",
        "icons": [
            {"src": static(f"img/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
            for size in (192, 512)
        ],
    }
    response = JsonResponse(body)
    response["Content-Type"] = "application/manifest+json"
    return response


def _check(name: str, probe) -> tuple[str, bool]:
    try:
        probe()
        return "ok", True
    except Exception as exc:
        log.error("healthz: %s is down: %s", name, exc)
        return f"down: {exc.__class__.__name__}", False


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    cache.set("healthz", "ok", 10)
    if cache.get("healthz") != "ok":
        raise RuntimeError("cache did not return what was stored")


def _broker() -> None:
    if settings.CELERY_BROKER_URL.startswith("memory://"):
        return  # eager mode: tasks run in-process, there is no broker to reach
    client = redis.Redis.from_url(
        settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1
    )
    try:
        client.ping()
    finally:
        client.close()


def _monitoring(request: HttpRequest) -> bool:
    """Local monitoring (loopback, not through the proxy) or one holding HEALTHZ_TOKEN."""
    token = settings.HEALTHZ_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if given and constant_time_compare(given, token):
            return True
    remote = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    return not forwarded and remote in ("127.0.0.1", "::1")


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Up or down for anyone; which part failed, and why, only for monitoring."""
    results = {
        name: _check(name, probe)
        for name, probe in (("database", _database), ("cache", _cache), ("broker", _broker))
    }
    healthy = all(ok for _, ok in results.values())
    body = {"status": "ok" if healthy else "fail"}
    if _monitoring(request):
        body |= {k: v for k, (v, _) in results.items()}
    return JsonResponse(body, status=200 if healthy else 503)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page: its template needs no database, so it renders when that is down."""
    return render(request, "500.html", status=500)

"""Each public page runs a fixed number of queries, whether the site has 5 pages or 200."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.programs.factories import (
    AreaFactory,
    DocumentFactory,
    FigureFactory,
    HighlightFactory,
    PageFactory,
)

pytestmark = pytest.mark.django_db

QUERY_BOUND = 10
URLS = [
    "/",
    "/programs/area-main/",
    "/programs/area-main/leaf/",
    "/be-prepared/",
    "/highlights/2024/",
    "/documents/",
    "/search/?q=exercise",
    "/sitemap.xml",
]


def _build_site() -> None:
    main = AreaFactory(slug="area-main")
    AreaFactory(slug="be-prepared", title="Be prepared")
    top = PageFactory(area=main, slug="top", body="exercise")
    middle = PageFactory(area=main, parent=top, slug="middle", body="exercise")
    PageFactory(area=main, parent=middle, slug="leaf", body="exercise")


def _add_content(pages: int) -> None:
    """More pages (some nested), documents linked to pages, and highlights with figures."""
    from programs.models import ProgramArea, ProgramPage

    areas = list(ProgramArea.objects.all()) + AreaFactory.create_batch(3)
    top, leaf = ProgramPage.objects.get(slug="top"), ProgramPage.objects.get(slug="leaf")
    for n in range(pages):
        area = areas[n % len(areas)]
        parent = top if area == top.area and n % 2 else None
        page = PageFactory(area=area, parent=parent, body="tabletop exercise")
        if n % 3 == 0:
            document = DocumentFactory(area=area, description="exercise plan")
            document.pages.add(leaf if n % 2 else page)
        if n % 4 == 0:
            FigureFactory.create_batch(2, highlight=HighlightFactory(summary="exercise"))


def _query_counts(client) -> dict[str, int]:
    cache.clear()
    counts = {}
    for url in URLS:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = len(queries)
    return counts


def test_public_pages_query_count_is_the_same_with_5_or_200_pages(client):
    _build_site()
    _add_content(2)
    small = _query_counts(client)
    _add_content(195)
    large = _query_counts(client)
    assert large == small
    assert max(large.values()) <= QUERY_BOUND, large

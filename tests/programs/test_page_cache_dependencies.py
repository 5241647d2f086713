"""Which cached pages a change to program content re-renders (core.pagecache tags).

Pages, highlights and documents show on the program pages, the home page, search and the
sitemap; the training calendar and event pages show none of them, so they stay cached.
"""

import pytest

from tests.programs.factories import AreaFactory, PageFactory
from tests.training.factories import EventFactory

pytestmark = pytest.mark.django_db


def is_hit(client, url) -> bool:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get("X-Page-Cache") == "hit"


@pytest.fixture
def urls():
    area = AreaFactory(title="Regional 911")
    page = PageFactory(area=area, title="Radio systems", body="Consoles and towers.")
    sibling = PageFactory(area=area, title="Text to 911")
    event = EventFactory(title="Console training")
    return {
        "page": page.get_absolute_url(),
        "sibling": sibling.get_absolute_url(),
        "area": area.get_absolute_url(),
        "home": "/",
        "search": "/search/?q=consoles",
        "sitemap": "/sitemap.xml",
        "calendar": "/calendar/",
        "event": event.get_absolute_url(),
    }


def test_a_page_edit_re_renders_program_pages_but_not_the_calendar(client, urls):
    for url in urls.values():
        client.get(url)
    assert all(is_hit(client, url) for url in urls.values())

    page = PageFactory._meta.model.objects.get(title="Radio systems")
    page.body = "Consoles, towers and the new backup center."
    page.save()

    rendered = {name for name, url in urls.items() if not is_hit(client, url)}
    assert rendered == {"page", "sibling", "area", "home", "search", "sitemap"}
    assert "new backup center" in client.get(urls["page"]).content.decode()

"""Every public page is found from the home page within two clicks.

A crawl from "/" with the test client, as a visitor clicking links (and the header's search
form) would: the pages linked from home are one click away, the pages they link to two.
What must be reached: every address of the sitemap and the public pages that are not in it
(the peer-support form, the calendar feed, training history and certificate checks, search).
"""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.django_db

NOT_IN_SITEMAP = [
    "/peer-support/",
    "/peer-support/request/",
    "/be-prepared/",
    "/highlights/",
    "/documents/",
    "/calendar/",
    "/calendar/feed.ics",
    "/training/history/",
    "/training/verify/",
    "/co-responder/",
    "/search/",
]
NOT_PUBLIC = ("/staff/", "/admin/", "/account/")


class Links(HTMLParser):
    """The addresses a visitor can go to from a page: links and GET forms."""

    def __init__(self):
        super().__init__()
        self.found: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            self._add(attrs.get("href"))
        elif tag == "form" and (attrs.get("method") or "get").lower() == "get":
            self._add(attrs.get("action"))

    def _add(self, address):
        parts = urlsplit(address or "")
        on_this_site = parts.scheme in ("", "http", "https") and parts.netloc in ("", "testserver")
        if on_this_site and parts.path.startswith("/") and not parts.path.startswith(NOT_PUBLIC):
            self.found.add(parts.path)


def links_on(client, path: str) -> set[str]:
    response = client.get(path, follow=True)
    if response.status_code != 200 or "text/html" not in response["Content-Type"]:
        return set()
    parser = Links()
    parser.feed(response.content.decode())
    arrived = {path} | {urlsplit(url).path for url, _ in response.redirect_chain}
    return parser.found | arrived


def within_two_clicks(client) -> set[str]:
    one_click = links_on(client, "/")
    reached = set(one_click)
    for path in sorted(one_click):
        reached |= links_on(client, path)
    return reached


@pytest.fixture
def public_site(db):
    """The demo content and two upcoming courses."""
    from programs.services import demo_content_load
    from tests.training.factories import EventFactory, in_days

    demo_content_load()
    EventFactory(title="Dispatcher wellness", starts_at=in_days(3), ends_at=in_days(3, 12))
    EventFactory(title="Active shooter response", starts_at=in_days(9), ends_at=in_days(9, 12))


def sitemap_paths(client) -> set[str]:
    xml = client.get("/sitemap.xml").content.decode()
    parser = _Locations()
    parser.feed(xml)
    return parser.paths


class _Locations(HTMLParser):
    def __init__(self):
        super().__init__()
        self.paths: set[str] = set()
        self._in_loc = False

    def handle_starttag(self, tag, attrs):
        self._in_loc = tag == "loc"

    def handle_endtag(self, tag):
        self._in_loc = False

    def handle_data(self, data):
        if self._in_loc and data.strip():
            self.paths.add(urlsplit(data.strip()).path)


def test_every_public_page_is_within_two_clicks_of_home(client, public_site):
    wanted = sitemap_paths(client) | set(NOT_IN_SITEMAP)
    assert "/programs/public-safety-communications/911-training/" in wanted  # a nested page

    missing = wanted - within_two_clicks(client)

    assert not missing, f"not reachable from home within two clicks: {sorted(missing)}"


def test_home_links_to_the_pages_nobody_could_find(client, public_site):
    one_click = links_on(client, "/")
    for path in ("/training/history/", "/training/verify/", "/co-responder/", "/calendar/feed.ics"):
        assert path in one_click


def test_the_911_training_page_links_to_the_calendar(client, public_site):
    links = links_on(client, "/programs/public-safety-communications/911-training/")
    assert {"/calendar/", "/training/history/"} <= links

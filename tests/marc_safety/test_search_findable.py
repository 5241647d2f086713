"""Site search finds every public page, by the words people use, and reads as plain text.

On the demo content: the peer-support pages for "peer support", synonyms ("hazmat",
"tornado", "certificate", "CE"), "Did you mean" for a misspelling, and snippets without
Markdown markers.
"""

import re
from html import unescape

import pytest

from core.search import search_terms
from tests.programs.factories import PageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_site(db):
    from programs.services import demo_content_load

    demo_content_load()


def search(client, q):
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    return response.context["page"].object_list, response.content.decode()


def test_peer_support_finds_the_peer_support_pages_at_the_top(client, demo_site):
    hits, _ = search(client, "peer support")
    top = [hit.url for hit in hits[:3]]
    assert "/peer-support/" in top
    assert "/peer-support/request/" in [hit.url for hit in hits[:5]]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("certificate", "/training/history/"),
        ("certificate", "/training/verify/"),
        ("hazmat", "/programs/hazardous-materials/"),
        ("tornado", "/programs/be-prepared/kit/"),
        ("CE", "/programs/public-safety-communications/911-training/"),
        ("subscribe calendar", "/calendar/feed.ics"),
        ("co-responder figures", "/co-responder/"),
    ],
)
def test_synonyms_and_pages_without_rows_are_found(client, demo_site, words, expected):
    hits, html = search(client, words)
    assert expected in [hit.url for hit in hits]
    assert "Nothing matched" not in html


def test_a_misspelling_gets_a_did_you_mean_link_that_finds_pages(client, demo_site):
    hits, html = search(client, "traning")
    assert hits == []
    assert 'Did you mean <a href="/search/?q=training">training</a>?' in html
    found, _ = search(client, "training")
    assert found


def test_words_nobody_wrote_get_no_suggestion(client, demo_site):
    hits, html = search(client, "xylophone")
    assert hits == []
    assert "Did you mean" not in html
    assert "Nothing matched" in html


def test_snippets_are_plain_text_without_markdown(client, demo_site):
    PageFactory(
        title="Radio",
        body="## Radio systems\n\n- **Interoperable** radio for [every agency](/x/)\n"
        "- *Shared* `radio` channels\n\n| radio | count |\n|---|---|\n| one | 2 |\n",
    )
    for words in ("radio", "peer support", "hazardous materials", "plan", "training"):
        hits, _ = search(client, words)
        assert hits
        for hit in hits:
            text = unescape(re.sub(r"</?mark>", "", str(hit.snippet)))
            for marker in ("- ", "**", "#", "](", "`", "|"):
                assert marker not in text, f"{marker!r} in the snippet of {hit.title}: {text}"


def test_each_reading_of_a_query_replaces_known_words_with_synonyms():
    assert search_terms("hazmat training") == ["hazmat training", "hazardous materials training"]
    assert search_terms("Peer support") == ["Peer support"]
    assert len(search_terms("911 " * 10)) == 8  # at most 8 readings

"""Full-text search helpers every app's search selector uses, so that all hits read alike.

An app's selector parses the visitor's text with search_query, ranks rows by their
`search_vector` column with search_rank, cuts a snippet with search_headline and turns it
into safe HTML with highlighted_snippet; it answers a list of SearchHit. marc_safety.search
gathers those selectors into the site search and merges their hits by rank.
"""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db.models import F
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

CONFIG = "english"


@dataclass(frozen=True)
class SearchHit:
    """One search result, whatever app it comes from."""

    kind: str
    title: str
    url: str
    snippet: SafeString
    rank: float


_START, _STOP = "\ue000", "\ue001"  # private-use characters: never in real text
_MARKDOWN_NOISE = re.compile(r"[#*_`]+|!?\[|\]\([^)]*\)?|\]")


def search_query(text: str) -> SearchQuery:
    """What a visitor typed, read the way web search engines read it ("quotes", -not, or)."""
    return SearchQuery(text, search_type="websearch", config=CONFIG)


def search_rank(query: SearchQuery, *, vector: str = "search_vector") -> SearchRank:
    """The rank of a row's search vector for the query, scaled to 0..1 so that the hits of
    different apps can be merged by it."""
    return SearchRank(F(vector), query, normalization=32)


def search_headline(field: str, query: SearchQuery) -> SearchHeadline:
    """A snippet of the field around the matches, the matches between sentinels that
    highlighted_snippet turns into <mark> once the rest is escaped."""
    return SearchHeadline(
        field,
        query,
        config=CONFIG,
        start_sel=_START,
        stop_sel=_STOP,
        max_words=35,
        min_words=15,
        max_fragments=2,
        fragment_delimiter=" … ",
    )


def highlighted_snippet(raw: str) -> SafeString:
    """Escape a ts_headline fragment, then turn its sentinels into <mark> elements."""
    text = _MARKDOWN_NOISE.sub(" ", raw or "")
    text = re.sub(r"\s+", " ", text).strip()
    html = escape(text).replace(_START, "<mark>").replace(_STOP, "</mark>")
    return mark_safe(html)  # noqa: S308 - escaped above; only our own <mark> tags remain

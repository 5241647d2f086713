"""Site search: gathers hits from every app's selectors and merges them by rank.

An app joins site search by adding its selector to SOURCES; the apps never import this
module, so the dependency points one way, down. Each selector builds its hits with the
shared helpers of core.search, so their ranks compare and their snippets read alike.
"""

from collections.abc import Callable

from core.search import SearchHit
from coresponder.selectors import search_figures_page
from programs.selectors import search_content
from training.selectors import search_events

SOURCES: list[Callable[..., list[SearchHit]]] = [search_content, search_events, search_figures_page]

MAX_QUERY_LENGTH = 200


def site_search(text: str, *, per_source: int = 50) -> list[SearchHit]:
    hits = [hit for source in SOURCES for hit in source(text, limit=per_source)]
    return sorted(hits, key=lambda hit: hit.rank, reverse=True)

"""Full-text search helpers every search source uses, so that all hits read alike.

An app's selector parses the visitor's text with search_query, ranks rows by their
`search_vector` column with search_rank, cuts a snippet with search_headline and turns it
into safe HTML with highlighted_snippet; it answers a list of SearchHit. Pages that are not
table rows are ranked by search_texts, with the same query, weights, rank and snippets.
marc_safety.search gathers the sources into the site search and merges their hits by rank.

What a visitor types is widened with SYNONYMS (the words the region's responders use for
the words the pages use), and when nothing matches, closest_words offers the nearest words
of the site's own vocabulary (PostgreSQL's pg_trgm, enabled by core's 0002 migration).
"""

import itertools
import operator
import re
from dataclasses import dataclass
from functools import reduce

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Func, TextField, Value
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

CONFIG = "english"
RANK_NORMALIZATION = 32  # rank / (rank + 1): every source's ranks fall in 0..1 and compare

# One word a visitor may type -> the words the pages may use instead. Keys are lower case
# single words; each is searched as typed OR as any of its alternatives.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "hazmat": ("hazardous materials",),
    "ce": ("continuing education",),
    "ceu": ("continuing education",),
    "ceus": ("continuing education",),
    "emd": ("emergency medical dispatch",),
    "cism": ("critical incident stress",),
    "cisd": ("critical incident stress",),
    "911": ("9-1-1",),
    "9-1-1": ("911",),
    "ng911": ("next generation 911",),
    "tornado": ("severe weather", "storm"),
    "tornadoes": ("severe weather", "storm"),
    "storm": ("severe weather",),
    "certificate": ("credit hours",),
    "certificates": ("credit hours",),
    "transcript": ("training history",),
    "lepc": ("local emergency planning committee",),
    "ems": ("emergency medical services",),
    "dispatcher": ("telecommunicator",),
    "dispatchers": ("telecommunicators",),
    "counseling": ("peer support",),
    "counselling": ("peer support",),
    "ical": ("calendar feed",),
    "ics": ("calendar feed",),
}
MAX_ALTERNATIVES = 8  # a query naming many synonyms is searched in its first 8 readings


@dataclass(frozen=True)
class SearchHit:
    """One search result, whatever app it comes from."""

    kind: str
    title: str
    url: str
    snippet: SafeString
    rank: float


_START, _STOP = "\ue000", "\ue001"  # private-use characters: never in real text
HEADLINE_OPTIONS = {
    "StartSel": _START,
    "StopSel": _STOP,
    "MaxWords": 35,
    "MinWords": 15,
    "MaxFragments": 2,
    "FragmentDelimiter": " … ",
}


def search_terms(text: str) -> list[str]:
    """What a visitor typed, then the same words with synonyms in place of known words
    ("hazmat training" -> also "hazardous materials training")."""
    choices = [(word, *SYNONYMS.get(word.lower(), ())) for word in text.split()]
    readings = itertools.islice(itertools.product(*choices), MAX_ALTERNATIVES)
    return [" ".join(words) for words in readings] or [text]


def search_query(text: str) -> SearchQuery:
    """What a visitor typed, read the way web search engines read it ("quotes", -not, or),
    matching any of its readings with synonyms."""
    queries = [SearchQuery(t, search_type="websearch", config=CONFIG) for t in search_terms(text)]
    return reduce(operator.or_, queries)


def search_rank(query: SearchQuery, *, vector: str = "search_vector") -> SearchRank:
    """The rank of a row's search vector for the query, scaled to 0..1 so that the hits of
    different apps can be merged by it."""
    return SearchRank(F(vector), query, normalization=RANK_NORMALIZATION)


# (pattern, replacement, flags) for regexp_replace, in order; "n": ^ and $ match at each line.
_MARKDOWN_TO_TEXT = (
    (r"!?\[([^]]*)\]\([^)]*\)", r"\1", "g"),  # [text](url), ![alt](src) -> text, alt
    (r"<[^>]*>", " ", "g"),  # inline HTML tags
    (r"^[ \t]*[-|:*_ \t]{3,}$", "", "gn"),  # rules and table separator lines
    (r"^[ \t]*(#{1,6}|[-*+]|[0-9]+[.)]|>)[ \t]+", "", "gn"),  # headings, list items, quotes
    (r"[*`]+|\m_+|_+\M", "", "g"),  # emphasis and code
    (r"\|", " ", "g"),  # table cells
)


def plain_text(field: str) -> Func:
    """A Markdown field as plain text (the text of links and images kept, the markers
    dropped), so that snippets cut from it never show "##", "- " or "**"."""
    expression = F(field)
    for pattern, replacement, flags in _MARKDOWN_TO_TEXT:
        expression = Func(
            expression,
            Value(pattern),
            Value(replacement),
            Value(flags),
            function="regexp_replace",
            output_field=TextField(),
        )
    return expression


def search_headline(field: str, query: SearchQuery) -> SearchHeadline:
    """A plain-text snippet of the (Markdown) field around the matches, the matches between
    sentinels that highlighted_snippet turns into <mark> once the rest is escaped."""
    return SearchHeadline(
        plain_text(field),
        query,
        config=CONFIG,
        start_sel=HEADLINE_OPTIONS["StartSel"],
        stop_sel=HEADLINE_OPTIONS["StopSel"],
        max_words=HEADLINE_OPTIONS["MaxWords"],
        min_words=HEADLINE_OPTIONS["MinWords"],
        max_fragments=HEADLINE_OPTIONS["MaxFragments"],
        fragment_delimiter=HEADLINE_OPTIONS["FragmentDelimiter"],
    )


def highlighted_snippet(raw: str) -> SafeString:
    """Escape a ts_headline fragment, then turn its sentinels into <mark> elements."""
    text = re.sub(r"\s+", " ", raw or "").strip()
    html = escape(text).replace(_START, "<mark>").replace(_STOP, "</mark>")
    return mark_safe(html)  # noqa: S308 - escaped above; only our own <mark> tags remain


@dataclass(frozen=True)
class SearchText:
    """A page that is not a table row, as search sees it: its title (weight A), keywords
    (weight B) and plain-text description (weight B, and the snippet)."""

    title: str
    keywords: str
    description: str


def search_texts(text: str, pages: list[SearchText], *, limit: int) -> list[tuple[int, float, str]]:
    """The pages matching a search, best first, as (position in pages, rank, snippet): the
    same query, weights, rank and ts_headline as the table rows, in one statement."""
    if not pages or limit < 1:
        return []
    terms = search_terms(text)
    query_sql = " || ".join(["websearch_to_tsquery(%s::regconfig, %s)"] * len(terms))
    options = ", ".join(f"{name}='{value}'" for name, value in HEADLINE_OPTIONS.items())
    rows_sql = ", ".join(["(%s, %s, %s, %s)"] * len(pages))
    sql = f"""
        WITH query AS (SELECT {query_sql} AS q),
        pages (n, title, keywords, description) AS (VALUES {rows_sql}),
        documents AS (
            SELECT n, description,
                   setweight(to_tsvector(%s::regconfig, title), 'A')
                   || setweight(to_tsvector(%s::regconfig, keywords || ' ' || description), 'B')
                   AS document
            FROM pages
        )
        SELECT n, ts_rank(document, q, %s), ts_headline(%s::regconfig, description, q, %s)
        FROM documents, query
        WHERE document @@ q
        ORDER BY 2 DESC, n
        LIMIT %s
    """  # noqa: S608 - only placeholders are formatted in; every value is a parameter
    params = [value for term in terms for value in (CONFIG, term)]
    params += [v for n, p in enumerate(pages) for v in (n, p.title, p.keywords, p.description)]
    params += [CONFIG, CONFIG, RANK_NORMALIZATION, CONFIG, options, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


WORD = re.compile(r"[^\W\d_]{3,}")  # a word of three letters or more, as spelling sees it
MIN_SIMILARITY = 0.4  # pg_trgm's similarity: "traning" ~ "training" is 0.55


def closest_words(text: str, vocabulary: set[str]) -> str:
    """The text with each word not in the vocabulary replaced by the vocabulary's most
    similar word (pg_trgm), or "" when no word has a close match."""
    unknown = sorted({w.lower() for w in WORD.findall(text)} - vocabulary)
    if not unknown or not vocabulary:
        return ""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT DISTINCT ON (typed) typed, known
            FROM unnest(%s::text[]) AS typed, unnest(%s::text[]) AS known
            WHERE similarity(typed, known) >= %s
            ORDER BY typed, similarity(typed, known) DESC, known
            """,
            [unknown, sorted(vocabulary), MIN_SIMILARITY],
        )
        replacements = dict(cursor.fetchall())
    if not replacements:
        return ""
    return WORD.sub(lambda m: replacements.get(m.group(0).lower(), m.group(0)), text)

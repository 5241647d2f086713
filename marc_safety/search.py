"""Site search: gathers hits from every source and merges them by rank.

An app joins site search by adding its selector to SOURCES; the apps never import this
module, so the dependency points one way, down. Each selector builds its hits with the
shared helpers of core.search, so their ranks compare and their snippets read alike.

Public pages that are not table rows (the peer-support pages, training history and
certificate checks, the co-responder figures, the calendar and its feed, the documents
list) are described once, in STATIC_PAGES, and ranked by the database like the rows are.
When nothing matches, spelling_suggestion offers the nearest words of the site's titles
and keywords ("traning" -> "training").
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from core.search import (
    SYNONYMS,
    WORD,
    SearchHit,
    SearchText,
    closest_words,
    highlighted_snippet,
    search_texts,
)
from programs import selectors as programs
from training import selectors as training

MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class StaticPage:
    """A public page with no table row behind it, as site search describes it."""

    url_name: str
    kind: str
    text: SearchText


STATIC_PAGES = [
    StaticPage(
        "peersupport:start",
        "Peer support",
        SearchText(
            title="911 Peer Support Line and team",
            keywords="peer support, help, talk, stress, wellness, critical incident, CISM, "
            "dispatchers, telecommunicators, call-takers, commanders, confidential, 24 hours",
            description="Dispatchers, call-takers and commanders of the region's 911 centers "
            "can talk in confidence with a trained peer who knows the work: call the Peer "
            "Support Line at any hour, or ask the team to get in touch.",
        ),
    ),
    StaticPage(
        "peersupport:request",
        "Peer support",
        SearchText(
            title="Ask the peer support team for help",
            keywords="peer support, request, form, contact me, call back, critical incident",
            description="A short, confidential form: say how to reach you and how soon, and "
            "a peer support coordinator gets back to you. You get a private link to check "
            "on your request.",
        ),
    ),
    StaticPage(
        "training:history:request",
        "Training",
        SearchText(
            title="Your training history and certificates",
            keywords="certificate, certificates, credit hours, continuing education, CE, "
            "transcript, attendance, records, courses attended, PDF",
            description="Anyone who registered for a MARC training can have a private link "
            "emailed to them: the courses they attended, the credit hours earned and a PDF "
            "certificate for each course.",
        ),
    ),
    StaticPage(
        "training:history:verify",
        "Training",
        SearchText(
            title="Check a training certificate",
            keywords="verify, verification, certificate, genuine, code, employer, credit hours",
            description="Check that a MARC training certificate is genuine: type the code "
            "printed on it to see the course, the date and the credit hours it records.",
        ),
    ),
    StaticPage(
        "training:calendar",
        "Training",
        SearchText(
            title="Training calendar",
            keywords="courses, classes, training, events, register, registration, schedule, "
            "continuing education",
            description="Upcoming courses and events for the region's 911 professionals, "
            "emergency managers and responders, with the seats left and how to register.",
        ),
    ),
    StaticPage(
        "training:feed",
        "Training",
        SearchText(
            title="Training calendar feed",
            keywords="calendar feed, subscribe, iCalendar, ICS, webcal, Outlook, Google "
            "Calendar, Apple Calendar",
            description="Subscribe to the training calendar in Outlook, Google Calendar or "
            "Apple Calendar: new and changed courses appear in your own calendar by themselves.",
        ),
    ),
    StaticPage(
        "coresponder:public",
        "Program figures",
        SearchText(
            title="Co-responder program figures",
            keywords="co-responder, behavioral health, mental health, police, clinicians, "
            "statistics, data, numbers",
            description="Yearly figures of the Eastern Jackson County co-responder program, "
            "in which behavioral health clinicians respond alongside police officers to calls "
            "involving mental health, substance use or a related crisis: mental-health calls, "
            "on-site and field assessments, encounters linked to services, and arrests or "
            "custody avoided.",
        ),
    ),
    StaticPage(
        "open_data",
        "Open data",
        SearchText(
            title="Open data",
            keywords="open data, download, CSV, JSON, data.json, dataset, datasets, "
            "statistics, reuse, API",
            description="Data the portal publishes for anyone to download and reuse: the "
            "co-responder program figures as CSV and JSON files, the training calendar feed "
            "and the co-responder data dictionary.",
        ),
    ),
    StaticPage(
        "coresponder:dictionary",
        "Program figures",
        SearchText(
            title="Co-responder data dictionary",
            keywords="co-responder, data dictionary, open data, open standard, fields, codes, "
            "CSV template, schema, JSON Schema, Table Schema, Frictionless, data package, "
            "import, measures, suppression",
            description="The shared data dictionary of the co-responder program: every field, "
            "code and rule of the encounter and call-volume files, how the measures are "
            "counted and how the public figures protect privacy, with CSV templates and "
            "schemas to download.",
        ),
    ),
    StaticPage(
        "programs:documents",
        "Documents",
        SearchText(
            title="Plans and documents",
            keywords="plans, documents, reports, downloads, PDF, regional plans",
            description="The region's published plans, reports and guides, to read or "
            "download, by program area and kind.",
        ),
    ),
]


def search_static_pages(text: str, *, limit: int = 50) -> list[SearchHit]:
    """The public pages without a table row that match a search, best first."""
    found = search_texts(text, [page.text for page in STATIC_PAGES], limit=limit)
    return [
        SearchHit(
            STATIC_PAGES[n].kind,
            STATIC_PAGES[n].text.title,
            reverse(STATIC_PAGES[n].url_name),
            highlighted_snippet(snippet),
            rank,
        )
        for n, rank, snippet in found
    ]


SOURCES: list[Callable[..., list[SearchHit]]] = [
    programs.search_content,
    training.search_events,
    search_static_pages,
]


def site_search(text: str, *, per_source: int = 50) -> list[SearchHit]:
    hits = [hit for source in SOURCES for hit in source(text, limit=per_source)]
    return sorted(hits, key=lambda hit: hit.rank, reverse=True)


def vocabulary() -> set[str]:
    """The words of the site's titles and keywords, lower case, for spelling suggestions."""
    texts = [f"{page.text.title} {page.text.keywords}" for page in STATIC_PAGES]
    for rows in (
        programs.areas_published(),
        programs.pages_published(),
        programs.documents_published(),
        training.events_for_sitemap(),
    ):
        texts += rows.values_list("title", flat=True)
    texts += [f"{word} {' '.join(others)}" for word, others in SYNONYMS.items()]
    return {word.lower() for text in texts for word in WORD.findall(text)}


def spelling_suggestion(text: str) -> str:
    """A search with the visitor's misspelt words corrected, if that search finds pages;
    otherwise ""."""
    suggestion = closest_words(text, vocabulary())
    if suggestion and site_search(suggestion, per_source=1):
        return suggestion
    return ""

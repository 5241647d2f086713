"""Reads of public program content, shared by the views, the home page and site search."""

import itertools

from django.db.models import Count, Model, Prefetch, Q, QuerySet
from django.http import Http404
from reversion.models import Version

from core.search import SearchHit, highlighted_snippet, search_headline, search_query, search_rank
from programs.figure_sources import Sourced as Sourced
from programs.figure_sources import register as highlight_figures_register  # noqa: F401
from programs.figure_sources import with_sourced_figures
from programs.models import (
    Document,
    Draft,
    Highlight,
    HighlightFigure,
    ProgramArea,
    ProgramPage,
    Status,
)


def areas_published() -> QuerySet[ProgramArea]:
    return ProgramArea.objects.published()


def area_by_slug(slug: str) -> ProgramArea | None:
    """The area with this slug, published or not (for demo content), or None."""
    return ProgramArea.objects.filter(slug=slug).first()


def area_get(*, slug: str, preview: bool = False) -> ProgramArea:
    areas = ProgramArea.objects.all() if preview else ProgramArea.objects.published()
    try:
        return areas.get(slug=slug)
    except ProgramArea.DoesNotExist:
        raise Http404("No such program area.") from None


def area_pages(*, area: ProgramArea) -> list[ProgramPage]:
    """The area's published top-level pages, each with its published children prefetched."""
    children = ProgramPage.objects.published().only(
        "id", "title", "slug", "summary", "parent_id", "area_id", "order"
    )
    pages = (
        ProgramPage.objects.published()
        .filter(area=area, parent__isnull=True)
        .select_related("area")
        .prefetch_related(Prefetch("children", queryset=children.select_related("area")))
    )
    return list(pages)


def page_get(*, area_slug: str, slug: str, preview: bool = False) -> ProgramPage:
    pages = ProgramPage.objects.all() if preview else ProgramPage.objects.published()
    if not preview:
        pages = pages.filter(area__in=ProgramArea.objects.published())
    try:
        return pages.select_related("area", "parent__parent__parent", "parent__area").get(
            area__slug=area_slug, slug=slug
        )
    except ProgramPage.DoesNotExist:
        raise Http404("No such page.") from None


def page_children(*, page: ProgramPage) -> QuerySet[ProgramPage]:
    return ProgramPage.objects.published().filter(parent=page).select_related("area")


def documents_published(
    *, area: ProgramArea | None = None, page: ProgramPage | None = None, kind: str = ""
) -> QuerySet[Document]:
    docs = Document.objects.published().select_related("area")
    if area is not None:
        docs = docs.filter(area=area)
    if page is not None:
        docs = docs.filter(pages=page)
    if kind:
        docs = docs.filter(kind=kind)
    return docs


def document_get(*, slug: str) -> Document:
    try:
        return Document.objects.published().get(slug=slug)
    except Document.DoesNotExist:
        raise Http404("No such document.") from None


def _with_figures(highlights: QuerySet[Highlight]) -> QuerySet[Highlight]:
    return highlights.select_related("area").prefetch_related(
        Prefetch("figures", queryset=HighlightFigure.objects.order_by("order", "id"))
    )


def highlights_latest(*, limit: int = 3) -> list[Highlight]:
    highlights = _with_figures(Highlight.objects.published().order_by("-year", "order"))
    return with_sourced_figures(highlights[:limit])


def highlight_years() -> list[dict]:
    return list(
        Highlight.objects.published().values("year").annotate(count=Count("id")).order_by("-year")
    )


def highlights_for_year(*, year: int, preview: bool = False) -> list[Highlight]:
    highlights = Highlight.objects.all() if preview else Highlight.objects.published()
    return with_sourced_figures(_with_figures(highlights.filter(year=year)))


def areas_with_counts() -> QuerySet[ProgramArea]:
    return areas_published().annotate(
        document_count=Count("documents", filter=Q(documents__status="published"), distinct=True)
    )


# --- Site search -------------------------------------------------------------------------


def search_content(text: str, *, limit: int = 50) -> list[SearchHit]:
    """Published pages, areas, highlights and documents matching a search, best first."""
    query = search_query(text)
    rank = search_rank(query)
    sources = (  # (published rows, field for the snippet, kind label, snippet fallback)
        (areas_published(), "body", lambda a: "Program area", lambda a: a.summary),
        (
            pages_published(),
            "body",
            lambda p: f"Program page · {p.area.title}",
            lambda p: p.summary,
        ),
        (
            Highlight.objects.published(),
            "summary",
            lambda h: f"Highlight · {h.year}",
            lambda h: h.title,
        ),
        (
            Document.objects.published(),
            "description",
            lambda d: f"Document · {d.get_kind_display()}",
            lambda d: d.title,
        ),
    )
    hits: list[SearchHit] = []
    for rows, field, kind, fallback in sources:
        matches = (
            rows.filter(search_vector=query)
            .annotate(rank=rank, snippet=search_headline(field, query))
            .order_by("-rank")[:limit]
        )
        hits += [
            SearchHit(
                kind(row),
                row.title,
                row.get_absolute_url(),
                highlighted_snippet(row.snippet or fallback(row)),
                row.rank,
            )
            for row in matches
        ]
    return hits


def pages_published() -> QuerySet[ProgramPage]:
    """Every public page (its area published too), for the sitemap."""
    return (
        ProgramPage.objects.published()
        .filter(area__in=ProgramArea.objects.published())
        .select_related("area")
    )


# --- Drafts and revisions of live pages ----------------------------------------------------


def draft_for(obj: ProgramArea | ProgramPage) -> Draft | None:
    return (
        Draft.objects.select_related("saved_by", "scheduled_by")
        .filter(**{Draft.OWNER_FIELDS[type(obj)]: obj})
        .first()
    )


def with_draft(obj: ProgramArea | ProgramPage) -> ProgramArea | ProgramPage:
    """The object as its draft would publish it (obj itself when there is no draft)."""
    draft = draft_for(obj)
    if draft is not None:
        Draft.apply(draft.serialized_data, obj)
    return obj


def draft_preview_get(*, token: str) -> tuple[Draft, ProgramArea | ProgramPage]:
    """The draft with this preview token and its page as the draft would publish it."""
    draft = Draft.objects.select_related("area", "page__area").filter(preview_token=token).first()
    if draft is None:
        raise Http404("No such draft: it may have been published or discarded.")
    obj = draft.live
    Draft.apply(draft.serialized_data, obj)
    return draft, obj


def revision_history(obj: Model) -> list[dict]:
    """Each reversion revision of the object, newest first, with the fields it changed."""
    versions = list(
        Version.objects.get_for_object(obj).select_related("revision__user").order_by("-pk")
    )
    fields = Draft.content_fields(type(obj)) + [
        obj._meta.get_field("status"),
        obj._meta.get_field("publish_at"),
    ]
    history = []
    for version, older in itertools.pairwise([*versions, None]):  # none for a page never saved
        data = version.field_dict
        if older is None:
            changed = ["Created"]
        else:
            before = older.field_dict
            changed = [
                field.verbose_name.capitalize()
                for field in fields
                if data.get(field.attname) != before.get(field.attname)
            ]
        history.append(
            {
                "version": version,
                "revision": version.revision,
                "changed": changed or ["Nothing visible (saved without changes)"],
                "published": data.get("status") == Status.PUBLISHED,
            }
        )
    return history

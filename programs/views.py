import logging

from csp.decorators import csp
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from accounts.access import is_verified_staff
from accounts.audit import audit_denied
from core import dates, uploads
from core.pagecache import public_page
from programs import selectors
from programs.models import DocumentKind, ProgramArea, ProgramPage

BE_PREPARED_SLUG = "be-prepared"
# Downloads replace the site policy: even a file a browser opened anyway runs nothing,
# loads nothing and is a unique origin, never the portal's.
DOWNLOAD_CSP = {"default-src": ["'none'"], "frame-ancestors": ["'none'"], "sandbox": True}

log = logging.getLogger(__name__)


def _preview(request: HttpRequest, perm: str) -> bool:
    """Editors see drafts with ?preview=1, once this session has passed two-factor sign-in;
    everyone else (an editor signed in without a code included) gets the published site."""
    user = request.user
    verified = getattr(user, "is_verified", lambda: False)()
    return "preview" in request.GET and verified and user.has_perm(perm)


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


def _area_response(request: HttpRequest, area: ProgramArea, *, preview: bool) -> HttpResponse:
    context = {
        "area": area,
        "pages": selectors.area_pages(area=area),
        "documents": selectors.documents_published(area=area)[:10],
        "preview": preview,
    }
    response = render(request, "programs/area_detail.html", context)
    return _private(response) if preview else response


def _page_response(request: HttpRequest, page: ProgramPage, *, preview: bool) -> HttpResponse:
    context = {
        "page": page,
        "area": page.area,
        "ancestors": page.ancestors(),
        "children": selectors.page_children(page=page),
        "documents": selectors.documents_published(page=page),
        "preview": preview,
    }
    response = render(request, "programs/page_detail.html", context)
    return _private(response) if preview else response


@require_safe
@public_page("programs")
def area_detail(request: HttpRequest, area: str) -> HttpResponse:
    preview = _preview(request, "programs.view_programarea")
    area_obj = selectors.area_get(slug=area, preview=preview)
    if area_obj.slug == BE_PREPARED_SLUG and not preview:
        return redirect("programs:be_prepared")
    return _area_response(request, area_obj, preview=preview)


@require_safe
@public_page("programs")
def page_detail(request: HttpRequest, area: str, slug: str) -> HttpResponse:
    preview = _preview(request, "programs.view_programpage")
    page = selectors.page_get(area_slug=area, slug=slug, preview=preview)
    return _page_response(request, page, preview=preview)


@require_safe
def draft_preview(request: HttpRequest, token: str) -> HttpResponse:
    """The draft of a live page, rendered with the public template, for editors only.

    The address is unguessable, but it is not a key: only a signed-in editor (two-factor
    verified) who may view that kind of page opens it. Every answer, refusals included, is
    kept out of caches and search engines.
    """
    response = _draft_preview(request, token)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _draft_preview(request: HttpRequest, token: str) -> HttpResponse:
    if not is_verified_staff(request.user):
        return redirect_to_login(request.get_full_path())
    draft, obj = selectors.draft_preview_get(token=token)
    if not request.user.has_perm(f"programs.view_{obj._meta.model_name}"):
        audit_denied(request, object_type=obj._meta.label_lower, object_id=obj.pk)
        return render(request, "403.html", status=403)
    if isinstance(obj, ProgramArea):
        return _area_response(request, obj, preview=True)
    return _page_response(request, obj, preview=True)


@require_safe
@public_page("programs")
def be_prepared(request: HttpRequest) -> HttpResponse:
    area = selectors.area_get(slug=BE_PREPARED_SLUG)
    context = {
        "area": area,
        "pages": selectors.area_pages(area=area),
        "documents": selectors.documents_published(area=area),
    }
    return render(request, "programs/be_prepared.html", context)


@require_safe
@public_page("programs")
def highlights_index(request: HttpRequest) -> HttpResponse:
    years = selectors.highlight_years()
    if not years:
        return render(request, "programs/highlights.html", {"years": [], "highlights": []})
    return redirect("programs:highlights_year", year=years[0]["year"])


@require_safe
@public_page("programs")
def highlights_year(request: HttpRequest, year: int) -> HttpResponse:
    if not dates.year_in_range(year):
        raise Http404("No highlights for that year.")
    preview = _preview(request, "programs.view_highlight")
    highlights = selectors.highlights_for_year(year=year, preview=preview)
    if not highlights:
        raise Http404("No highlights for that year.")
    context = {
        "year": year,
        "years": selectors.highlight_years(),
        "highlights": highlights,
        "preview": preview,
    }
    response = render(request, "programs/highlights.html", context)
    return _private(response) if preview else response


@require_safe
@public_page("programs")
def document_list(request: HttpRequest) -> HttpResponse:
    areas = list(selectors.areas_published())
    area_slug = request.GET.get("area", "")
    kind = request.GET.get("kind", "")
    area = next((a for a in areas if a.slug == area_slug), None)
    if kind not in DocumentKind.values:
        kind = ""
    context = {
        "documents": selectors.documents_published(area=area, kind=kind),
        "areas": areas,
        "kinds": DocumentKind.choices,
        "selected_area": area.slug if area else "",
        "selected_kind": kind,
    }
    return render(request, "programs/document_list.html", context)


@require_safe
@csp(DOWNLOAD_CSP)
def document_download(request: HttpRequest, slug: str) -> FileResponse:
    """The document's file, always as an attachment of an allow-listed type.

    The type is checked again by content here, so a file stored before the allow-list
    existed is never served; ``manage.py documents_recheck`` unpublishes such documents.
    """
    document = selectors.document_get(slug=slug)
    try:
        handle = document.file.open("rb")
    except OSError:
        raise Http404("The file of this document is missing.") from None
    kind = uploads.detect(handle)
    if kind is None or document.extension.lower() not in kind.extensions:
        handle.close()
        log.warning("document %s: stored file %s is not allow-listed", slug, document.file.name)
        raise Http404("This document is not available.")
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{document.slug}.{document.extension.lower()}",
        content_type=kind.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response

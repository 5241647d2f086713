"""The public site as a visitor meets it: accessible (axe, WCAG 2.1 A/AA), usable at 320px,
and the things a visitor would notice working: skip link, search, breadcrumbs, the peer
support line, drafts kept private, documents that download, no CSP breakage.
"""

import re
from urllib.parse import quote_plus

import pytest

from marc_safety.search import MAX_QUERY_LENGTH
from programs.models import Document, ProgramPage, Status
from programs.selectors import areas_published, highlight_years, pages_published
from programs.views import BE_PREPARED_SLUG
from tests.e2e.helpers import DESKTOP, PHONE, assert_no_axe_violations, page_problems

SEARCH_WORDS = "peer support"
NO_HITS_WORDS = "xylophonequuxzebra"


# --- Which public pages exist: read from the demo content in the test database ----------


def _nested_page() -> ProgramPage:
    page = (
        pages_published()
        .filter(parent__isnull=False, parent__status=Status.PUBLISHED)
        .exclude(area__slug=BE_PREPARED_SLUG)
        .first()
    )
    assert page is not None, "The demo content has no published nested page."
    return page


def _home():
    return [("/", 200)]


def _areas():
    areas = areas_published().exclude(slug=BE_PREPARED_SLUG)
    assert areas, "The demo content has no published program areas."
    return [(area.get_absolute_url(), 200) for area in areas]


def _program_pages():
    urls = []
    for area in areas_published():
        page = pages_published().filter(area=area, parent__isnull=True).first()
        if page is not None:
            urls.append((page.get_absolute_url(), 200))
    assert urls, "The demo content has no published program pages."
    return urls


def _nested():
    return [(_nested_page().get_absolute_url(), 200)]


def _be_prepared():
    return [("/be-prepared/", 200)]


def _highlights():
    years = highlight_years()
    assert years, "The demo content has no published highlights."
    return [(f"/highlights/{years[0]['year']}/", 200)]


def _documents():
    return [("/documents/", 200)]


def _documents_filtered():
    doc = Document.objects.published().select_related("area").first()
    assert doc is not None, "The demo content has no published documents."
    return [(f"/documents/?area={doc.area.slug}&kind={doc.kind}", 200)]


def _search_form():
    return [("/search/", 200)]


def _search_hits():
    return [(f"/search/?q={quote_plus(SEARCH_WORDS)}", 200)]


def _search_no_hits():
    return [(f"/search/?q={NO_HITS_WORDS}", 200)]


def _search_too_long():
    return [(f"/search/?q={'a' * (MAX_QUERY_LENGTH + 1)}", 400)]


def _open_data():
    return [("/open-data/", 200), ("/co-responder/data-dictionary/", 200)]


def _not_found():
    return [("/programs/no-such-area/no-such-page/", 404)]


PUBLIC_PAGES = {
    "home": _home,
    "program-areas": _areas,
    "program-pages": _program_pages,
    "nested-page": _nested,
    "be-prepared": _be_prepared,
    "highlights-year": _highlights,
    "documents": _documents,
    "documents-filtered": _documents_filtered,
    "search-form": _search_form,
    "search-hits": _search_hits,
    "search-no-results": _search_no_hits,
    "search-too-long": _search_too_long,
    "open-data": _open_data,
    "not-found": _not_found,
}


@pytest.mark.parametrize("kind", PUBLIC_PAGES)
def test_public_page_is_accessible_and_fits_a_phone(site, page, kind):
    """axe finds no WCAG 2.1 A/AA violation at 1280 and at 320px, in light and dark mode,
    and at 320px nothing scrolls sideways."""
    problems = []
    for path, status in PUBLIC_PAGES[kind]():
        page.set_viewport_size(DESKTOP)
        response = page.goto(site + path)
        assert response is not None and response.status == status, (
            f"{path} answered {response and response.status}, expected {status}"
        )
        problems += page_problems(page, f"{path} at 1280px")
        page.set_viewport_size(PHONE)
        problems += page_problems(page, f"{path} at 320px")
    assert not problems, "\n\n".join(problems)


# --- Behaviour a visitor would notice ----------------------------------------------------


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(site, page):
    page.goto(site + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "({text: document.activeElement.textContent.trim(),"
        "  href: document.activeElement.getAttribute('href')})"
    )
    assert focused == {"text": "Skip to main content", "href": "#main"}
    box = page.locator("a.skip-link").bounding_box()
    assert box and box["width"] > 1 and box["height"] > 1, "the focused skip link is not visible"

    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert page.url.endswith("#main")


def test_header_search_highlights_matches_and_leads_to_the_page(site, page):
    page.goto(site + "/")
    page.get_by_role("search").get_by_label("Search the site").fill(SEARCH_WORDS)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))

    results = page.locator("ol.search-results > li")
    assert results.count() > 0, "searching for demo content found nothing"
    marks = page.locator("ol.search-results mark")
    assert marks.count() > 0, "no <mark> highlights in the snippets"
    marked = {text.lower() for text in marks.all_inner_texts()}
    assert marked & {"peer", "support", "peers", "supports"}, marked
    summary = page.get_by_role("status")
    assert re.search(r"\d+ results? for", summary.inner_text())

    first = results.first.locator("h2 a")
    title, href = first.inner_text().strip(), first.get_attribute("href")
    with page.expect_navigation() as navigation:
        first.click()
    assert navigation.value is not None and navigation.value.status == 200
    assert page.url == site + href
    assert title in page.locator("main").inner_text()


def test_breadcrumbs_on_a_nested_page_link_back_to_its_area(site, page):
    nested = _nested_page()
    page.goto(site + nested.get_absolute_url())
    crumbs = page.get_by_role("navigation", name="Breadcrumb")
    assert crumbs.locator("[aria-current=page]").inner_text().strip() == nested.title
    parent_link = crumbs.get_by_role("link", name=nested.parent.title, exact=True)
    assert parent_link.get_attribute("href") == nested.parent.get_absolute_url()

    area_link = crumbs.get_by_role("link", name=nested.area.title, exact=True)
    assert area_link.get_attribute("href") == nested.area.get_absolute_url()
    area_link.click()
    page.wait_for_url(site + nested.area.get_absolute_url())
    assert page.get_by_role("heading", level=1).inner_text().strip() == nested.area.title


def test_home_page_shows_the_peer_support_line_as_a_phone_link(site, page):
    page.goto(site + "/")
    link = page.locator("main").get_by_role("link", name="816-701-8212")
    assert link.count() >= 1
    assert link.first.is_visible()
    href = link.first.get_attribute("href")
    assert href.startswith("tel:")
    assert re.sub(r"\D", "", href).endswith("8167018212")


def test_a_draft_page_is_not_found_by_the_public(site, page):
    draft = ProgramPage.objects.filter(status=Status.DRAFT).select_related("area").first()
    assert draft is not None, "The demo content has no draft page."
    response = page.goto(site + draft.get_absolute_url())
    assert response.status == 404
    assert draft.title not in page.content()
    assert page.get_by_role("heading", level=1).inner_text() == "We could not find that page"


def test_a_document_link_downloads_a_pdf(site, page):
    page.goto(site + "/documents/")
    link = page.locator("table a[href^='/documents/']").first
    href = link.get_attribute("href")
    response = page.request.get(site + href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")


def test_home_page_breaks_no_content_security_policy(site, page):
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(site + "/")
    page.wait_for_load_state("networkidle")
    csp = [text for text in errors if "Content Security Policy" in text]
    assert not csp, "\n".join(csp)
    assert not errors, "Console errors on the home page:\n" + "\n".join(errors)


def test_axe_helper_reports_violations_readably(site, page):
    """The helper's message names the rule, its impact and the offending element."""
    page.goto(site + "/")
    page.evaluate(
        "html => document.querySelector('main').insertAdjacentHTML('beforeend', html)",
        '<img id="no-alt" src="/static/img/logo.svg">',
    )
    with pytest.raises(AssertionError) as failure:
        assert_no_axe_violations(page)
    message = str(failure.value)
    assert "image-alt (critical)" in message
    assert "#no-alt" in message

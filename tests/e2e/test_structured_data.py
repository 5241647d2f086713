"""Structured data and open data in a real Chromium: the home page's and an event page's
JSON-LD go through the strict CSP without a single violation, the hash in the header is
the hash of the element as the browser parsed it, and the open data page is accessible."""

import base64
import hashlib
import json

from tests.e2e.helpers import page_problems
from tests.training.factories import EventFactory

WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


def _watch(page) -> list[str]:
    console: list[str] = []
    page.on("console", lambda msg: console.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: console.append(str(exc)))
    page.add_init_script(WATCH_CSP)
    return console


def _check(page, url: str, console: list[str], expected_type: str) -> None:
    response = page.goto(url)
    assert response.status == 200
    texts = page.eval_on_selector_all(
        'script[type="application/ld+json"]', "els => els.map(e => e.textContent)"
    )
    assert len(texts) == 1
    assert json.loads(texts[0])["@type"] == expected_type
    digest = base64.b64encode(hashlib.sha256(texts[0].encode()).digest()).decode()
    policy = response.headers["content-security-policy"]
    assert f"'sha256-{digest}'" in policy
    assert "'unsafe-inline'" not in policy
    assert page.evaluate("window.__cspViolations") == []
    assert [text for text in console if "Content Security Policy" in text] == []


def test_structured_data_passes_the_csp_on_the_home_and_an_event_page(site, page):
    console = _watch(page)
    _check(page, site + "/", console, "GovernmentOrganization")
    _check(page, site + "/", console, "GovernmentOrganization")  # from the page cache
    event = EventFactory(capacity=10)
    _check(page, site + event.get_absolute_url(), console, "Event")
    assert console == []


def test_the_open_data_page_is_accessible(site, page):
    page.goto(site + "/open-data/")
    assert page.locator("h1").inner_text() == "Open data"
    main = page.locator("main")
    assert main.get_by_role("link", name="Training calendar", exact=True).count() == 1
    assert main.get_by_role("link", name="/data.json", exact=True).count() == 1
    assert page_problems(page) == []

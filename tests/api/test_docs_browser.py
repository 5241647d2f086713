"""The API's documentation in a real Chromium: /api/v1/docs/ (Swagger UI from the package's
own static files) renders every operation under the site's strict Content-Security-Policy,
with no console error and no CSP violation."""

import os

import pytest

from tests.conftest import require

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

SITE = "http://localhost"  # a trustworthy origin, as HTTPS is in production

OPERATIONS = [
    "PUT /api/v1/encounters/{agency}/{encounter_id}",
    "GET /api/v1/encounters/{agency}/{encounter_id}",
    "POST /api/v1/encounters/batch",
    "PUT /api/v1/call-volume/{agency}/{month}",
    "GET /api/v1/call-volume/{agency}/{month}",
]


@pytest.fixture
def chromium_page():
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    require(os.path.exists(path), f"Chromium not found at {path} (set CHROMIUM_PATH)")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop, not ours
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=path, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        page.set_default_timeout(15_000)
        yield page
        browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _served_by_django(route) -> None:
    """Answer the browser's request with Django's test client, in this thread and this
    test's transaction (no live server, so no flush of the migrated rows afterwards)."""
    from django.test import Client

    request = route.request
    response = Client().generic(request.method, request.url.removeprefix(SITE))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    headers = {name: value for name, value in response.items()}
    route.fulfill(status=response.status_code, headers=headers, body=body)


def test_the_docs_render_every_operation_without_console_errors(chromium_page):
    page = chromium_page
    page.route(f"{SITE}/**", _served_by_django)
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )

    response = page.goto(f"{SITE}/api/v1/docs/")
    page.wait_for_selector(".opblock", state="attached")
    page.wait_for_load_state("networkidle")

    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    shown = [
        " ".join(block.inner_text().split()[:2]) for block in page.locator(".opblock-summary").all()
    ]
    for operation in OPERATIONS:
        method, path = operation.split(" ")
        assert any(s.startswith(f"{method} {path}") for s in shown), (operation, shown)
    assert page.get_by_text("MARC co-responder partner API").first.is_visible()
    assert problems == []


def test_the_docs_pass_axe_in_both_colour_schemes_on_a_desktop_and_a_phone(chromium_page):
    """Swagger UI's own colours fail contrast and its deep links nest a link in a button:
    templates/ninja/swagger.html and static/css/swagger-a11y.css put that right."""
    from tests.e2e.helpers import DESKTOP, PHONE, page_problems

    page = chromium_page
    page.route(f"{SITE}/**", _served_by_django)
    page.goto(f"{SITE}/api/v1/docs/")
    page.wait_for_selector(".opblock", state="attached")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    problems = []
    page.set_viewport_size(DESKTOP)
    problems += page_problems(page, "/api/v1/docs/ at 1280px")
    page.locator(".opblock-summary-control").nth(2).click()  # the batch: its schema opens
    page.wait_for_selector(".opblock.is-open")
    problems += page_problems(page, "/api/v1/docs/ with an operation open")
    page.set_viewport_size(PHONE)
    problems += page_problems(page, "/api/v1/docs/ at 320px")
    assert not problems, "\n\n".join(problems)

"""Browser tests: the public site in a real Chromium against pytest-django's live server.

Every test in this folder is marked ``e2e``. Chromium comes from CHROMIUM_PATH or
/usr/bin/chromium; under CI=true a missing browser fails the tests, elsewhere it skips them.
A failing test leaves a full-page screenshot in test-results/e2e/<test name>.png.
"""

import os
import re
from pathlib import Path

import pytest

from tests.conftest import require
from tests.e2e.helpers import DESKTOP, assert_no_axe_violations  # noqa: F401

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT_DIR = Path("test-results") / "e2e"
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item (rep_setup, rep_call, rep_teardown)."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="package")
def browser():
    """One Chromium for the whole e2e folder, stopped when the folder's tests are done.

    Playwright's sync API keeps an asyncio loop running in this thread from start() to
    stop(), and Django's ORM refuses to run in a thread with a running loop unless
    DJANGO_ALLOW_ASYNC_UNSAFE is set (it is safe here: the loop is Playwright's, not ours).
    The variable is set only while Playwright runs, never for the rest of the test session:
    subprocesses of other tests (``manage.py check --deploy``) would inherit it and warn.
    Package scope, not session scope, so that the loop is gone before other folders run.
    """
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    require(os.path.exists(path), f"Chromium not found at {path} (set CHROMIUM_PATH)")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=path, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        directory = request.config.rootpath / SCREENSHOT_DIR
        directory.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
        try:
            page.set_viewport_size(DESKTOP)
            page.screenshot(path=str(directory / f"{name}.png"), full_page=True)
        except Exception as exc:  # a screenshot must never hide the real failure
            print(f"Could not save a screenshot of {request.node.nodeid}: {exc}")
    context.close()


@pytest.fixture
def site(live_server, transactional_db):
    """The live server's base URL, with the demo content loaded into the test database."""
    from programs.services import demo_content_load

    demo_content_load()
    return live_server.url

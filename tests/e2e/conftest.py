"""Browser tests: the public site in a real Chromium against pytest-django's live server.

Every test in this folder is marked ``e2e``. Chromium comes from CHROMIUM_PATH or
/usr/bin/chromium; under CI=true a missing browser fails the tests, elsewhere it skips them.
A failing test leaves a full-page screenshot in test-results/e2e/<test name>.png.
"""

import os
from pathlib import Path

import pytest

from tests.conftest import require
from tests.e2e.helpers import DESKTOP, migrated_rows_restore, screenshot_if_failed

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
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
    screenshot_if_failed(request, page, viewport=DESKTOP)
    context.close()


@pytest.fixture
def new_page(browser, request):
    """Pages in fresh browser contexts, for tests where several people use the site (no
    shared session; en-US, so a date field takes month, day, year): new_page(name, **context
    options). A full-page screenshot of each, named after it, if the test fails."""
    opened = []

    def make(name: str, **options):
        context = browser.new_context(**{"viewport": DESKTOP, "locale": "en-US", **options})
        page = context.new_page()
        page.set_default_timeout(10_000)
        opened.append((name, context, page))
        return page

    yield make
    for name, context, page in opened:
        screenshot_if_failed(request, page, suffix=f"-{name}", viewport=DESKTOP)
        context.close()


@pytest.fixture
def site(live_server, transactional_db, settings):
    """The live server's base URL. Its database holds the demo content, and what the data
    migrations made (the flush after each browser test empties every table); SITE_URL
    points at it, so the links the portal writes (a request's status page) work."""
    from programs.services import demo_content_load

    migrated_rows_restore()
    demo_content_load()
    settings.SITE_URL = live_server.url
    return live_server.url


# --- People -----------------------------------------------------------------------------
# The role fixtures of tests/conftest.py (program_manager, training_coordinator, ...) serve
# here too: make_staff waits for `site`, so accounts are made once the directory is back.


@pytest.fixture
def make_staff(site, make_staff):
    """make_staff (tests/conftest.py), on the live server's database made ready by `site`."""
    return make_staff


@pytest.fixture
def lees_summit_clinician(make_staff):
    """A ReDiscover clinician serving Blue Springs (usually) and Lee's Summit."""
    from tests.coresponder.factories import clinician_for

    user = make_staff(first_name="Cam", last_name="Clinician")
    return clinician_for(user, provider="rediscover", agencies=("blue-springs", "lees-summit"))

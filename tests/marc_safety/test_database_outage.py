"""PostgreSQL down: every page answers the styled 503, whichever layer met the outage.

The live connection is pointed at a port where nothing listens (as the /healthz tests do).
The requests differ in where the database is first needed: a public page (the view), a
visitor holding a session cookie (the session, loaded by the authentication middleware),
a signed-in staff page (session, user, two-factor device) and the admin.
"""

import contextlib

import pytest
from django.db import connections
from django.test import Client

from accounts.roles import Role
from core.pagecache import invalidate_all
from tests.programs.factories import PageFactory

pytestmark = pytest.mark.django_db(transaction=True)


@contextlib.contextmanager
def database_unreachable():
    """Point the live connection at a dead port; restore it (and reconnect) afterwards."""
    conn = connections["default"]
    conn.close()
    saved = conn.settings_dict.copy()
    conn.settings_dict.update({"HOST": "127.0.0.1", "PORT": "1", "NAME": "nowhere"})
    try:
        yield
    finally:
        conn.close()
        conn.settings_dict.clear()
        conn.settings_dict.update(saved)


def outage_client(*, cookies: dict | None = None) -> Client:
    # The exception is still reported (got_request_exception), and the test client would
    # re-raise it by default; the response is what a visitor gets.
    client = Client(raise_request_exception=False)
    for name, value in (cookies or {}).items():
        client.cookies[name] = value
    return client


def assert_outage_page(response) -> None:
    assert response.status_code == 503, response.status_code
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert "The portal is briefly unavailable" in html
    assert 'href="#main"' in html and "css/site.css" in html  # the site's own styled page


@pytest.fixture
def signed_in_staff(make_staff, staff_client):
    """A session cookie of a staff member signed in with two factors before the outage."""
    client = staff_client(make_staff(roles=[Role.PROGRAM_MANAGER], superuser=True))
    return {"sessionid": client.cookies["sessionid"].value}


def test_every_kind_of_request_answers_the_styled_503_and_recovers(signed_in_staff, caplog):
    page = PageFactory(title="Outage page")
    invalidate_all()
    anonymous_with_cookie = {"sessionid": "a" * 32}  # an old or anonymous session
    requests = [
        ("public page", {}, page.get_absolute_url()),
        ("session cookie", anonymous_with_cookie, page.get_absolute_url()),
        ("staff page", signed_in_staff, "/staff/"),
        ("admin", signed_in_staff, "/admin/"),
    ]

    with database_unreachable():
        for name, cookies, path in requests:
            response = outage_client(cookies=cookies).get(path)
            assert_outage_page(response), name
            assert "X-Content-Type-Options" in response, name
    assert "database unavailable while serving" in caplog.text

    # The database is back: the same requests are served normally again.
    assert outage_client().get(page.get_absolute_url()).status_code == 200
    assert (
        outage_client(cookies=anonymous_with_cookie).get(page.get_absolute_url()).status_code == 200
    )
    staff = outage_client(cookies=signed_in_staff).get("/staff/")
    assert staff.status_code in (200, 302) and staff.status_code != 503
    assert outage_client(cookies=signed_in_staff).get("/admin/").status_code == 200


def test_a_sign_in_post_answers_the_styled_503(client):
    with database_unreachable():
        response = outage_client().post(
            "/account/login/",
            {"auth-username": "someone", "auth-password": "x", "login_view-current_step": "auth"},
        )
    assert_outage_page(response)


def test_the_outage_page_needs_no_database_and_no_user(rf):
    from django.test.utils import CaptureQueriesContext

    from marc_safety.middleware import outage_response

    with CaptureQueriesContext(connections["default"]) as queries:
        response = outage_response()
    assert response.status_code == 503 and not queries.captured_queries
    assert "briefly unavailable" in response.content.decode()

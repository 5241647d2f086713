"""The pages every visitor can reach from the footer, and the icons browsers ask for."""

import pytest

pytestmark = pytest.mark.django_db


def test_accessibility_statement_says_how_to_report_a_problem(client):
    response = client.get("/accessibility/")
    assert response.status_code == 200
    assert b"Report a problem" in response.content
    assert b"mailto:" in response.content


def test_privacy_notice_explains_what_is_kept(client):
    response = client.get("/privacy/")
    assert response.status_code == 200
    assert b"Privacy notice" in response.content
    assert b"Peer support requests" in response.content


def test_footer_gives_address_phone_and_both_notices(client):
    content = client.get("/accessibility/").content.decode()
    assert "600 Broadway, Suite 200, Kansas City, MO 64105" in content
    assert "816-474-4240" in content
    assert 'href="/privacy/"' in content
    assert 'href="/accessibility/"' in content


def test_favicon_is_an_icon_at_the_site_root(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"


def test_manifest_names_the_site_and_its_icons(client):
    response = client.get("/site.webmanifest")
    assert response.status_code == 200
    body = response.json()
    assert body["short_name"] == "MARC Safety"
    assert {icon["sizes"] for icon in body["icons"]} == {"192x192", "512x512"}


def test_pages_load_the_compiled_theme(client):
    content = client.get("/privacy/").content.decode()
    assert "css/theme" in content
    assert "bootstrap.min.css" not in content


def test_home_page_shows_its_decorative_hero_illustration(client):
    content = client.get("/").content.decode()
    assert "img/hero/region" in content
    assert 'class="hero-art"' in content and 'alt=""' in content

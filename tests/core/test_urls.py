"""core.urls: absolute links from SITE_URL, or in development from the page's own host."""

from django.test import RequestFactory

from core.urls import DEVELOPMENT_SITE_URL, absolute_url, site_url


def test_site_url_starts_every_link_when_set(settings):
    settings.SITE_URL = "https://safety.example.org"
    request = RequestFactory().get("/", HTTP_HOST="localhost:8001")
    for debug in (True, False):
        settings.DEBUG = debug
        assert absolute_url("/peer-support/", request) == "https://safety.example.org/peer-support/"


def test_in_development_an_unset_site_url_gives_the_requests_host(settings):
    settings.DEBUG, settings.SITE_URL = True, ""
    settings.ALLOWED_HOSTS = ["localhost"]
    request = RequestFactory().get("/", HTTP_HOST="localhost:8001", secure=True)
    assert absolute_url("/peer-support/", request) == "https://localhost:8001/peer-support/"


def test_without_a_request_development_links_go_to_runserver(settings):
    settings.DEBUG, settings.SITE_URL = True, ""
    assert site_url() == DEVELOPMENT_SITE_URL == "http://127.0.0.1:8000"


def test_outside_development_the_requests_host_is_never_used(settings):
    settings.DEBUG, settings.SITE_URL = False, ""
    request = RequestFactory().get("/", HTTP_HOST="localhost:8001")
    assert site_url(request) == DEVELOPMENT_SITE_URL

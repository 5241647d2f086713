import pytest

from programs.models import Status
from tests.programs.factories import AreaFactory, PageFactory

pytestmark = pytest.mark.django_db


def test_anonymous_page_is_served_from_cache_until_content_changes(client):
    page = PageFactory(title="Original title")
    first = client.get(page.get_absolute_url())
    assert "X-Page-Cache" not in first
    second = client.get(page.get_absolute_url())
    assert second["X-Page-Cache"] == "hit"
    assert "Original title" in second.content.decode()
    assert "Content-Security-Policy" in second  # headers are added to cached pages too

    page.title = "Edited title"
    page.save()
    third = client.get(page.get_absolute_url())
    assert "X-Page-Cache" not in third
    assert "Edited title" in third.content.decode()


def test_publishing_a_draft_shows_it_on_a_cached_home_page(client):
    area = AreaFactory(title="Draft area", status=Status.DRAFT)
    client.get("/")
    assert "Draft area" not in client.get("/").content.decode()
    area.status = Status.PUBLISHED
    area.save(update_fields=["status"])
    assert "Draft area" in client.get("/").content.decode()


def test_signed_in_users_are_never_served_or_stored_in_the_cache(client, django_user_model):
    page = PageFactory()
    user = django_user_model.objects.create_user("staff", password="x" * 16)
    client.force_login(user)
    client.get(page.get_absolute_url())
    assert "X-Page-Cache" not in client.get(page.get_absolute_url())
    client.logout()
    assert "X-Page-Cache" not in client.get(page.get_absolute_url())


def test_not_found_and_error_responses_are_not_cached(client):
    client.get("/programs/nowhere/")
    assert "X-Page-Cache" not in client.get("/programs/nowhere/")
    client.get("/search/", {"q": "x" * 300})
    assert "X-Page-Cache" not in client.get("/search/", {"q": "x" * 300})


def test_pages_render_from_the_database_when_the_cache_is_down(client, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    page = PageFactory(title="Still here")
    response = client.get(page.get_absolute_url())
    assert response.status_code == 200
    assert "Still here" in response.content.decode()
    assert "page cache: lookup failed" in caplog.text


def test_a_hot_page_is_served_from_process_memory_without_asking_redis(client, settings):
    settings.PAGE_CACHE_GENERATION_CHECK_SECONDS = 60
    page = PageFactory(title="Hot page")
    client.get(page.get_absolute_url())
    settings.CACHES = {  # the shared cache goes away; the process still has the page
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    response = client.get(page.get_absolute_url())
    assert response["X-Page-Cache"] == "hit"
    assert "Hot page" in response.content.decode()


def test_an_edit_in_this_process_is_seen_at_once_even_with_a_long_check_interval(client, settings):
    settings.PAGE_CACHE_GENERATION_CHECK_SECONDS = 60
    page = PageFactory(title="Before")
    client.get(page.get_absolute_url())
    assert client.get(page.get_absolute_url())["X-Page-Cache"] == "hit"
    page.title = "After"
    page.save()
    response = client.get(page.get_absolute_url())
    assert "X-Page-Cache" not in response
    assert "After" in response.content.decode()

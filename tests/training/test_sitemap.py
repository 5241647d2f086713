import pytest

from tests.training.factories import EventFactory

pytestmark = pytest.mark.django_db


def test_sitemap_lists_published_events_and_the_calendar(client):
    public = EventFactory()
    hidden = EventFactory(published=False)
    xml = client.get("/sitemap.xml").content.decode()
    assert public.get_absolute_url() in xml
    assert hidden.get_absolute_url() not in xml
    assert "/calendar/" in xml

"""Which cached pages a change to the calendar re-renders (core.pagecache tags).

Seats show on an event's own page and on the calendar's lists and month grids, so a
registration, a cancellation or a promotion re-renders those and nothing else: program
pages, the home page (its upcoming list shows no seats), search and the sitemap stay cached.
An edit to an event also re-renders the pages that list it.
"""

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from tests.programs.factories import PageFactory
from tests.training.factories import EventFactory, registration_data
from training.models import EventDocument, RegistrationStatus
from training.services import registration_cancel, registration_create

pytestmark = pytest.mark.django_db


def is_hit(client, url) -> bool:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get("X-Page-Cache") == "hit"


def month_url(event) -> str:
    start = timezone.localtime(event.starts_at)
    return f"/calendar/month/{start.year}/{start.month}/"


@pytest.fixture
def site():
    """A program page and two events, each on every page that shows it."""
    event = EventFactory(title="Radio failover drill", capacity=3)
    other = EventFactory(title="Severe weather tabletop", capacity=3)
    urls = {
        "program page": PageFactory(title="Regional radio").get_absolute_url(),
        "home": "/",
        "search": "/search/?q=drill",
        "sitemap": "/sitemap.xml",
        "calendar": "/calendar/",
        "month": month_url(event),
        "event": event.get_absolute_url(),
        "other event": other.get_absolute_url(),
    }
    return event, other, urls


def cached_after_warming(client, urls: dict[str, str]) -> None:
    """Render every page once; each is then served from the cache."""
    for url in urls.values():
        client.get(url)
    assert all(is_hit(client, url) for url in urls.values())


def rendered_again(client, urls: dict[str, str]) -> set[str]:
    """The pages not served from the cache on the next request."""
    return {name for name, url in urls.items() if not is_hit(client, url)}


def test_a_registration_re_renders_only_the_pages_that_show_the_events_seats(client, site):
    event, _, urls = site
    cached_after_warming(client, urls)
    assert "3 left" in client.get(urls["event"]).content.decode()

    registration_create(event_id=event.pk, data=registration_data())

    assert rendered_again(client, urls) == {"event", "calendar", "month"}
    assert "2 left" in client.get(urls["event"]).content.decode()
    assert "2 seats left" in client.get(urls["calendar"]).content.decode()


def test_a_cancellation_that_promotes_from_the_waitlist_re_renders_the_event_page(client, site):
    event, _, urls = site
    event.capacity = 1
    event.save(update_fields=["capacity"])
    first = registration_create(event_id=event.pk, data=registration_data(email="a@example.org"))
    waiting = registration_create(event_id=event.pk, data=registration_data(email="b@example.org"))
    assert waiting.status == RegistrationStatus.WAITLISTED
    cached_after_warming(client, urls)

    registration_cancel(registration_id=first.pk)

    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert rendered_again(client, urls) == {"event", "calendar", "month"}


def test_an_event_edit_re_renders_the_pages_that_list_it_but_not_program_pages(client, site):
    event, _, urls = site
    cached_after_warming(client, urls)
    event.title = "Radio failover drill (new room)"
    event.save(update_fields=["title", "updated_at"])
    assert rendered_again(client, urls) == {
        "home",
        "search",
        "sitemap",
        "calendar",
        "month",
        "event",
    }
    assert "Radio failover drill (new room)" in client.get("/").content.decode()


def test_a_new_handout_re_renders_only_its_event_page(client, site):
    event, _, urls = site
    cached_after_warming(client, urls)
    EventDocument.objects.create(
        event=event, title="Drill handout", file=ContentFile(b"%PDF-1.4\n", name="handout.pdf")
    )
    assert rendered_again(client, urls) == {"event"}
    assert "Drill handout" in client.get(urls["event"]).content.decode()


def test_renaming_a_committee_re_renders_every_page(client, site):
    event, _, urls = site
    cached_after_warming(client, urls)
    committee = event.host
    committee.name = "Regional 911 Committee"
    committee.save()
    assert rendered_again(client, urls) == set(urls)
    assert "Regional 911 Committee" in client.get(urls["event"]).content.decode()

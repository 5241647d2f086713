"""An event page's schema.org Event (JSON-LD): what search engines and calendar tools read
of its date, place, status and seats, allowed by its hash under the strict CSP, and kept
right by the page cache. The clock is frozen, so "in 14 days" is always the same day."""

import base64
import datetime as dt
import hashlib
import json
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.training.factories import EventFactory, RegistrationFactory
from training.models import EventStatus

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 4, 1, 10, 0, tzinfo=ZoneInfo("America/Chicago"))
SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


@pytest.fixture(autouse=True)
def april_2026():
    with time_machine.travel(NOW, tick=False):
        yield


def structured(response) -> tuple[str, dict]:
    """The page's one JSON-LD element: its exact text, and what it says."""
    found = SCRIPT.findall(response.content.decode())
    assert len(found) == 1
    return found[0], json.loads(found[0])


def script_sources(response) -> list[str]:
    policy = response["Content-Security-Policy"]
    directive = next(d for d in policy.split(";") if d.strip().startswith("script-src "))
    return directive.split()[1:]


def sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_the_event_page_describes_the_event_for_search_engines(client, settings):
    settings.SITE_URL = "https://safety.example.org"
    event = EventFactory(
        title="Active shooter tabletop",
        description="Practice **radio** traffic for a regional incident.\n\n- Bring a radio",
        capacity=20,
    )
    RegistrationFactory.create_batch(3, event=event)
    _, data = structured(client.get(event.get_absolute_url()))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Event"
    assert data["name"] == "Active shooter tabletop"
    assert data["description"] == "Practice radio traffic for a regional incident. Bring a radio"
    assert data["url"] == "https://safety.example.org" + event.get_absolute_url()
    assert data["startDate"] == "2026-04-15T09:00:00-05:00"
    assert data["endDate"] == "2026-04-15T11:00:00-05:00"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert data["location"] == {
        "@type": "Place",
        "name": "MARC conference room",
        "address": {
            "@type": "PostalAddress",
            "streetAddress": "600 Broadway, Suite 200",
            "addressLocality": "Kansas City",
            "addressRegion": "MO",
            "postalCode": "64105",
            "addressCountry": "US",
        },
    }
    assert data["organizer"]["name"] == "Mid-America Regional Council"
    offer = data["offers"]
    assert (offer["price"], offer["priceCurrency"]) == ("0", "USD")
    assert offer["availability"] == "https://schema.org/InStock"
    assert offer["url"] == f"https://safety.example.org/calendar/events/{event.pk}/register/"
    assert dt.datetime.fromisoformat(offer["validFrom"]) <= NOW
    assert data["maximumAttendeeCapacity"] == 20
    assert data["remainingAttendeeCapacity"] == 17


def test_a_cancelled_or_postponed_event_says_so_and_offers_no_registration(client):
    event = EventFactory()
    for status, expected in (
        (EventStatus.CANCELLED, "EventCancelled"),
        (EventStatus.POSTPONED, "EventPostponed"),
        (EventStatus.SCHEDULED, "EventScheduled"),
    ):
        event.status = status
        event.save()
        _, data = structured(client.get(event.get_absolute_url()))
        assert data["eventStatus"] == "https://schema.org/" + expected
        register = data["offers"]["url"].endswith("/register/")
        assert register is (status == EventStatus.SCHEDULED)


def test_a_full_event_is_sold_out_and_a_freed_seat_puts_it_back_in_stock(client):
    event = EventFactory(capacity=2)
    first, _ = RegistrationFactory.create_batch(2, event=event)
    _, data = structured(client.get(event.get_absolute_url()))
    assert data["offers"]["availability"] == "https://schema.org/SoldOut"
    assert data["remainingAttendeeCapacity"] == 0
    first.status = "cancelled"
    first.save()  # the cached page is rendered again (training/signals.py)
    _, data = structured(client.get(event.get_absolute_url()))
    assert data["offers"]["availability"] == "https://schema.org/InStock"
    assert data["remainingAttendeeCapacity"] == 1


def test_online_and_mixed_events_have_a_virtual_location(client):
    online = EventFactory(venue_name="", address="", virtual_url="https://meet.example.org/x")
    _, data = structured(client.get(online.get_absolute_url()))
    assert data["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert data["location"] == {"@type": "VirtualLocation", "url": "https://meet.example.org/x"}
    mixed = EventFactory(virtual_url="https://meet.example.org/y", capacity=None)
    _, data = structured(client.get(mixed.get_absolute_url()))
    assert data["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    assert [place["@type"] for place in data["location"]] == ["Place", "VirtualLocation"]
    assert "maximumAttendeeCapacity" not in data  # no seat limit
    assert data["offers"]["availability"] == "https://schema.org/InStock"


def test_text_typed_by_an_editor_cannot_end_the_script_element(client):
    event = EventFactory(
        title="</script><script>alert(1)</script> <!-- drill",
        description="Meet at the <b>door</b> & wait </script>",
    )
    text, data = structured(client.get(event.get_absolute_url()))
    assert "<" not in text and ">" not in text and "&" not in text
    assert data["name"] == "</script><script>alert(1)</script> <!-- drill"


def test_the_csp_allows_the_element_by_its_hash_and_never_inline_script(client):
    event = EventFactory()
    response = client.get(event.get_absolute_url())
    text, _ = structured(response)
    sources = script_sources(response)
    assert sources == ["'self'", sha256(text)]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_a_cached_page_keeps_the_hash_of_its_own_element(client):
    event = EventFactory(capacity=5)
    first = client.get(event.get_absolute_url())
    second = client.get(event.get_absolute_url())
    assert second["X-Page-Cache"] == "hit"
    text, _ = structured(second)
    assert script_sources(second) == ["'self'", sha256(text)]
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    # A registration changes the seats, so the element and its hash change together.
    RegistrationFactory(event=event)
    third = client.get(event.get_absolute_url())
    text, data = structured(third)
    assert data["remainingAttendeeCapacity"] == 4
    assert script_sources(third) == ["'self'", sha256(text)]
    assert third["Content-Security-Policy"] != first["Content-Security-Policy"]

"""The calendar's pages run a fixed number of queries, whether it holds 5 events or 200."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.pagecache import invalidate_all
from tests.programs.factories import AreaFactory
from tests.training.factories import CommitteeFactory, EventFactory, RegistrationFactory
from training.models import EventDocument, EventKind, EventStatus

pytestmark = pytest.mark.django_db

QUERY_BOUND = 10
KINDS = [EventKind.TRAINING, EventKind.EXERCISE, EventKind.MEETING]


def _month() -> dt.date:
    """The first day of the month after next: every event in it is upcoming."""
    today = timezone.localdate()
    return (today.replace(day=1) + dt.timedelta(days=70)).replace(day=1)


def _add_events(count: int, *, area, featured) -> None:
    """Events spread over one month, with hosts, areas, registrations and documents."""
    month = _month()
    hosts = [CommitteeFactory(slug=f"host-{n}") for n in range(3)]
    for n in range(count):
        start = timezone.make_aware(
            dt.datetime.combine(month + dt.timedelta(days=n % 28), dt.time(8 + n % 9))
        )
        event = EventFactory(
            kind=KINDS[n % 3],
            program_area=area if n % 2 else None,
            host=hosts[n % 3],
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            status=EventStatus.CANCELLED if n % 10 == 9 else EventStatus.SCHEDULED,
            capacity=None if n % 4 == 0 else 3,
        )
        RegistrationFactory.create_batch(n % 3, event=event)
    # The event whose page is measured gains registrations and documents too.
    RegistrationFactory.create_batch(count, event=featured)
    for n in range(max(count // 20, 1)):
        EventDocument.objects.create(
            event=featured, title=f"Agenda {n}", file=ContentFile(b"%PDF", f"a{n}.pdf")
        )


def _urls(featured) -> list[str]:
    month = _month()
    return [
        "/calendar/",
        "/calendar/?page=2",
        "/calendar/?kind=training&area=regional-911&host=host-0&seats=on",
        f"/calendar/month/{month.year}/{month.month}/",
        f"/calendar/month/{month.year}/{month.month}/?kind=exercise&host=host-1",
        featured.get_absolute_url(),
        "/",
        "/search/?q=tabletop",
    ]


def _query_counts(client, urls) -> dict[str, int]:
    invalidate_all()
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        assert "X-Page-Cache" not in response, url
        counts[url] = len(queries)
    return counts


def test_calendar_pages_query_count_is_the_same_with_5_or_200_events(client):
    area = AreaFactory(slug="regional-911")
    featured = EventFactory(program_area=area, ce_category="technical")
    urls = _urls(featured)
    _add_events(5, area=area, featured=featured)
    small = _query_counts(client, urls)
    _add_events(200, area=area, featured=featured)
    large = _query_counts(client, urls)
    assert large == small
    assert max(large.values()) <= QUERY_BOUND, large


def test_an_area_published_after_start_up_appears_in_the_calendar_filter(client):
    """The filter's program areas are read per request, not once when the code loads."""
    import datetime as dt

    from django.utils import timezone

    from programs.models import ProgramArea
    from tests.programs.factories import AreaFactory

    area = AreaFactory(title="Later area", publish_at=timezone.now() + dt.timedelta(days=1))
    assert "Later area" not in client.get("/calendar/").content.decode()
    ProgramArea.objects.filter(pk=area.pk).update(publish_at=timezone.now())
    assert "Later area" in client.get("/calendar/?kind=training").content.decode()

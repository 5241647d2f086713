"""Demo calendar content for development: a few trainings, an exercise and a monthly
committee meeting series, dated relative to today so the calendar always has events."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from core.dates import month_start
from programs.selectors import area_by_slug
from training.models import Committee, Event, EventSeries
from training.services import series_materialize

COMMITTEES = [
    ("Regional Homeland Security Coordinating Committee", "rhscc"),
    ("Public Safety Communications Board", "public-safety-communications-board"),
    ("Local Emergency Planning Committee", "lepc"),
    ("Metropolitan Emergency Managers Committee", "memc"),
]

# (slug, title, kind, audiences, area slug, host slug, CE category, days ahead, hour,
#  minutes, capacity, venue, description)
EVENTS = [
    (
        "crisis-intervention-for-telecommunicators",
        "Crisis intervention skills for telecommunicators",
        "training",
        ["dispatch"],
        "public-safety-communications",
        "public-safety-communications-board",
        "interpersonal",
        9,
        9,
        240,
        24,
        "MARC conference center",
        "A half-day course on calming callers in crisis, working with co-responders and knowing "
        "when to hand off to 988. Counts toward Missouri continuing education.",
    ),
    (
        "active-shooter-response-for-dispatch",
        "Active shooter response for dispatch",
        "training",
        ["dispatch", "law"],
        "public-safety-communications",
        "public-safety-communications-board",
        "skill",
        16,
        13,
        180,
        30,
        "Lee's Summit Police Department training room",
        "What the first minutes of an active shooter call demand from the console: scripts, "
        "radio discipline and supporting units on scene.",
    ),
    (
        "legal-update-911",
        "Legal update for 911 professionals",
        "training",
        ["dispatch"],
        "public-safety-communications",
        "public-safety-communications-board",
        "legal",
        23,
        10,
        100,
        40,
        "Online",
        "Recent case law and Missouri and Kansas statutes that touch call handling, records and "
        "recorded audio.",
    ),
    (
        "regional-chemical-release-tabletop",
        "Regional chemical release tabletop exercise",
        "exercise",
        ["fire", "ems", "em", "public_health"],
        "hazardous-materials",
        "lepc",
        "",
        30,
        8,
        300,
        60,
        "Kansas City Fire Department Training Academy",
        "A discussion-based exercise of a rail car chlorine release: notifications, shelter in "
        "place, hospital surge and public information.",
    ),
    (
        "world-cup-public-safety-workshop",
        "FIFA World Cup 2026 public safety workshop",
        "training",
        ["law", "fire", "ems", "em", "dispatch"],
        "emergency-services",
        "rhscc",
        "",
        40,
        9,
        360,
        80,
        "MARC conference center",
        "Planning workshop for agencies supporting match days and fan events in 2026.",
    ),
]


@transaction.atomic
def training_demo_load() -> dict[str, int]:
    counts = {"created": 0, "unchanged": 0}
    committees = {}
    for name, slug in COMMITTEES:
        committees[slug], _ = Committee.objects.get_or_create(slug=slug, defaults={"name": name})
    today = timezone.localdate()
    for (
        slug,
        title,
        kind,
        audiences,
        area,
        host,
        ce,
        days,
        hour,
        minutes,
        capacity,
        venue,
        description,
    ) in EVENTS:
        if Event.objects.filter(slug=slug, starts_at__gte=timezone.now()).exists():
            counts["unchanged"] += 1
            continue
        day = today + dt.timedelta(days=days)
        start = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
        Event.objects.create(
            slug=slug,
            title=title,
            kind=kind,
            audiences=audiences,
            program_area=area_by_slug(area),
            host=committees[host],
            ce_category=ce,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=minutes),
            capacity=capacity,
            venue_name=venue if venue != "Online" else "",
            virtual_url="https://meet.example.org/marc-legal-update" if venue == "Online" else "",
            address="600 Broadway, Suite 200, Kansas City, MO 64105" if "MARC" in venue else "",
            description=description,
        )
        counts["created"] += 1
    _meeting_series(committees["rhscc"], today)
    return counts


def _meeting_series(host: Committee, today: dt.date) -> None:
    title = "Regional Homeland Security Coordinating Committee meeting"
    series = EventSeries.objects.filter(title=title).first()
    if series is None:
        first = timezone.make_aware(dt.datetime.combine(month_start(today), dt.time(13, 30)))
        template = Event.objects.create(
            slug="rhscc-meeting",
            title=title,
            kind="meeting",
            audiences=["em", "public"],
            program_area=area_by_slug("emergency-services"),
            host=host,
            starts_at=first,
            ends_at=first + dt.timedelta(minutes=90),
            published=False,
            registration_required=False,
            venue_name="MARC conference center",
            address="600 Broadway, Suite 200, Kansas City, MO 64105",
            description="The committee's monthly meeting. Open to the public; agendas and "
            "minutes are posted with each meeting.",
        )
        series = EventSeries.objects.create(
            title=title,
            rule="FREQ=MONTHLY;BYDAY=+2TU",
            first_start=first,
            duration_minutes=90,
            template=template,
        )
    series_materialize(series=series, until=timezone.now() + dt.timedelta(days=365))

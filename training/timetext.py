"""Times of day as the portal writes them, for pages and emails alike."""

import datetime as dt

from django.utils import timezone


def clock_time(moment: dt.datetime) -> str:
    return f"{moment:%-I:%M %p}"


def time_range(starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    """'9:00 AM – 11:00 AM CDT', or with the end date when the event runs past midnight."""
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    if start.date() == end.date():
        if start.tzname() == end.tzname():
            return f"{clock_time(start)} – {clock_time(end)} {end.tzname()}"
        return f"{clock_time(start)} {start.tzname()} – {clock_time(end)} {end.tzname()}"
    return (
        f"{clock_time(start)} {start.tzname()} – {end:%a, %b %-d}, {clock_time(end)} {end.tzname()}"
    )

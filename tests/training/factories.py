import datetime as dt

import factory
from django.utils import timezone

from training.models import Committee, Event, EventKind, Registration, RegistrationStatus
from training.services import RegistrationData


def in_days(days: float, hour: int = 9) -> dt.datetime:
    """An aware datetime `days` from now at `hour` o'clock, America/Chicago wall time."""
    local = timezone.localtime() + dt.timedelta(days=days)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0)


class CommitteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Committee
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Committee {n}")
    slug = factory.Sequence(lambda n: f"committee-{n}")


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"Tabletop exercise {n}")
    slug = factory.Sequence(lambda n: f"tabletop-exercise-{n}")
    kind = EventKind.TRAINING
    audiences = factory.LazyFunction(lambda: ["dispatch"])
    host = factory.SubFactory(CommitteeFactory)
    starts_at = factory.LazyFunction(lambda: in_days(14))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))
    venue_name = "MARC conference room"
    address = "600 Broadway, Suite 200, Kansas City, MO 64105"
    capacity = 20
    description = "Practice for a regional incident."


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Dispatcher {n}")
    email = factory.Sequence(lambda n: f"dispatcher{n}@example.org")
    agency_name = "Johnson County Emergency Communications"
    role = "Call-taker"
    state = "KS"
    status = RegistrationStatus.CONFIRMED


def registration_data(**overrides) -> RegistrationData:
    values = {
        "name": "Dana Dispatcher",
        "email": "dana@example.org",
        "agency_name": "Blue Springs Police Department",
        "role": "Call-taker",
        "state": "MO",
    }
    values.update(overrides)
    return RegistrationData(**values)

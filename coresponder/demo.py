"""Demo co-responder data for development: the demo clinician and liaison accounts get
their links, and a year of synthetic encounters and call volumes fills the dashboard.
Synthetic means synthetic: random codes, no person data."""

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from core.dates import add_months, month_start
from coresponder import dictionary as dd
from coresponder.models import Clinician, Encounter, MonthlyCallVolume
from coresponder.services import organizations_by_code

AGENCY_WEIGHTS = {
    "blue-springs": 5,
    "grandview": 3,
    "independence": 8,
    "lees-summit": 6,
    "raytown": 3,
    "buckner": 1,
    "grain-valley": 1,
    "oak-grove": 1,
}


def _months(today: dt.date, count: int) -> list[dt.date]:
    first = month_start(today)
    months = []
    for _ in range(count):
        months.append(first)
        first = add_months(first, -1)
    return list(reversed(months))


@transaction.atomic
def coresponder_demo_load(*, seed: int = 2024) -> dict[str, int]:
    orgs = organizations_by_code()
    users = get_user_model().objects
    clinician_user = users.filter(username="clinician").first()
    if clinician_user and not Clinician.objects.filter(user=clinician_user).exists():
        clinician = Clinician.objects.create(
            user=clinician_user, provider=orgs["rediscover"], usual_agency=orgs["independence"]
        )
        clinician.agencies.set([orgs["independence"], orgs["blue-springs"], orgs["raytown"]])
    liaison = users.filter(username="liaison").first()
    if liaison and liaison.organization_id is None:
        liaison.organization = orgs["lees-summit"]
        liaison.save(update_fields=["organization"])
    if Encounter.objects.filter(encounter_id__startswith="DEMO-").exists():
        return {"encounters": 0}
    rng = random.Random(seed)  # noqa: S311 - synthetic demo data, not security
    today = timezone.localdate()
    months = _months(today, 12)
    rows = []
    agencies = list(AGENCY_WEIGHTS)
    weights = list(AGENCY_WEIGHTS.values())
    for month in months:
        for agency in agencies:
            mh_calls = AGENCY_WEIGHTS[agency] * rng.randint(12, 20)
            MonthlyCallVolume.objects.get_or_create(
                agency=orgs[agency],
                month=month,
                defaults={"mh_calls": mh_calls, "total_calls": mh_calls * rng.randint(18, 30)},
            )
        for n in range(rng.randint(28, 40)):
            agency = rng.choices(agencies, weights)[0]
            day = month + dt.timedelta(days=rng.randint(0, 27))
            if day > today:
                continue
            linked = rng.random() < 0.6
            concerns = sorted(
                {"mental-health", *rng.sample(dd.CONCERNS, rng.randint(0, 2))},
                key=dd.CONCERNS.index,
            )
            rows.append(
                Encounter(
                    encounter_id=f"DEMO-{month:%Y%m}-{n:03d}",
                    agency=orgs[agency],
                    provider=orgs[
                        "burrell" if agency in ("lees-summit", "grandview") else "rediscover"
                    ],
                    date=day,
                    time=dt.time(rng.randint(0, 23), rng.choice((0, 15, 30, 45))),
                    referral_source=rng.choice(dd.REFERRAL_SOURCES),
                    contact_type=rng.choices(dd.CONTACT_TYPES, (7, 2, 1))[0],
                    concerns=concerns,
                    assessment=rng.random() < 0.8,
                    disposition=rng.choices(dd.DISPOSITIONS, (40, 25, 15, 8, 2, 2, 8))[0],
                    linked_to_services=linked,
                    service_type=rng.choice(dd.SERVICE_TYPES) if linked else "",
                    age_group=rng.choice(dd.AGE_GROUPS),
                    person_key=f"demo-{rng.randint(1, 250)}",
                    minutes=rng.randint(15, 180),
                )
            )
    Encounter.objects.bulk_create(rows)
    return {"encounters": len(rows)}

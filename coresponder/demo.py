"""Demo co-responder data for development: the demo clinician and liaison accounts get
their links, and synthetic encounters and monthly call volumes fill the dashboard.
Synthetic means synthetic: random codes, no person data.

The figures are shaped like the program's own: every month from the start of data
collection (October 2023) to the last full month, each agency's mental-health calls sized
to the department (Independence the largest, Buckner the smallest), clinicians present
on site for about a quarter of those calls (from 15% to 35% by agency), arrest or custody
avoided in more than 95% of on-scene contacts, and about 60% of assessed people linked to
a service. Every agency-month has calls, and on-site assessments for at most half of
them. A seeded generator makes the data the same for the same date.
"""

import datetime as dt
import math
import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from core.dates import add_months, month_start
from coresponder import quality
from coresponder.models import Clinician, Encounter, MonthlyCallVolume
from coresponder.services import organizations_by_code

FIRST_MONTH = dt.date(2023, 10, 1)  # the program's shared data collection starts


@dataclass(frozen=True)
class AgencyProfile:
    mh_calls: int  # mental-health calls in an ordinary month
    coverage: float  # on-site assessments per mental-health call
    provider: str


AGENCIES = {
    "independence": AgencyProfile(125, 0.25, "rediscover"),
    "lees-summit": AgencyProfile(90, 0.23, "burrell"),
    "blue-springs": AgencyProfile(65, 0.31, "rediscover"),
    "raytown": AgencyProfile(35, 0.29, "rediscover"),
    "grandview": AgencyProfile(32, 0.27, "burrell"),
    # One floater clinician shares these three, so fewer of their calls are covered.
    "grain-valley": AgencyProfile(14, 0.17, "rediscover"),
    "oak-grove": AgencyProfile(9, 0.17, "rediscover"),
    "buckner": AgencyProfile(5, 0.20, "rediscover"),
}
RAMP_UP = (0.7, 0.85, 0.95)  # coverage in the first months, while clinicians start

# Besides each on-site assessment: on-scene contacts without one, phone calls, and
# follow-up visits, with the chance that each kind includes an assessment.
OTHER_CONTACTS = {"on-scene": 0.14, "phone": 0.16, "follow-up-visit": 0.20}
ASSESSED = {"phone": 0.25, "follow-up-visit": 0.30}

REFERRALS = {
    "on-scene": {"911-call": 78, "officer-initiated": 17, "agency-referral": 3, "other": 2},
    "phone": {
        "911-call": 35,
        "follow-up": 35,
        "agency-referral": 20,
        "officer-initiated": 5,
        "other": 5,
    },
    "follow-up-visit": {"follow-up": 85, "agency-referral": 10, "other": 5},
}
# Disposition weights by (contact type, assessment).
DISPOSITIONS = {
    ("on-scene", True): {
        "resolved-on-scene": 46,
        "referred": 28,
        "voluntary-transport": 15,
        "involuntary-hold": 8.3,
        "arrest": 1.5,
        "other-custody": 1.2,
    },
    ("on-scene", False): {
        "no-contact": 55,
        "resolved-on-scene": 30,
        "referred": 11,
        "arrest": 2.5,
        "other-custody": 1.5,
    },
    ("phone", True): {
        "resolved-on-scene": 45,
        "referred": 45,
        "voluntary-transport": 8,
        "involuntary-hold": 2,
    },
    ("phone", False): {"resolved-on-scene": 40, "referred": 30, "no-contact": 30},
    ("follow-up-visit", True): {
        "referred": 55,
        "resolved-on-scene": 35,
        "voluntary-transport": 7,
        "involuntary-hold": 3,
    },
    ("follow-up-visit", False): {"resolved-on-scene": 45, "referred": 25, "no-contact": 30},
}
# Chance of a link to services by disposition, for an assessed person (less than half as
# likely without an assessment).
LINKED = {
    "resolved-on-scene": 0.32,
    "referred": 0.8,
    "voluntary-transport": 0.8,
    "involuntary-hold": 0.9,
    "arrest": 0.2,
    "other-custody": 0.3,
    "no-contact": 0.0,
}
SERVICES = {
    "involuntary-hold": {"inpatient": 65, "crisis-center": 35},
    "voluntary-transport": {
        "crisis-center": 55,
        "inpatient": 20,
        "outpatient": 15,
        "substance-use-treatment": 10,
    },
    "": {
        "outpatient": 45,
        "case-management": 25,
        "crisis-center": 10,
        "other": 10,
        "housing": 5,
        "substance-use-treatment": 5,
    },
}
CONCERNS = {
    "mental-health": 0.9,
    "substance-use": 0.22,
    "suicidal-ideation": 0.24,
    "homicidal-ideation": 0.03,
    "welfare-check": 0.18,
    "housing": 0.08,
    "family-conflict": 0.14,
    "other": 0.05,
}
AGE_GROUPS = {
    "under-18": 9,
    "18-24": 14,
    "25-34": 24,
    "35-44": 20,
    "45-54": 14,
    "55-64": 11,
    "65-plus": 8,
    "": 3,
}
GENDERS = {"female": 46, "male": 49, "another": 2, "": 3}
VETERANS = {False: 80, True: 6, None: 14}
# When calls come in: few at night, most in the afternoon.
HOURS = [1, 1, 1, 1, 1, 1, 1, 2, 5, 5, 5, 5, 7, 7, 7, 7, 7, 7, 5, 5, 5, 5, 2, 2]
# Minutes a clinician spends: (median, spread) of a log-normal draw.
MINUTES = {
    ("on-scene", True): (75, 0.45),
    ("on-scene", False): (25, 0.5),
    ("phone", True): (35, 0.4),
    ("phone", False): (15, 0.5),
    ("follow-up-visit", True): (60, 0.4),
    ("follow-up-visit", False): (40, 0.4),
}


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), list(weights.values()))[0]


def _count(rng: random.Random, trials: int, chance: float) -> int:
    """How many of `trials` happen, each with `chance` (a binomial draw, never > trials)."""
    return sum(rng.random() < chance for _ in range(trials))


def months_to_load(today: dt.date) -> list[dt.date]:
    """Each month from the program's first to the last full month before today (never a
    month that begins before the program's start setting, coresponder.quality)."""
    start = quality.program_start()
    month = max(FIRST_MONTH, month_start(start) if start.day == 1 else add_months(start, 1))
    months = []
    while month < month_start(today):
        months.append(month)
        month = add_months(month, 1)
    return months


def _mh_calls(rng: random.Random, profile: AgencyProfile, month: dt.date) -> int:
    # A little busier in summer than in winter.
    season = 1 + 0.08 * math.sin((month.month - 4) / 12 * 2 * math.pi)
    mean = profile.mh_calls * season
    return max(1, round(rng.gauss(mean, 1.1 * math.sqrt(mean))))


@dataclass
class _People:
    """The people an agency's clinicians have met, for repeat contacts."""

    seen: list[dict] = field(default_factory=list)  # latest last

    def person(self, rng: random.Random, *, follow_up: bool) -> dict:
        if self.seen and rng.random() < (0.9 if follow_up else 0.15):
            return rng.choice(self.seen[-(30 if follow_up else 150) :])
        person = {
            "person_key": f"demo-{rng.getrandbits(40):010x}",
            "age_group": _pick(rng, AGE_GROUPS),
            "gender": _pick(rng, GENDERS),
            "veteran": _pick(rng, VETERANS),
        }
        if rng.random() < 0.04:  # a partner that did not record a key
            person = {**person, "person_key": ""}
        return person

    def met(self, person: dict) -> None:
        if person["person_key"]:
            self.seen = [*self.seen[-199:], person]


def _encounter(rng, *, contact_type: str, assessed: bool, day: dt.date) -> dict:
    """The values of one encounter, all but its id, agency, provider and person."""
    referral = _pick(rng, REFERRALS[contact_type])
    concerns = [code for code, chance in CONCERNS.items() if rng.random() < chance]
    disposition = _pick(rng, DISPOSITIONS[(contact_type, assessed)])
    linked = rng.random() < LINKED[disposition] * (1 if assessed else 0.4)
    service = ""
    if linked:
        if "substance-use" in concerns and rng.random() < 0.45:
            service = "substance-use-treatment"
        elif "housing" in concerns and rng.random() < 0.4:
            service = "housing"
        else:
            service = _pick(rng, SERVICES.get(disposition, SERVICES[""]))
    median, spread = MINUTES[(contact_type, assessed)]
    minutes = rng.lognormvariate(math.log(median), spread)
    if disposition == "involuntary-hold":
        minutes += rng.randint(45, 150)
    clock = dt.time(_pick(rng, dict(enumerate(HOURS))), rng.randrange(0, 60, 5))
    force = None
    if contact_type == "on-scene":
        force = _pick(rng, {False: 88, True: 1.5, None: 10.5})
    cad = ""
    if referral in ("911-call", "officer-initiated"):
        cad = f"{day:%y}-{rng.randint(1, 99_999):05d}"
    return {
        "date": day,
        "time": clock if rng.random() < 0.98 else None,
        "cad_incident": cad,
        "referral_source": referral,
        "contact_type": contact_type,
        "concerns": concerns or ["mental-health"],
        "assessment": assessed,
        "disposition": disposition,
        "linked_to_services": linked,
        "service_type": service,
        "minutes": min(600, max(5, round(minutes))) if rng.random() < 0.97 else None,
        "use_of_force": force,
    }


def _agency_month(rng, *, agency: str, month: dt.date, calls: int, ramp: float) -> list[dict]:
    """The encounters of one agency and month, in the order they happened."""
    # Even in a small town's quiet month, a clinician is on site for at most half the calls.
    onsite = min(_count(rng, calls, AGENCIES[agency].coverage * ramp), calls // 2)
    kinds = [("on-scene", True)] * onsite
    for contact_type, per_assessment in OTHER_CONTACTS.items():
        for _ in range(_count(rng, onsite + 2, per_assessment)):
            chance = ASSESSED.get(contact_type, 0)
            kinds.append((contact_type, rng.random() < chance))
    last_day = (add_months(month, 1) - dt.timedelta(days=1)).day
    values = [
        _encounter(
            rng,
            contact_type=contact_type,
            assessed=assessed,
            day=month.replace(day=rng.randint(1, last_day)),
        )
        for contact_type, assessed in kinds
    ]
    return sorted(values, key=lambda v: (v["date"], v["time"] or dt.time()))


def _encounters_copy(encounters: list[Encounter]) -> None:
    """Insert the encounters with one COPY: bulk_create spends most of its time building
    SQL parameters in Python (over twice as long for 5,000 rows) (coresponder.csvio
    imports with COPY for the same reason). The history triggers fire for COPY too."""
    now = timezone.now()
    columns = [f for f in Encounter._meta.concrete_fields if not f.primary_key]
    names = ", ".join(connection.ops.quote_name(f.column) for f in columns)
    table = connection.ops.quote_name(Encounter._meta.db_table)
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for encounter in encounters:
            encounter.created_at = encounter.updated_at = now
            copy.write_row([getattr(encounter, f.attname) for f in columns])


@transaction.atomic
def coresponder_demo_load(*, seed: int = 2024, today: dt.date | None = None) -> dict[str, int]:
    """Link the demo accounts; add the demo encounters and call volumes once.

    Loads every month from FIRST_MONTH to the last full month before `today` (the local
    date by default). The same seed and date give the same data.
    """
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
        return {"encounters": 0, "call_volumes": 0, "months": 0}

    rng = random.Random(seed)  # noqa: S311 - synthetic demo data, not security
    months = months_to_load(today or timezone.localdate())
    # Call volume already entered or imported stays, and is the month's denominator.
    entered = {
        (v.agency.dictionary_code, v.month): v.mh_calls
        for v in MonthlyCallVolume.objects.filter(
            agency__dictionary_code__in=list(AGENCIES), month__in=months
        ).select_related("agency")
    }
    people = {agency: _People() for agency in AGENCIES}
    volumes, encounters = [], []
    for position, month in enumerate(months):
        ramp = RAMP_UP[position] if position < len(RAMP_UP) else 1
        for agency, profile in AGENCIES.items():
            calls = _mh_calls(rng, profile, month)
            total = round(calls * rng.uniform(28, 45))
            if (agency, month) in entered:
                calls = entered[(agency, month)]
            else:
                volumes.append(
                    MonthlyCallVolume(
                        agency=orgs[agency], month=month, mh_calls=calls, total_calls=total
                    )
                )
            if not calls:  # entered as none: encounters there would have no denominator
                continue
            rows = _agency_month(rng, agency=agency, month=month, calls=calls, ramp=ramp)
            for n, values in enumerate(rows, start=1):
                person = people[agency].person(
                    rng, follow_up=values["referral_source"] == "follow-up"
                )
                people[agency].met(person)
                encounters.append(
                    Encounter(
                        encounter_id=f"DEMO-{month:%Y%m}-{n:03d}",
                        agency=orgs[agency],
                        provider=orgs[profile.provider],
                        **values,
                        **person,
                    )
                )
    MonthlyCallVolume.objects.bulk_create(volumes)
    _encounters_copy(encounters)
    return {"encounters": len(encounters), "call_volumes": len(volumes), "months": len(months)}

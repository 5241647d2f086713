import datetime as dt

from django.contrib.auth.models import Group

from accounts.models import Organization
from accounts.roles import Role
from coresponder.models import Clinician, Encounter
from coresponder.services import encounter_values, organizations_by_code


def org(code: str) -> Organization:
    return Organization.objects.get(dictionary_code=code)


def clinician_for(user, *, provider="rediscover", agencies=("blue-springs",)) -> Clinician:
    user.groups.add(Group.objects.get_or_create(name=Role.CORESPONDER_CLINICIAN)[0])
    clinician = Clinician.objects.create(
        user=user, provider=org(provider), usual_agency=org(agencies[0])
    )
    clinician.agencies.set([org(a) for a in agencies])
    return clinician


def row(**overrides) -> dict:
    """One encounter row of text values, as in the CSV file."""
    values = {
        "encounter_id": "BS-0001",
        "agency": "blue-springs",
        "provider": "rediscover",
        "date": (dt.date.today() - dt.timedelta(days=3)).isoformat(),
        "time": "14:30",
        "cad_incident": "",
        "referral_source": "911-call",
        "contact_type": "on-scene",
        "concerns": "mental-health",
        "assessment": "yes",
        "disposition": "resolved-on-scene",
        "linked_to_services": "no",
        "service_type": "",
        "age_group": "25-34",
        "gender": "",
        "veteran": "",
        "person_key": "",
        "minutes": "45",
        "use_of_force": "",
    }
    values.update(overrides)
    return values


_counter = iter(range(1, 10_000_000))


def encounter(**overrides) -> Encounter:
    """An encounter saved straight to the database (dictionary-valid values)."""
    from coresponder.dictionary import check_encounter_row

    overrides.setdefault("encounter_id", f"E-{next(_counter)}")
    cleaned, errors = check_encounter_row(row(**overrides))
    assert not errors, errors
    return Encounter.objects.create(**encounter_values(cleaned, organizations_by_code()))


def ensure_directory() -> None:
    """The dictionary's agencies and providers, as the data migration made them.

    Transactional tests (real workers, browsers) empty every table when they finish, the
    migration's rows included, so such tests call this first.
    """
    from coresponder import dictionary as dd

    for codes, kind in ((dd.AGENCIES, "police"), (dd.PROVIDERS, "behavioral_health")):
        for code, name in codes.items():
            Organization.objects.update_or_create(
                dictionary_code=code,
                defaults={"name": name, "kind": kind, "county": "Jackson", "state": "MO"},
            )

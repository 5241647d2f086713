import pytest

from coresponder.dictionary import check_encounter_row, check_volume_row
from tests.coresponder.factories import encounter, org, row


def errors_of(**overrides):
    _, errors = check_encounter_row(row(**{"date": "2026-11-01", **overrides}))
    return errors


def test_a_complete_row_is_accepted():
    cleaned, errors = check_encounter_row(
        row(date="2026-11-01", concerns="substance-use;mental-health")
    )
    assert errors == []
    assert cleaned["concerns"] == ["mental-health", "substance-use"]


@pytest.mark.parametrize(
    "overrides,column",
    [
        ({"encounter_id": ""}, "encounter_id"),
        ({"encounter_id": "x" * 65}, "encounter_id"),
        ({"agency": "kansas-city"}, "agency"),
        ({"provider": "Burrell"}, "provider"),
        ({"date": "11/01/2026"}, "date"),
        ({"date": "2026-02-29"}, "date"),
        ({"time": "2:30 pm"}, "time"),
        ({"referral_source": "walk-in"}, "referral_source"),
        ({"contact_type": ""}, "contact_type"),
        ({"concerns": ""}, "concerns"),
        ({"concerns": "mental-health;drugs"}, "concerns"),
        ({"assessment": "Y"}, "assessment"),
        ({"disposition": "jail"}, "disposition"),
        ({"linked_to_services": "yes", "service_type": ""}, "service_type"),
        ({"linked_to_services": "no", "service_type": "outpatient"}, "service_type"),
        ({"age_group": "30"}, "age_group"),
        ({"minutes": "1441"}, "minutes"),
        ({"minutes": "-5"}, "minutes"),
        ({"cad_incident": "9" * 33}, "cad_incident"),
    ],
)
def test_every_rule_of_the_dictionary_is_checked_at_its_column(overrides, column):
    columns = [col for col, _ in errors_of(**overrides)]
    assert column in columns


def test_volume_rows_are_checked():
    assert check_volume_row({"agency": "raytown", "month": "2026-10", "mh_calls": "40"})[1] == []
    _, errors = check_volume_row({"agency": "raytown", "month": "2026-13", "mh_calls": "40"})
    assert {col for col, _ in errors} == {"month"}
    _, errors = check_volume_row(
        {"agency": "raytown", "month": "2026-10", "mh_calls": "40", "total_calls": "10"}
    )
    assert [col for col, _ in errors] == ["total_calls"]


@pytest.mark.django_db
def test_every_dictionary_agency_and_provider_is_in_the_shared_directory():
    from coresponder.dictionary import AGENCIES, PROVIDERS

    for code in [*AGENCIES, *PROVIDERS]:
        assert org(code).dictionary_code == code
    saved = encounter(concerns="mental-health;substance-use")
    assert saved.agency.name == "Blue Springs Police Department"


def test_a_number_far_out_of_range_is_refused_with_a_message_not_a_crash():
    # Thousands of digits: int() would refuse the text; the database column holds 2**31 - 1.
    _, errors = check_volume_row(
        {"agency": "raytown", "month": "2026-10", "mh_calls": "9" * 5000, "total_calls": "3e9"}
    )
    assert [col for col, _ in errors] == ["mh_calls", "total_calls"]
    assert "out of range (from 0 to 1000000)" in errors[0][1]
    _, errors = check_volume_row(
        {"agency": "raytown", "month": "2026-10", "mh_calls": "40", "total_calls": "2147483648"}
    )
    assert errors == [("total_calls", "2147483648 is out of range (from 0 to 1000000)")]

import datetime as dt

import pytest

from coresponder import dictionary as dd
from coresponder import quality
from coresponder.csvio.export import encounter_export_rows
from coresponder.demo import FIRST_MONTH, coresponder_demo_load, months_to_load
from coresponder.measures import program_measures
from coresponder.models import Clinician, Encounter, MonthlyCallVolume
from programs.services import demo_accounts_ensure
from tests.coresponder.factories import org

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 7, 15)  # the demo runs from October 2023 to June 2025
LAST_DAY = dt.date(2025, 6, 30)


def _fingerprint() -> list[tuple]:
    return list(
        Encounter.objects.order_by("agency__dictionary_code", "encounter_id").values_list(
            "agency__dictionary_code", "encounter_id", "date", "disposition", "person_key"
        )
    ) + list(
        MonthlyCallVolume.objects.order_by("agency__dictionary_code", "month").values_list(
            "agency__dictionary_code", "month", "mh_calls", "total_calls"
        )
    )


def test_demo_runs_from_the_program_start_to_the_last_full_month():
    months = months_to_load(TODAY)
    assert months[0] == FIRST_MONTH == dt.date(2023, 10, 1)
    assert months[-1] == dt.date(2025, 6, 1)
    assert months_to_load(dt.date(2025, 7, 1))[-1] == dt.date(2025, 6, 1)
    assert months_to_load(dt.date(2023, 10, 31)) == []


def test_coresponder_demo_links_the_demo_accounts_and_loads_once():
    demo_accounts_ensure()
    first = coresponder_demo_load(today=TODAY)
    assert first["encounters"] > 2000
    assert first["months"] == 21
    loaded = _fingerprint()
    assert coresponder_demo_load(today=TODAY)["encounters"] == 0
    assert _fingerprint() == loaded
    assert MonthlyCallVolume.objects.count() == 21 * len(dd.AGENCIES)
    assert (
        Clinician.objects.get(user__username="clinician").provider.dictionary_code == "rediscover"
    )


def test_demo_is_the_same_for_the_same_date():
    coresponder_demo_load(today=TODAY)
    loaded = _fingerprint()
    Encounter.objects.all().delete()
    MonthlyCallVolume.objects.all().delete()
    coresponder_demo_load(today=TODAY)
    assert _fingerprint() == loaded


def test_demo_figures_look_like_the_programs():
    coresponder_demo_load(today=TODAY)
    report = program_measures(start=FIRST_MONTH, end=LAST_DAY)
    whole = report.total
    assert 0.20 <= whole.coverage <= 0.30
    assert whole.custody_avoided_share > 0.95
    assert 0.55 <= whole.linked / whole.field_assessments <= 0.70
    assert whole.field_assessments > whole.onsite_assessments
    assert 0.65 <= whole.on_scene / whole.encounters <= 0.85
    assert 0.10 <= whole.repeat_contacts / whole.encounters <= 0.35
    assert 0 < whole.involuntary_holds < whole.encounters * 0.15
    by_agency = {row.code: row for row in report.agencies}
    assert max(by_agency.values(), key=lambda row: row.mh_calls).code == "independence"
    assert min(by_agency.values(), key=lambda row: row.mh_calls).code == "buckner"
    for row in by_agency.values():
        assert 0.12 <= row.coverage <= 0.38, row


def test_demo_has_no_data_quality_problems():
    """Every agency has calls in every month, encounters or not, and no agency-month comes
    near 100% coverage: the dashboard's data checks find nothing to look at."""
    coresponder_demo_load(today=TODAY)
    months = months_to_load(TODAY)
    assert quality.data_checks(start=FIRST_MONTH, end=LAST_DAY) == []
    assert not Encounter.objects.filter(date__gt=LAST_DAY).exists()
    assert not Encounter.objects.filter(date__lt=FIRST_MONTH).exists()
    for code in dd.AGENCIES:
        report = program_measures(start=FIRST_MONTH, end=LAST_DAY, agency=org(code))
        assert [m.code for m in report.months] == [f"{m:%Y-%m}" for m in months]
        for month in report.months:
            assert month.mh_calls > 0, (code, month)
            assert month.coverage <= 0.5, (code, month)


def test_demo_starts_no_earlier_than_the_program_start_setting(settings):
    settings.CORESPONDER_PROGRAM_START = dt.date(2024, 2, 15)
    assert months_to_load(TODAY)[0] == dt.date(2024, 3, 1)
    coresponder_demo_load(today=TODAY)
    assert not Encounter.objects.filter(date__lt=dt.date(2024, 3, 1)).exists()
    assert not MonthlyCallVolume.objects.filter(month__lt=dt.date(2024, 3, 1)).exists()


def test_demo_records_pass_the_data_dictionary():
    coresponder_demo_load(today=TODAY)
    rows = encounter_export_rows(Encounter.objects.all())
    header = next(rows)
    for values in rows:
        _, errors = dd.check_encounter_row(dict(zip(header, values, strict=True)))
        assert not errors, (values, errors)
    for row in MonthlyCallVolume.objects.select_related("agency"):
        _, errors = dd.check_volume_row(
            {
                "agency": row.agency.dictionary_code,
                "month": f"{row.month:%Y-%m}",
                "mh_calls": str(row.mh_calls),
                "total_calls": str(row.total_calls),
            }
        )
        assert not errors, (row, errors)


def test_call_volume_already_entered_is_kept_and_bounds_the_encounters():
    """A month whose calls were entered before keeps them; the demo never assesses more
    people on site than that month had calls."""
    month = dt.date(2024, 3, 1)
    MonthlyCallVolume.objects.create(agency=org("independence"), month=month, mh_calls=3)
    coresponder_demo_load(today=TODAY)
    assert MonthlyCallVolume.objects.get(agency=org("independence"), month=month).mh_calls == 3
    report = program_measures(
        start=month, end=dt.date(2024, 3, 31), agency=org("independence")
    ).total
    assert report.onsite_assessments <= 1  # at most half of the month's 3 calls

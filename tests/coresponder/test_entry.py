"""Encounter entry and editing, the encounter list, month closing and call volume."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditAction, AuditEvent, AuditOutcome
from accounts.roles import Role
from accounts.staff_areas import areas_for
from core.dates import month_start
from coresponder import services
from coresponder.models import ClosedMonth, Encounter, MonthlyCallVolume
from tests.conftest import signed_in_client
from tests.coresponder.factories import clinician_for, encounter, org, row

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs) -> str:
    return reverse(f"coresponder:entry:{name}", kwargs=kwargs)


def today() -> dt.date:
    return services.today()


def last_month_day() -> dt.date:
    """A day of the month before the current one (a month that has ended)."""
    return month_start(today()) - dt.timedelta(days=1)


def form_data(**overrides) -> dict:
    """What the entry form posts: the row's text values, concerns as ticked boxes."""
    values = row(**{"date": today().isoformat(), **overrides})
    values["concerns"] = [c for c in values["concerns"].split(";") if c]
    return values


def views_of(object_type="coresponder.encounter", **detail):
    events = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type=object_type)
    return [e for e in events if all(e.detail.get(k) == v for k, v in detail.items())]


# --- New encounter ---------------------------------------------------------------------


def test_new_form_prefills_today_and_usual_agency_and_fixes_provider(clinician_client):
    response = clinician_client.get(url("encounter_new"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["date"].value() == today().isoformat()
    assert form["agency"].value() == "grandview"
    assert "provider" not in form.fields  # a clinician's provider is theirs
    html = response.content.decode()
    assert "ReDiscover" in html
    # Only the clinician's agencies are offered
    assert 'value="grandview"' in html and 'value="blue-springs"' in html
    assert 'value="raytown"' not in html
    # Short code lists are radio groups, concerns are checkboxes, labels from the dictionary
    assert 'type="radio" class="form-check-input"  name="disposition"' in html.replace("\n", "")
    assert 'type="checkbox"' in html and "Suicidal ideation" in html
    assert re.search(r'<input[^>]*name="encounter_id"[^>]*autofocus', html)
    assert html.count("autofocus") == 1
    assert "Save and add another" in html


def test_clinician_saves_an_encounter_for_their_provider(clinician_client, clinician):
    response = clinician_client.post(url("encounter_new"), form_data(provider="burrell"))
    assert response.status_code == 302
    assert response["Location"] == url("encounters")
    saved = Encounter.objects.get()
    assert saved.provider == org("rediscover")  # a posted provider is ignored
    assert saved.agency == org("blue-springs")
    assert saved.created_by == clinician.user
    assert saved.concerns == ["mental-health"] and saved.minutes == 45
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="coresponder.encounter", object_id=str(saved.pk)
    ).exists()


def test_save_and_add_another_returns_to_a_form_with_the_same_agency_and_date(clinician_client):
    day = (today() - dt.timedelta(days=2)).isoformat()
    response = clinician_client.post(url("encounter_new"), {**form_data(date=day), "another": "1"})
    assert response.status_code == 302
    next_form = clinician_client.get(response["Location"])
    form = next_form.context["form"]
    assert form["agency"].value() == "blue-springs"
    assert form["date"].value() == day
    assert form["encounter_id"].value() in (None, "")
    assert "Encounter BS-0001 saved." in next_form.content.decode()


def test_a_time_is_typed_as_hours_and_minutes_only(clinician_client):
    """No time picker sends seconds any more: the box takes what its help text shows."""
    response = clinician_client.post(url("encounter_new"), form_data(time="09:05:00"))
    assert response.status_code == 400
    assert 'value="09:05:00"' in response.content.decode()
    assert not Encounter.objects.exists()


TOMORROW = "tomorrow"


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"encounter_id": ""}, "encounter_id", "Encounter ID is required."),
        ({"encounter_id": "x" * 65}, "encounter_id", "Encounter ID is longer than 64 characters."),
        ({"agency": ""}, "agency", "Agency is required."),
        ({"agency": "kansas-city"}, "agency", "“kansas-city” is not a listed code"),
        ({"date": ""}, "date", "Date is required."),
        ({"date": "11/01/2025"}, "date", "“11/01/2025” is not a date written YYYY-MM-DD."),
        ({"date": "20250105"}, "date", "is not a date written YYYY-MM-DD"),
        ({"date": TOMORROW}, "date", "is in the future."),
        ({"time": "2:30 pm"}, "time", "is not a time written HH:MM (24 h)."),
        ({"time": "24:00"}, "time", "“24:00” is not a time written HH:MM"),
        ({"cad_incident": "C" * 33}, "cad_incident", "longer than 32 characters."),
        ({"referral_source": ""}, "referral_source", "Referral source is required."),
        ({"referral_source": "walk-in"}, "referral_source", "“walk-in” is not a listed code"),
        ({"contact_type": ""}, "contact_type", "Contact type is required."),
        ({"contact_type": "video"}, "contact_type", "“video” is not a listed code"),
        ({"concerns": ""}, "concerns", "Concerns is required."),
        ({"concerns": "mental-health;drugs"}, "concerns", "“drugs” is not a listed code"),
        ({"concerns": "housing;housing"}, "concerns", "Concerns lists the same code twice."),
        ({"assessment": ""}, "assessment", "Assessment or screening completed is required."),
        ({"assessment": "Y"}, "assessment", "“Y” is not a listed code (yes, no)."),
        ({"disposition": ""}, "disposition", "Disposition is required."),
        ({"disposition": "jail"}, "disposition", "“jail” is not a listed code"),
        ({"linked_to_services": ""}, "linked_to_services", "Linked to services is required."),
        ({"linked_to_services": "maybe"}, "linked_to_services", "“maybe” is not a listed"),
        (
            {"linked_to_services": "yes", "service_type": ""},
            "service_type",
            "Service type is required when “linked to services” is yes.",
        ),
        (
            {"linked_to_services": "no", "service_type": "outpatient"},
            "service_type",
            "Service type must be blank when “linked to services” is no.",
        ),
        (
            {"linked_to_services": "yes", "service_type": "therapy"},
            "service_type",
            "“therapy” is not a listed code",
        ),
        ({"age_group": "30s"}, "age_group", "“30s” is not a listed code"),
        ({"gender": "f"}, "gender", "“f” is not a listed code"),
        ({"veteran": "Y"}, "veteran", "“Y” is not a listed code"),
        ({"person_key": "k" * 65}, "person_key", "Person key is longer than 64 characters."),
        ({"minutes": "1441"}, "minutes", "1441 is out of range (from 0 to 1440)."),
        ({"minutes": "-5"}, "minutes", "“-5” is not a whole number."),
        ({"minutes": "4.5"}, "minutes", "“4.5” is not a whole number."),
        ({"minutes": "ten"}, "minutes", "“ten” is not a whole number."),
        ({"use_of_force": "true"}, "use_of_force", "“true” is not a listed code"),
    ],
)
def test_each_dictionary_rule_is_a_message_at_its_field(
    clinician_client, overrides, field, message
):
    if overrides.get("date") == TOMORROW:
        overrides = {**overrides, "date": (today() + dt.timedelta(days=1)).isoformat()}
    response = clinician_client.post(url("encounter_new"), form_data(**overrides))
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert any(message in error for error in form.errors[field]), form.errors[field]
    html = response.content.decode()
    # The summary at the top links to the field, whose own message is below it
    summary = html.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert re.search(rf'href="#id_{field}(_0)?"', summary)
    assert html.count(message.replace("'", "&#x27;")) >= 2
    # The first field with an error gets the focus
    assert re.search(rf'<input[^>]*name="{field}"[^>]*autofocus', html.replace("\n", ""))
    assert not Encounter.objects.exists()


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"provider": ""}, "Provider is required."),
        ({"provider": "Burrell"}, "“Burrell” is not a listed code"),
    ],
)
def test_a_program_manager_chooses_a_listed_provider(program_manager, overrides, message):
    response = signed_in_client(program_manager).post(url("encounter_new"), form_data(**overrides))
    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors["provider"])


def test_a_program_manager_enters_for_any_provider_and_agency(program_manager):
    client = signed_in_client(program_manager)
    html = client.get(url("encounter_new")).content.decode()
    assert 'value="burrell"' in html and 'value="oak-grove"' in html
    data = form_data(provider="burrell", agency="oak-grove")
    assert client.post(url("encounter_new"), data).status_code == 302
    saved = Encounter.objects.get()
    assert (saved.provider, saved.agency) == (org("burrell"), org("oak-grove"))


def test_everything_typed_is_kept_when_a_field_is_wrong(clinician_client):
    data = form_data(
        encounter_id="BS-7788",
        cad_incident="CAD-2025-0042",
        person_key="pk-5f3a9c",
        concerns="suicidal-ideation;housing",
        disposition="referred",
        minutes="1500",
    )
    response = clinician_client.post(url("encounter_new"), data)
    assert response.status_code == 400
    html = response.content.decode().replace("\n", "")
    for value in ("BS-7788", "CAD-2025-0042", "pk-5f3a9c", "1500"):
        assert f'value="{value}"' in html
    for code in ("suicidal-ideation", "housing"):
        assert re.search(rf'value="{code}"[^>]*checked', html)
    assert not re.search(r'value="mental-health"[^>]*checked', html)
    assert re.search(r'name="disposition" value="referred"[^>]*checked', html)


def test_encounter_id_is_unique_per_agency(clinician_client):
    encounter(encounter_id="BS-0001", agency="blue-springs", provider="burrell")
    response = clinician_client.post(url("encounter_new"), form_data(encounter_id="BS-0001"))
    assert response.status_code == 400
    assert (
        "already has a record with this encounter ID"
        in (response.context["form"].errors["encounter_id"][0])
    )
    # The same partner id at another agency is another record
    data = form_data(encounter_id="BS-0001", agency="grandview")
    assert clinician_client.post(url("encounter_new"), data).status_code == 302


def test_a_clinician_cannot_enter_for_an_agency_they_do_not_serve(clinician_client):
    response = clinician_client.post(url("encounter_new"), form_data(agency="raytown"))
    assert response.status_code == 400
    assert response.context["form"].errors["agency"] == ["Choose one of the agencies you serve."]


def test_a_clinician_without_a_clinician_record_is_told_to_ask(make_staff):
    user = make_staff(roles=[Role.CORESPONDER_CLINICIAN])
    client = signed_in_client(user)
    response = client.get(url("encounter_new"))
    assert response.status_code == 200 and "not set up yet" in response.content.decode()
    assert client.post(url("encounter_new"), form_data()).status_code == 403
    assert not Encounter.objects.exists()


def test_entering_into_a_closed_month_is_refused_for_a_clinician(clinician_client, program_manager):
    services.month_close(month=last_month_day(), by=program_manager)
    response = clinician_client.post(
        url("encounter_new"), form_data(date=last_month_day().isoformat())
    )
    assert response.status_code == 409
    assert "This month is closed" in response.context["form"].errors["date"][0]
    assert not Encounter.objects.exists()


def test_the_date_is_checked_against_the_local_day(clinician_client, monkeypatch):
    monkeypatch.setattr(services, "today", lambda: dt.date(2026, 3, 31))
    response = clinician_client.post(url("encounter_new"), form_data(date="2026-04-01"))
    assert response.status_code == 400
    assert response.context["form"].errors["date"] == ["2026-04-01 is in the future."]
    assert (
        clinician_client.post(url("encounter_new"), form_data(date="2026-03-31")).status_code == 302
    )


# --- The list --------------------------------------------------------------------------


def test_a_clinician_lists_their_providers_records_without_person_keys(clinician_client):
    mine = encounter(encounter_id="MINE-1", provider="rediscover", person_key="pk-secret-1")
    encounter(encounter_id="THEIRS-1", provider="burrell", agency="raytown")
    response = clinician_client.get(url("encounters"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "MINE-1" in html and url("encounter", pk=mine.pk) in html
    assert "THEIRS-1" not in html
    assert "pk-secret-1" not in html
    assert views_of(list=True, rows=1, total=1)


def test_a_program_manager_lists_every_providers_records(program_manager):
    encounter(encounter_id="MINE-1", provider="rediscover")
    encounter(encounter_id="THEIRS-1", provider="burrell", agency="raytown")
    html = signed_in_client(program_manager).get(url("encounters")).content.decode()
    assert "MINE-1" in html and "THEIRS-1" in html


def test_the_list_filters_by_month_and_agency(clinician_client):
    this_month = today().replace(day=1)
    encounter(encounter_id="NOW-BS", date=this_month.isoformat(), agency="blue-springs")
    encounter(encounter_id="NOW-GV", date=this_month.isoformat(), agency="grandview")
    encounter(encounter_id="OLD-BS", date=last_month_day().isoformat(), agency="blue-springs")
    response = clinician_client.get(
        url("encounters"), {"month": f"{this_month:%Y-%m}", "agency": "blue-springs"}
    )
    html = response.content.decode()
    assert "NOW-BS" in html and "NOW-GV" not in html and "OLD-BS" not in html
    assert views_of(list=True, rows=1, month=f"{this_month:%Y-%m}", agency="blue-springs")
    bad = clinician_client.get(url("encounters"), {"month": "March"})
    assert bad.status_code == 200 and "Write the month as YYYY-MM" in bad.content.decode()


def test_the_list_is_paginated_and_each_page_view_is_audited(clinician_client):
    for n in range(53):
        encounter(encounter_id=f"P-{n:03}")
    first = clinician_client.get(url("encounters"))
    assert len(first.context["encounters"]) == 50
    second = clinician_client.get(url("encounters"), {"page": 2})
    assert len(second.context["encounters"]) == 3
    assert views_of(list=True, rows=50, total=53, page=1)
    assert views_of(list=True, rows=3, total=53, page=2)


def test_the_list_query_count_does_not_grow_with_its_rows(program_manager):
    client = signed_in_client(program_manager)
    encounter()
    client.get(url("encounters"))  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get(url("encounters"))
    for _ in range(20):
        encounter(provider="burrell", agency="raytown")
    with CaptureQueriesContext(connection) as many:
        client.get(url("encounters"))
    assert len(many) == len(few)


def test_the_list_marks_closed_months(clinician_client, program_manager):
    encounter(encounter_id="OLD-1", date=last_month_day().isoformat())
    services.month_close(month=last_month_day(), by=program_manager)
    assert "month closed" in clinician_client.get(url("encounters")).content.decode()


# --- One record ------------------------------------------------------------------------


def test_a_clinician_edits_their_providers_record(clinician_client):
    record = encounter(encounter_id="E-1", provider="rediscover", agency="blue-springs")
    page = clinician_client.get(url("encounter", pk=record.pk))
    assert page.status_code == 200
    assert page.context["form"]["encounter_id"].value() == "E-1"
    assert (
        views_of(object_type="coresponder.encounter")
        and AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(record.pk)).exists()
    )
    data = form_data(
        encounter_id="E-1",
        disposition="referred",
        linked_to_services="yes",
        service_type="outpatient",
    )
    response = clinician_client.post(url("encounter", pk=record.pk), data)
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.disposition == "referred" and record.service_type == "outpatient"
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_type="coresponder.encounter", object_id=str(record.pk)
    ).exists()


def test_an_invalid_edit_is_refused_at_the_field_and_audited_as_a_view(clinician_client):
    record = encounter(encounter_id="E-1")
    response = clinician_client.post(
        url("encounter", pk=record.pk), form_data(encounter_id="E-1", minutes="x")
    )
    assert response.status_code == 400
    assert "minutes" in response.context["form"].errors
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(record.pk)).exists()


def test_another_providers_record_is_not_found(clinician_client):
    theirs = encounter(provider="burrell", agency="blue-springs")
    assert clinician_client.get(url("encounter", pk=theirs.pk)).status_code == 404
    assert clinician_client.post(url("encounter", pk=theirs.pk), form_data()).status_code == 404
    assert AuditEvent.objects.filter(
        action=AuditAction.PERMISSION_DENIED,
        outcome=AuditOutcome.DENIED,
        object_type="coresponder.encounter",
        object_id=str(theirs.pk),
    ).exists()


def test_an_agency_liaison_reaches_no_record_by_its_url(blue_springs_liaison):
    record = encounter(agency="blue-springs")  # the liaison's own agency
    client = signed_in_client(blue_springs_liaison)
    assert client.get(url("encounter", pk=record.pk)).status_code == 404
    assert client.post(url("encounter", pk=record.pk), form_data()).status_code == 404
    assert client.get(url("encounter", pk=record.pk + 1000)).status_code == 404
    for name in ("encounters", "encounter_new", "months", "volume"):
        assert client.get(url(name)).status_code == 403
    assert client.post(url("encounter_new"), form_data()).status_code == 403
    assert Encounter.objects.count() == 1


@pytest.mark.parametrize("name", ["encounters", "encounter_new", "months", "volume", "encounter"])
def test_anonymous_users_are_sent_to_sign_in(client, name):
    target = url(name, pk=1) if name == "encounter" else url(name)
    response = client.get(target)
    assert response.status_code == 302 and "next=" in response["Location"]


def test_months_and_volume_are_for_program_managers_only(clinician_client):
    for name in ("months", "volume"):
        assert clinician_client.get(url(name)).status_code == 403
    assert (
        clinician_client.post(
            url("month_close"), {"month": f"{last_month_day():%Y-%m}"}
        ).status_code
        == 403
    )
    assert not ClosedMonth.objects.exists()


def test_a_closed_month_is_read_only_for_a_clinician(clinician_client, program_manager):
    record = encounter(date=last_month_day().isoformat(), disposition="resolved-on-scene")
    services.month_close(month=last_month_day(), by=program_manager)
    page = clinician_client.get(url("encounter", pk=record.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert "is closed" in html and "ask a program manager" in html
    assert page.context["form"] is None and 'name="encounter_id"' not in html
    assert "Resolved on scene" in html
    response = clinician_client.post(
        url("encounter", pk=record.pk),
        form_data(
            encounter_id=record.encounter_id, date=record.date.isoformat(), disposition="arrest"
        ),
    )
    assert response.status_code == 409
    assert "only a program manager can change its records" in response.content.decode()
    record.refresh_from_db()
    assert record.disposition == "resolved-on-scene"


def test_a_program_manager_corrects_a_closed_month_and_it_is_audited(program_manager):
    record = encounter(date=last_month_day().isoformat(), disposition="resolved-on-scene")
    services.month_close(month=last_month_day(), by=program_manager)
    client = signed_in_client(program_manager)
    page = client.get(url("encounter", pk=record.pk))
    assert "As a program manager you can still correct this record" in page.content.decode()
    data = form_data(
        encounter_id=record.encounter_id,
        date=record.date.isoformat(),
        disposition="arrest",
    )
    assert client.post(url("encounter", pk=record.pk), data).status_code == 302
    record.refresh_from_db()
    assert record.disposition == "arrest"
    change = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="coresponder.encounter")
    assert change.detail == {"closed_month": True} and change.actor_id == program_manager.pk


def test_a_clinician_cannot_move_a_record_into_a_closed_month(clinician_client, program_manager):
    record = encounter(date=today().isoformat())
    services.month_close(month=last_month_day(), by=program_manager)
    data = form_data(encounter_id=record.encounter_id, date=last_month_day().isoformat())
    response = clinician_client.post(url("encounter", pk=record.pk), data)
    assert response.status_code == 409
    record.refresh_from_db()
    assert record.date == today()


@pytest.mark.parametrize("name", ["encounters", "encounter_new", "encounter"])
def test_record_pages_are_not_cached(clinician_client, name):
    record = encounter()
    target = url(name, pk=record.pk) if name == "encounter" else url(name)
    assert clinician_client.get(target)["Cache-Control"] == "no-store"


# --- Months ----------------------------------------------------------------------------


def test_a_program_manager_closes_a_month(program_manager):
    encounter(date=last_month_day().isoformat())
    client = signed_in_client(program_manager)
    label = f"{last_month_day():%B %Y}"
    page = client.get(url("months")).content.decode()
    assert f"Close {label}" in page
    response = client.post(url("month_close"), {"month": f"{last_month_day():%Y-%m}"})
    assert response.status_code == 302
    closed = ClosedMonth.objects.get()
    assert closed.month == month_start(last_month_day()) and closed.closed_by == program_manager
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_type="coresponder.closedmonth"
    ).exists()
    page = client.get(url("months")).content.decode()
    assert f"Close {label}" not in page and "Closed " in page


def test_the_months_page_counts_encounters(program_manager):
    for _ in range(3):
        encounter(date=last_month_day().isoformat())
    months = signed_in_client(program_manager).get(url("months")).context["months"]
    counts = {row["month"]: row["count"] for row in months}
    assert counts[month_start(last_month_day())] == 3
    assert months[0]["month"] == month_start(today())  # newest first
    assert months[0]["can_close"] is False


@pytest.mark.parametrize("month", ["current", "2025-13", ""])
def test_only_an_ended_month_can_be_closed(program_manager, month):
    if month == "current":
        month = f"{today():%Y-%m}"
    response = signed_in_client(program_manager).post(url("month_close"), {"month": month})
    assert response.status_code == 400
    assert not ClosedMonth.objects.exists()


def test_a_month_is_closed_on_the_first_day_of_the_next(program_manager, monkeypatch):
    monkeypatch.setattr(services, "today", lambda: dt.date(2026, 3, 31))
    client = signed_in_client(program_manager)
    assert client.post(url("month_close"), {"month": "2026-03"}).status_code == 400
    monkeypatch.setattr(services, "today", lambda: dt.date(2026, 4, 1))
    assert client.post(url("month_close"), {"month": "2026-03"}).status_code == 302
    assert ClosedMonth.objects.filter(month=dt.date(2026, 3, 1)).exists()


# --- Call volume -----------------------------------------------------------------------


def volume_data(**overrides) -> dict:
    values = {
        "agency": "independence",
        "month": f"{last_month_day():%Y-%m}",
        "mh_calls": "120",
        "total_calls": "3400",
    }
    values.update(overrides)
    return values


def test_a_program_manager_enters_and_corrects_call_volume(program_manager):
    client = signed_in_client(program_manager)
    assert client.post(url("volume"), volume_data()).status_code == 302
    saved = MonthlyCallVolume.objects.get()
    assert (saved.agency, saved.mh_calls, saved.total_calls) == (org("independence"), 120, 3400)
    assert saved.updated_by == program_manager
    # Entering the same agency and month replaces the numbers
    assert (
        client.post(url("volume"), volume_data(mh_calls="130", total_calls="")).status_code == 302
    )
    saved = MonthlyCallVolume.objects.get()
    assert (saved.mh_calls, saved.total_calls) == (130, None)
    page = client.get(url("volume"))
    assert "Independence Police Department" in page.content.decode()
    cell = client.get(url("volume"), {"agency": "independence", "month": volume_data()["month"]})
    assert cell.context["form"]["mh_calls"].value() == "130"


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        (
            {"total_calls": "100"},
            "total_calls",
            "Total calls is smaller than “mental-health calls”.",
        ),
        ({"mh_calls": ""}, "mh_calls", "Mental-health calls is required."),
        ({"mh_calls": "12.5"}, "mh_calls", "“12.5” is not a whole number."),
        ({"mh_calls": "-3"}, "mh_calls", "“-3” is not a whole number."),
        ({"total_calls": "lots"}, "total_calls", "“lots” is not a whole number."),
        ({"agency": ""}, "agency", "Agency is required."),
        ({"agency": "kansas-city"}, "agency", "“kansas-city” is not a listed code"),
        ({"month": "03/2025"}, "month", "“03/2025” is not a month written YYYY-MM."),
        ({"month": ""}, "month", "Month is required."),
        ({"month": "2999-01"}, "month", "Month is in the future."),
    ],
)
def test_call_volume_is_checked_like_the_dictionary(program_manager, overrides, field, message):
    response = signed_in_client(program_manager).post(url("volume"), volume_data(**overrides))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert any(message in error for error in errors[field]), errors[field]
    assert f'href="#id_{field}"' in response.content.decode()
    assert not MonthlyCallVolume.objects.exists()


# --- Staff areas, roles and the admin --------------------------------------------------


def test_staff_areas_follow_the_roles(clinician, program_manager, blue_springs_liaison):
    def titles(user):
        return {area.title for area in areas_for(user) if "Co-responder" in area.title}

    assert titles(clinician.user) == {"Co-responder encounters", "Co-responder import and export"}
    assert titles(program_manager) == {
        "Co-responder encounters",
        "Co-responder dashboard",
        "Co-responder import and export",
    }
    assert titles(blue_springs_liaison) == {"Co-responder dashboard"}


def test_roles_hold_the_admin_permissions_they_need(db):
    def codenames(role):
        return set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))

    manager = codenames(Role.PROGRAM_MANAGER)
    assert {"add_clinician", "change_clinician", "view_encounter", "view_importjob"} <= manager
    assert "change_encounter" not in manager and "delete_encounter" not in manager
    assert {"add_clinician", "change_clinician"} <= codenames(Role.ADMINISTRATOR)
    assert not {c for c in codenames(Role.CORESPONDER_CLINICIAN) if "encounter" in c}


def test_the_admin_shows_encounters_read_only_and_audits_each_view(make_staff):
    admin_user = make_staff(superuser=True)
    client = signed_in_client(admin_user)
    record = encounter(person_key="pk-admin-secret")
    listing = client.get("/admin/coresponder/encounter/")
    assert listing.status_code == 200
    assert views_of(list=True, admin=True, rows=1)
    page = client.get(f"/admin/coresponder/encounter/{record.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "pk-admin-secret" not in html
    assert 'name="disposition"' not in html  # read-only
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(record.pk)).exists()
    delete = client.post(f"/admin/coresponder/encounter/{record.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403 and Encounter.objects.filter(pk=record.pk).exists()


def test_the_admin_sets_up_a_clinician_with_a_usual_agency_they_serve(make_staff):
    client = signed_in_client(make_staff(superuser=True))
    user = make_staff(roles=[Role.CORESPONDER_CLINICIAN])
    data = {
        "user": user.pk,
        "provider": org("burrell").pk,
        "agencies": [org("raytown").pk],
        "usual_agency": org("grandview").pk,
    }
    refused = client.post("/admin/coresponder/clinician/add/", data)
    assert refused.status_code == 200
    assert "Choose one of the agencies the clinician serves." in refused.content.decode()
    data["usual_agency"] = org("raytown").pk
    assert client.post("/admin/coresponder/clinician/add/", data).status_code == 302
    assert user.clinician.provider == org("burrell")
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="coresponder.clinician"
    ).exists()


def test_free_text_that_a_spreadsheet_would_run_is_refused_at_its_field(
    client, make_staff, staff_client
):

    user = make_staff()
    clinician_for(user)
    response = staff_client(user).post(
        "/staff/coresponder/encounters/new/",
        {"encounter_id": "=HYPERLINK(1)", "agency": "blue-springs", "date": "2026-11-01"},
    )
    assert response.status_code == 400
    assert "may not start with =, +, - or @" in response.content.decode()

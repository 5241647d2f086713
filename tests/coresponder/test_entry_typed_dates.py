"""The encounter form's date and time: typed text in the dictionary's formats, refused with
the typed text kept when it is no date, and judged by coresponder.quality's one rule (not
before the program's start, not in the future), as the CSV import is. Also the readable
labels of the dictionary's codes and the service type shown only when it applies."""

import datetime as dt
import re
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from coresponder import dictionary as dd
from coresponder import quality
from coresponder.models import Encounter
from tests.coresponder.factories import row

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)
NEW = reverse("coresponder:entry:encounter_new")


@pytest.fixture(autouse=True)
def frozen_day(settings):
    settings.CORESPONDER_PROGRAM_START = dt.date(2024, 1, 1)
    noon = dt.datetime(2026, 6, 15, 12, tzinfo=zoneinfo.ZoneInfo("America/Chicago"))
    with time_machine.travel(noon, tick=False):
        yield


def posted(**overrides) -> dict:
    values = row(**{"date": "2026-06-10", **overrides})
    values["concerns"] = [c for c in values["concerns"].split(";") if c]
    return values


def input_of(html: str, name: str) -> str:
    return re.search(rf'<input[^>]*name="{name}"[^>]*>', html)[0]


def test_the_date_and_time_are_text_boxes_with_the_format_in_their_help(clinician_client):
    html = clinician_client.get(NEW).content.decode()
    date = input_of(html, "date")
    assert 'type="text"' in date and 'inputmode="text"' in date and 'autocomplete="off"' in date
    assert 'pattern="[0-9]{4}-[0-9]{2}-[0-9]{2}"' in date and 'value="2026-06-15"' in date
    assert "start (2024-01-01) to today. Year-month-day" in html
    assert "Year-month-day (YYYY-MM-DD), for example 2026-03-14." in html
    assert 'type="text"' in input_of(html, "time")
    assert "Hour and minute on the 24-hour clock (HH:MM), for example 14:30." in html
    assert "mm/dd/yyyy" not in html and 'type="date"' not in html and 'type="time"' not in html


def test_a_time_typed_into_the_date_is_refused_and_nothing_is_saved(clinician_client):
    response = clinician_client.post(NEW, posted(date="10:15 PM"))
    assert response.status_code == 400
    assert response.context["form"].errors["date"] == [
        "“10:15 PM” is not a date written YYYY-MM-DD."
    ]
    html = response.content.decode()
    assert 'value="10:15 PM"' in input_of(html, "date")
    assert "The encounter was not saved" in html
    assert not Encounter.objects.exists()


def test_a_date_before_the_programs_start_is_refused_by_the_quality_rule(clinician_client):
    response = clinician_client.post(NEW, posted(date="0015-11-10"))
    assert response.status_code == 400
    rule = quality.encounter_date_problem(dt.date(15, 11, 10), today=TODAY)
    assert response.context["form"].errors["date"] == [rule + "."]
    assert rule == "0015-11-10 is before the program's start (2024-01-01): check the date"
    assert not Encounter.objects.exists()


def test_the_form_asks_the_quality_rule_itself(clinician_client, monkeypatch):
    """One rule, one home: a change to quality.encounter_date_problem reaches the form."""
    monkeypatch.setattr(quality, "encounter_date_problem", lambda value, *, today: "is odd")
    response = clinician_client.post(NEW, posted())
    assert response.context["form"].errors["date"] == ["Date is odd."]


def test_a_future_date_is_refused(clinician_client):
    response = clinician_client.post(NEW, posted(date="2026-06-16"))
    assert response.status_code == 400
    assert response.context["form"].errors["date"] == ["2026-06-16 is in the future."]
    assert not Encounter.objects.exists()
    assert clinician_client.post(NEW, posted(date="2026-06-15")).status_code == 302
    assert Encounter.objects.get().date == TODAY


def test_a_time_written_otherwise_is_refused_quoting_it(clinician_client):
    response = clinician_client.post(NEW, posted(time="10:15 PM"))
    assert response.context["form"].errors["time"] == [
        "“10:15 PM” is not a time written HH:MM (24 h)."
    ]
    assert 'value="10:15 PM"' in input_of(response.content.decode(), "time")


# --- Labels ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("under-18", "Under 18"),
        ("18-24", "18 to 24"),
        ("55-64", "55 to 64"),
        ("65-plus", "65 and over"),
        ("officer-initiated", "Officer-initiated"),
        ("follow-up-visit", "Follow-up visit"),
        ("voluntary-transport", "Voluntary transport"),
        ("911-call", "911 call"),
    ],
)
def test_codes_read_as_words(code, label):
    assert dd.label(code) == label


def test_the_form_shows_the_labels_and_saves_the_codes(clinician_client):
    html = clinician_client.get(NEW).content.decode()
    assert "18 to 24" in html and "65 and over" in html and "Under 18" in html
    assert "18 24" not in html and "65 plus" not in html
    assert 'value="18-24"' in html
    assert clinician_client.post(NEW, posted(age_group="18-24")).status_code == 302
    assert Encounter.objects.get().age_group == "18-24"


# --- The service type, only when linked to services ------------------------------------


def test_linked_to_services_controls_the_service_type(clinician_client):
    html = clinician_client.get(NEW).content.decode()
    linked = input_of(html, "linked_to_services")
    assert 'data-reveals="{&quot;yes&quot;:[&quot;service_type&quot;]}"' in linked
    assert "Only when linked to services is yes: then it is required." in html
    assert 'src="/static/js/conditional-fields.js"' in html


def test_without_javascript_the_server_still_checks_the_service_type(clinician_client):
    response = clinician_client.post(NEW, posted(linked_to_services="yes", service_type=""))
    assert response.context["form"].errors["service_type"] == [
        "Service type is required when “linked to services” is yes."
    ]
    assert not Encounter.objects.exists()

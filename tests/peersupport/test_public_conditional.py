"""The request form's fields that apply only to some answers (the agency's name outside
the region, the phone, the email) and its typed date."""

import html as htmllib
import json
import re

import pytest
from django.urls import reverse

from peersupport.models import SupportRequest
from tests.peersupport.test_public import field_block, form_data

pytestmark = pytest.mark.django_db

FORM_URL = reverse("peersupport:request")


def reveals(html: str, name: str) -> dict:
    control = re.search(rf'<(?:select|input)[^>]*name="{name}"[^>]*>', html)[0]
    return json.loads(htmllib.unescape(re.search(r'data-reveals="([^"]*)"', control)[1]))


def test_the_controlling_fields_name_what_they_reveal_and_help_says_when(client):
    html = client.get(FORM_URL).content.decode()
    assert reveals(html, "agency") == {"outside": ["outside_agency_name"]}
    assert reveals(html, "contact_method") == {
        "phone": ["contact_phone"],
        "text": ["contact_phone"],
        "email": ["contact_email"],
    }
    assert "Only if you chose “Outside the MARC region”" in field_block(html, "outside_agency_name")
    assert "Needed if you choose a phone call or a text message." in field_block(
        html, "contact_phone"
    )
    assert "Needed if you choose email." in field_block(html, "contact_email")
    assert 'src="/static/js/conditional-fields.js"' in html


def test_a_time_typed_as_the_incident_date_is_refused_and_kept(client):
    response = client.post(FORM_URL, form_data(None, incident_date="10:15 PM"))
    assert response.status_code == 400
    assert response.context["form"].errors["incident_date"] == [
        "“10:15 PM” is not a date written YYYY-MM-DD; for example 2026-03-14."
    ]
    block = field_block(response.content.decode(), "incident_date")
    assert 'value="10:15 PM"' in block
    assert "The day it happened, or the day it began. Year-month-day (YYYY-MM-DD)" in block
    assert not SupportRequest.objects.exists()

"""The data dictionary as an open standard (coresponder.opendata, views.dictionary): the
published schemas agree with the import, row by row and file by file, and the public page
states every field, code, measure and privacy rule."""

import csv
import datetime as dt
import io
import json
import re
import zoneinfo

import frictionless
import jsonschema
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from frictionless.formats import CsvControl
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from core import dates
from coresponder import dictionary as dd
from coresponder import measures, opendata, quality
from coresponder.csvio import jobs, parse
from coresponder.models import ImportStatus
from coresponder.suppression import LARGEST_SMALL, NOT_APPLICABLE_TEXT, SMALL_TEXT, WITHHELD_TEXT

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=CHICAGO)
TODAY = NOW.date()
START = dt.date(2020, 1, 1)  # settings.CORESPONDER_PROGRAM_START in tests
SPECS = {spec.name: spec for spec in dd.FILES}


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def dictionary_url(name: str) -> str:
    return reverse("coresponder:dictionary_file", kwargs={"name": name})


# --- What frictionless, the JSON Schema and the import say ---------------------------------


def table_verdict(spec: dd.FileSpec, text: str) -> list[str]:
    """Frictionless's errors for a CSV text: the published Table Schema, and its published
    rowConstraints run as the library's row-constraint checks."""
    descriptor = opendata.table_schema(spec)
    checks = [
        frictionless.checks.row_constraint(formula=rule["formula"])
        for rule in descriptor["rowConstraints"]
    ]
    resource = frictionless.Resource(
        data=text.encode(),
        format="csv",
        encoding="utf-8",
        control=CsvControl(delimiter=","),
        schema=frictionless.Schema.from_descriptor(descriptor),
    )
    report = resource.validate(frictionless.Checklist(checks=checks))
    return [f"{error.type}: {error.note}" for error in report.tasks[0].errors] + [
        f"{error.type}: {error.note}" for error in report.errors
    ]


def json_verdict(spec: dd.FileSpec, row: dict) -> list[str]:
    validator = jsonschema.Draft202012Validator(
        opendata.json_schema(spec), format_checker=jsonschema.FormatChecker()
    )
    return [error.message for error in validator.iter_errors(row)]


def row_verdict(spec: dd.FileSpec, row: dict) -> list[tuple[str, str]]:
    """The import's per-row check: the dictionary, then the rules the schemas state too
    (free text not starting like a formula, dates not before the program's start)."""
    cleaned, errors = dd.check_row(spec, row)
    for name in parse.FREE_TEXT_COLUMNS:
        if name in cleaned and parse.starts_like_formula(cleaned[name]):
            errors.append((name, parse.FORMULA_REASON))
    if cleaned.get("date"):
        problem = quality.encounter_date_problem(cleaned["date"], today=TODAY)
        if problem:
            errors.append(("date", problem))
    if cleaned.get("month"):
        problem = quality.volume_month_problem(cleaned["month"], today=TODAY)
        if problem:
            errors.append(("month", problem))
    return errors


def csv_of(spec: dd.FileSpec, rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=spec.column_names, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def import_status(spec: dd.FileSpec, text: str, by) -> tuple[str, list]:
    """The real import of a file, by a program manager: its status and errors."""
    upload = SimpleUploadedFile(f"{spec.name}.csv", text.encode(), "text/csv")
    job = jobs.import_start(kind=spec.name, upload=upload, by=by)
    return job.status, job.errors


# --- Generated rows ----------------------------------------------------------------------

SAFE_TEXT = st.text(
    alphabet="ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789 -_/#.", min_size=1
)


def good_value(column: dd.Column) -> st.SearchStrategy[str]:
    if column.kind == dd.TEXT:
        value = SAFE_TEXT.map(lambda s: s[: column.max_length])
        value = value.filter(lambda s: s.strip() == s and s[0] not in "=+-@")
    elif column.kind == dd.CODE:
        value = st.sampled_from(list(column.codes))
    elif column.kind == dd.CODES:
        value = st.lists(st.sampled_from(list(column.codes)), min_size=1, unique=True).map(";".join)
    elif column.kind == dd.DATE:
        value = st.dates(START, TODAY).map(dt.date.isoformat)
    elif column.kind == dd.MONTH:
        value = st.dates(START, TODAY).map(lambda d: f"{d:%Y-%m}")
    elif column.kind == dd.TIME:
        value = st.times().map(lambda t: f"{t:%H:%M}")
    else:
        high = column.high if column.high is not None else 100_000
        numbers = st.integers(column.low or 0, high)
        value = st.one_of(numbers.map(str), numbers.map(lambda n: f"0{n}"))
    if column.required:
        return value
    return st.one_of(st.just(""), value)


@st.composite
def good_rows(draw, spec: dd.FileSpec) -> dict:
    row = {column.name: draw(good_value(column)) for column in spec.columns}
    for rule in spec.rules:  # the rules between columns, kept
        if isinstance(rule, dd.PairedColumns):
            column = spec.column(rule.column)
            if row[rule.flag] == "yes" and not row[rule.column]:
                row[rule.column] = draw(st.sampled_from(list(column.codes)))
            if row[rule.flag] == "no":
                row[rule.column] = ""
        if (
            isinstance(rule, dd.NotLessThan)
            and row[rule.column]
            and row[rule.other]
            and int(row[rule.column]) < int(row[rule.other])
        ):
            row[rule.column], row[rule.other] = row[rule.other], row[rule.column]
    return row


BEFORE_START = st.dates(dt.date(1900, 1, 1), START - dt.timedelta(days=1))


def bad_values(column: dd.Column) -> st.SearchStrategy[str]:
    """Values the import refuses for this column, whatever the rest of the row."""
    choices = []
    if column.required:
        choices.append(st.just(""))
    if column.kind == dd.TEXT:
        choices.append(st.text(alphabet="x", min_size=column.max_length + 1, max_size=80))
        if column.free_text:
            choices.append(st.sampled_from(["=SUM(A1)", "+1", "-5", "@x", " =1"]))
    elif column.kind == dd.CODE:
        choices.append(st.sampled_from(["kansas-city", "Yes", "walk-in", "Y", "1", "other-x"]))
    elif column.kind == dd.CODES:
        codes = list(column.codes)
        choices.append(st.sampled_from(codes).map(lambda c: f"{c};drugs"))
        choices.append(st.sampled_from(codes).map(lambda c: f"{c};{c}"))
    elif column.kind == dd.DATE:
        choices.append(st.sampled_from(["11/01/2026", "2026-1-5", "2023-02-29", "2026-13-01"]))
        choices.append(st.sampled_from(["2025-04-31", "20260101", "0000-01-01", "2024-02-30"]))
        choices.append(BEFORE_START.map(dt.date.isoformat))
    elif column.kind == dd.MONTH:
        choices.append(st.sampled_from(["2026-13", "2026-1", "2026-00", "03/2026", "2026"]))
        choices.append(BEFORE_START.map(lambda d: f"{d:%Y-%m}"))
    elif column.kind == dd.TIME:
        choices.append(st.sampled_from(["24:00", "9:30", "2:30 pm", "12:60", "1230", "12:3"]))
    else:
        choices.append(st.sampled_from(["-5", "abc", "4.5", "+3", "1e3", "١٢"]))
        if column.high is not None:
            choices.append(st.integers(column.high + 1, column.high + 10_000).map(str))
    return st.one_of(*choices)


@st.composite
def bad_rows(draw, spec: dd.FileSpec) -> tuple[dict, str]:
    """A good row with one thing broken: a value of one column, or a rule between two
    columns the JSON Schema states; and the column the import blames."""
    row = draw(good_rows(spec))
    paired = [rule for rule in spec.rules if isinstance(rule, dd.PairedColumns)]
    if paired and draw(st.integers(0, 4)) == 0:
        rule = paired[0]
        if draw(st.booleans()):
            row[rule.flag], row[rule.column] = "yes", ""
        else:
            codes = list(spec.column(rule.column).codes)
            row[rule.flag], row[rule.column] = "no", draw(st.sampled_from(codes))
        return row, rule.column
    column = draw(st.sampled_from(spec.columns))
    row[column.name] = draw(bad_values(column))
    return row, column.name


# --- The schemas against the import --------------------------------------------------------


@pytest.mark.parametrize("name", SPECS)
def test_the_json_schema_says_what_the_import_says_of_a_good_row(name):
    spec = SPECS[name]
    jsonschema.Draft202012Validator.check_schema(opendata.json_schema(spec))

    @settings(max_examples=60, deadline=None)
    @given(good_rows(spec))
    def check(row):
        assert row_verdict(spec, row) == []
        assert json_verdict(spec, row) == []

    check()


@pytest.mark.parametrize("name", SPECS)
def test_the_json_schema_refuses_what_the_import_refuses(name):
    spec = SPECS[name]

    @settings(max_examples=120, deadline=None)
    @given(bad_rows(spec))
    def check(broken):
        row, column = broken
        refused = row_verdict(spec, row)
        assert column in {name for name, _ in refused}, (row, refused)
        assert json_verdict(spec, row), (row, refused)

    check()


def test_a_rule_no_schema_can_state_is_named_in_the_json_schema():
    """total_calls ≥ mh_calls compares two values: JSON Schema cannot, the Table Schema's
    rowConstraints can, and the JSON Schema says so."""
    schema = opendata.json_schema(dd.VOLUME)
    assert "total_calls, when given, is at least mh_calls" in schema["$comment"]
    row = {"agency": "raytown", "month": "2026-03", "mh_calls": "40", "total_calls": "10"}
    assert [c for c, _ in row_verdict(dd.VOLUME, row)] == ["total_calls"]
    assert table_verdict(dd.VOLUME, csv_of(dd.VOLUME, [row]))


@st.composite
def files(draw, spec: dd.FileSpec) -> tuple[list[dict], str]:
    """1-3 rows with distinct keys, and either nothing broken, or one value or rule of one
    row, or the same key twice, or (call volume) fewer total calls than mental-health calls."""
    rows = draw(st.lists(good_rows(spec), min_size=1, max_size=3))
    keys = {}
    for row in rows:
        keys.setdefault(tuple(row[c] for c in spec.key), row)
    rows = list(keys.values())
    broken = draw(st.sampled_from(["none", "none", "value", "value", "key", "rule"]))
    at = draw(st.integers(0, len(rows) - 1))
    if broken == "value":
        rows[at], _ = draw(bad_rows(spec))
    elif broken == "key":
        rows.append(dict(rows[at]))
    elif broken == "rule" and spec is dd.VOLUME:
        rows[at] = {**rows[at], "mh_calls": "50", "total_calls": "49"}
    return rows, broken


@pytest.mark.django_db
@pytest.mark.parametrize("name", SPECS)
def test_a_file_the_table_schema_accepts_is_imported_and_one_it_refuses_is_refused(
    name, program_manager
):
    spec = SPECS[name]
    seen = set()

    @settings(
        max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(files(spec))
    def check(generated):
        rows, broken = generated
        text = csv_of(spec, rows)
        problems = table_verdict(spec, text)
        status, errors = import_status(spec, text, program_manager)
        seen.add(bool(problems))
        if problems:
            assert status == ImportStatus.FAILED, (broken, text, problems)
        else:
            assert status == ImportStatus.DONE, (broken, text, errors)

    check()
    assert seen == {True, False}


# --- The published files -----------------------------------------------------------------


@pytest.mark.django_db
def test_the_templates_pass_their_table_schemas_the_package_and_the_import(
    tmp_path, program_manager
):
    client = Client()
    package = client.get(dictionary_url(opendata.PACKAGE_FILE))
    (tmp_path / opendata.PACKAGE_FILE).write_bytes(package.content)
    for spec in dd.FILES:
        template = client.get(dictionary_url(opendata.template_name(spec)))
        (tmp_path / opendata.template_name(spec)).write_bytes(template.content)
        text = template.content.decode()
        assert text.splitlines()[0] == ",".join(spec.column_names)
        assert len(text.splitlines()) == 2  # the header and one example row
        published = client.get(dictionary_url(opendata.table_schema_name(spec))).json()
        resource = frictionless.Resource(
            path=opendata.template_name(spec),
            basepath=str(tmp_path),
            schema=frictionless.Schema.from_descriptor(published),
        )
        report = resource.validate()
        assert report.valid, report.flatten(["type", "note"])
        assert table_verdict(spec, text) == []
        assert import_status(spec, text, program_manager) == (ImportStatus.DONE, [])
    report = frictionless.validate(str(tmp_path / opendata.PACKAGE_FILE))
    assert report.valid, report.flatten(["type", "note"])
    assert [r["name"] for r in package.json()["resources"]] == ["encounters", "volume"]


def test_every_download_carries_the_version_and_its_content_type():
    client = Client()
    version = dd.DICTIONARY_VERSION
    expected = {opendata.PACKAGE_FILE: opendata.JSON_TYPE}
    for spec in dd.FILES:
        expected[opendata.template_name(spec)] = opendata.CSV_TYPE
        expected[opendata.table_schema_name(spec)] = opendata.JSON_TYPE
        expected[opendata.json_schema_name(spec)] = opendata.JSON_SCHEMA_TYPE
    for name, content_type in expected.items():
        url = dictionary_url(name)
        assert f"/co-responder/data-dictionary/v{version}/" in url
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == content_type
        assert response["Access-Control-Allow-Origin"] == "*"
        assert f"v{version}" in response["Content-Disposition"]
        if name.endswith(".csv"):
            assert response["Content-Disposition"] == f'attachment; filename="{name}"'
            assert f"-v{version}.csv" in name
        else:
            assert json.loads(response.content)["version"] == version
    assert Client().get("/co-responder/data-dictionary/v0.9/datapackage.json").status_code == 404
    assert client.get(dictionary_url("passwords.json")).status_code == 404
    for resource in client.get(dictionary_url(opendata.PACKAGE_FILE)).json()["resources"]:
        assert resource["schema"]["version"] == version


def test_the_table_schema_keys_and_free_text_are_the_imports():
    assert opendata.table_schema(dd.ENCOUNTERS)["primaryKey"] == ["agency", "encounter_id"]
    assert opendata.table_schema(dd.VOLUME)["primaryKey"] == ["agency", "month"]
    free = tuple(c.name for c in dd.ENCOUNTERS.columns if c.free_text)
    assert free == parse.FREE_TEXT_COLUMNS
    assert [c.name for c in dd.ENCOUNTERS.columns] == dd.ENCOUNTER_COLUMNS


@settings(max_examples=300, deadline=None)
@example("2023-02-29")
@example("2024-02-29")
@example("2100-02-29")
@example("2000-02-29")
@example("2025-04-31")
@example("2025-12-31")
@example("2019-12-31")
@example("2020-01-01")
@example("0000-01-01")
@given(
    st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
    | st.dates(dt.date(1, 1, 1)).map(dt.date.isoformat)
)
def test_the_published_date_pattern_is_the_dictionarys_calendar(text):
    """Leap years, month lengths and year 0000, as core.dates.real_date judges them; and no
    date before the program's start."""
    try:
        day = dates.real_date(text)
    except dates.DateInputError:
        day = None
    published = opendata.pattern(dd.ENCOUNTERS.column("date"))
    assert bool(re.fullmatch(published, text)) == (day is not None and day >= START)


# --- The page ----------------------------------------------------------------------------


def page_text(response) -> str:
    return " ".join(response.content.decode().split())


@pytest.mark.django_db
def test_the_page_lists_every_column_code_measure_and_privacy_rule():
    response = Client().get(reverse("coresponder:dictionary"))
    assert response.status_code == 200
    html = response.content.decode()
    text = page_text(response)
    for spec in dd.FILES:
        for column in spec.columns:
            assert f'id="{spec.name}-{column.name}"' in html
            assert f"<code>{column.name}</code>" in html
            for code in column.codes:
                assert f"<code>{code}</code>: {escape(column.codes[code])}" in text
        for download in (opendata.template_name(spec), opendata.json_schema_name(spec)):
            assert dictionary_url(download) in html
    for code in dd.CONCERNS:
        assert f"<code>{code}</code>: {dd.label(code)}" in text
    for column in [*measures.COLUMNS, *measures.SUBSTANCE_USE_COLUMNS]:
        assert column.name in opendata.MEASURE_WORDS
        assert f'<th scope="row">{column.label}</th>' in text
    assert f"from 1 to {LARGEST_SMALL}" in text
    for shown in (SMALL_TEXT, WITHHELD_TEXT, NOT_APPLICABLE_TEXT):
        assert f"“{shown}”" in text
    assert "is required when linked_to_services is yes" in text
    assert "May not start with =, +, - or @" in text
    assert escape("Not before the program's start (2020-01-01)") in text
    assert f"version {dd.DICTIONARY_VERSION}" in text


def escape(text: str) -> str:
    return text.replace("'", "&#x27;")


@pytest.mark.django_db
def test_the_page_is_found_linked_and_cached():
    from marc_safety.search import search_static_pages

    url = reverse("coresponder:dictionary")
    assert url == "/co-responder/data-dictionary/"
    assert url in [hit.url for hit in search_static_pages("data dictionary")]
    assert url in Client().get("/sitemap.xml").content.decode()
    assert url in Client().get(reverse("coresponder:public")).content.decode()
    from coresponder.views import dictionary

    assert dictionary.page.page_cache_tags == ("all",)
    assert dictionary.download.page_cache_tags == ("all",)

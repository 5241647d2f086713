"""Co-responder measures over a million encounters: the dashboard's selectors vs raw SQL.

Creates the database if needed (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/marc_bench_cr) and migrates it, then loads --rows
synthetic encounters over the last three years (8 agencies, 2 providers, skewed towards
the larger departments and towards recent months, repeat visitors among the person keys)
and a month of call volume for every agency and month, all in one INSERT … SELECT from
generate_series. A database already holding exactly --rows encounters is reused as it is.

It then times, --repeat times each after one warm-up run, the computation the dashboard
does (coresponder.measures.program_measures, the very function the view calls, with the
substance-use figures a program manager sees, compared with the previous period and the
same period a year before as the page is) for the last full month and for the twelve
months up to it, next to one hand-written SQL statement computing the same figures (the
periods joined in, GROUPING SETS over period with month, agency, provider and the whole,
lag() over each person's encounters for repeat contacts, the call volume joined in). The
runs of the two alternate. It prints the medians and their ratio, and checks that both
give the same numbers. It asserts nothing about timing; it exits 1 only when the two
disagree. The dashboard's target: the selector within twice the raw statement's time.

    .venv/bin/python bench/coresponder_measures.py [--rows 1000000] [--repeat 7]

The synthetic rows are written with session_replication_role = replica, so the audit
triggers (django-pghistory) do not copy a million made-up rows into the history table.
"""

import argparse
import datetime as dt
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.load import BenchError, database_ensure, redact  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/marc_bench_cr"
YEARS = 3

# Share of the encounters per agency and the provider that mostly serves it.
AGENCY_MIX = [
    ("independence", 0.26, "rediscover"),
    ("lees-summit", 0.20, "burrell"),
    ("blue-springs", 0.17, "rediscover"),
    ("grandview", 0.12, "burrell"),
    ("raytown", 0.11, "burrell"),
    ("buckner", 0.05, "rediscover"),
    ("grain-valley", 0.05, "rediscover"),
    ("oak-grove", 0.04, "rediscover"),
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="encounters to load")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs of each query")
    args = parser.parse_args()
    if args.rows < 1 or args.repeat < 1:
        parser.error("--rows and --repeat must be at least 1")
    return args


def django_setup(database_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "marc_safety.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.pop("DJANGO_DEBUG", None)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


# --- Loading ---------------------------------------------------------------------------


def _pick(random_column: str, choices: list[tuple[str, float]]) -> str:
    """A CASE expression choosing a value by cumulative weights of one random() column."""
    parts, edge = [], 0.0
    for value, weight in choices[:-1]:
        edge += weight
        parts.append(f"WHEN {random_column} < {edge:.4f} THEN {value}")
    return f"CASE {' '.join(parts)} ELSE {choices[-1][0]} END"


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def encounters_sql(rows: int, first: dt.date, days: int, ids: dict[str, int]) -> str:
    """One INSERT … SELECT writing `rows` dictionary-valid encounters."""
    agency = _pick("r_agency", [(str(ids[code]), share) for code, share, _ in AGENCY_MIX])
    main_provider = _pick(
        "r_agency", [(str(ids[provider]), share) for _, share, provider in AGENCY_MIX]
    )
    other = {ids["rediscover"]: ids["burrell"], ids["burrell"]: ids["rediscover"]}
    provider = (
        f"CASE WHEN r_provider < 0.9 THEN {main_provider} ELSE "
        f"CASE {main_provider} WHEN {ids['rediscover']} THEN {other[ids['rediscover']]} "
        f"ELSE {other[ids['burrell']]} END END"
    )
    referral = _pick(
        "r_referral",
        [
            (_q("911-call"), 0.55),
            (_q("officer-initiated"), 0.20),
            (_q("follow-up"), 0.15),
            (_q("agency-referral"), 0.07),
            (_q("other"), 0.03),
        ],
    )
    contact = _pick(
        "r_contact", [(_q("on-scene"), 0.62), (_q("phone"), 0.23), (_q("follow-up-visit"), 0.15)]
    )
    on_scene_disposition = _pick(
        "r_disposition",
        [
            (_q("resolved-on-scene"), 0.45),
            (_q("referred"), 0.22),
            (_q("voluntary-transport"), 0.12),
            (_q("involuntary-hold"), 0.09),
            (_q("arrest"), 0.025),
            (_q("other-custody"), 0.015),
            (_q("no-contact"), 0.08),
        ],
    )
    other_disposition = _pick(
        "r_disposition",
        [(_q("resolved-on-scene"), 0.5), (_q("referred"), 0.35), (_q("no-contact"), 0.15)],
    )
    service = _pick(
        "r_service",
        [
            (_q("outpatient"), 0.35),
            (_q("crisis-center"), 0.15),
            (_q("inpatient"), 0.08),
            (_q("substance-use-treatment"), 0.15),
            (_q("case-management"), 0.17),
            (_q("housing"), 0.05),
            (_q("other"), 0.05),
        ],
    )
    age = _pick("r_age", [(_q(code), 1 / 7) for code in AGE_GROUPS])
    gender = _pick("r_gender", [(_q("female"), 0.47), (_q("male"), 0.5), (_q("another"), 0.03)])
    concern_odds = [
        ("mental-health", 0.85),
        ("substance-use", 0.28),
        ("suicidal-ideation", 0.18),
        ("homicidal-ideation", 0.02),
        ("welfare-check", 0.15),
        ("housing", 0.06),
        ("family-conflict", 0.08),
    ]
    concern_items = ", ".join(
        f"CASE WHEN random() < {odds} THEN {_q(code)} END" for code, odds in concern_odds
    )
    # Every value written into this SQL is a number or a code of this file: no input.
    return f"""
    WITH draws AS MATERIALIZED (
        SELECT n,
               random() AS r_agency, random() AS r_provider, random() AS r_referral,
               random() AS r_contact, random() AS r_disposition, random() AS r_service,
               random() AS r_age, random() AS r_gender,
               random() AS r_assess, random() AS r_linked, random() AS r_key,
               random() AS r_minutes, random() AS r_date,
               array_remove(ARRAY[{concern_items}]::varchar[], NULL) AS concerns
        FROM generate_series(1, {rows}) AS n
    ), coded AS MATERIALIZED (
        SELECT *, {contact} AS contact_type, r_linked < 0.45 AS linked
        FROM draws
    )
    INSERT INTO coresponder_encounter (
        encounter_id, agency_id, provider_id, date, time, cad_incident, referral_source,
        contact_type, concerns, assessment, disposition, linked_to_services, service_type,
        age_group, gender, veteran, person_key, minutes, use_of_force, created_at, updated_at
    )
    SELECT
        'B-' || n,
        {agency},
        {provider},
        DATE {_q(first.isoformat())} + floor({days} * power(r_date, 0.8))::int,
        CASE WHEN r_minutes < 0.8 THEN time '00:00' + (floor(r_age * 1440) * interval '1 minute')
        END,
        '',
        {referral},
        contact_type,
        CASE WHEN cardinality(concerns) = 0 THEN ARRAY['other']::varchar[] ELSE concerns END,
        r_assess < CASE WHEN contact_type = 'on-scene' THEN 0.7 ELSE 0.3 END,
        CASE WHEN contact_type = 'on-scene' THEN {on_scene_disposition}
             ELSE {other_disposition} END,
        linked,
        CASE WHEN linked THEN {service} ELSE '' END,
        CASE WHEN r_gender < 0.9 THEN {age} ELSE '' END,
        CASE WHEN r_gender < 0.9 THEN {gender} ELSE '' END,
        CASE WHEN r_service < 0.7 THEN r_assess < 0.06 END,
        CASE WHEN r_key < 0.75 THEN 'p' || floor(power(r_key / 0.75, 1.6) * 250000)::int
             ELSE '' END,
        CASE WHEN r_minutes < 0.85 THEN 10 + floor(r_provider * 170)::int END,
        CASE WHEN r_referral < 0.6 THEN r_disposition < 0.02 END,
        now(), now()
    FROM coded
    ORDER BY 4, 5, n  -- in date order, as partners enter them: the table is clustered by date
    """  # noqa: S608


AGE_GROUPS = ("under-18", "18-24", "25-34", "35-44", "45-54", "55-64", "65-plus")

VOLUME_SQL = """
INSERT INTO coresponder_monthlycallvolume (
    agency_id, month, mh_calls, total_calls, created_at, updated_at
)
SELECT agency_id, month, mh, mh * 18 + floor(random() * 500)::int, now(), now()
FROM (
    SELECT agency_id, date_trunc('month', date)::date AS month,
           round(count(*) * (1.5 + random() * 0.6))::int AS mh
    FROM coresponder_encounter
    GROUP BY 1, 2
) AS counted
"""


def load(rows: int) -> None:
    from django.db import connection

    from coresponder.models import Encounter, MonthlyCallVolume
    from coresponder.services import organizations_by_code

    found = Encounter.objects.count()
    if found == rows and MonthlyCallVolume.objects.exists():
        print(f"reusing the {found:,} encounters already loaded")
        return
    ids = {code: org.pk for code, org in organizations_by_code().items()}
    last = dt.date.today() - dt.timedelta(days=1)
    first = last.replace(year=last.year - YEARS) + dt.timedelta(days=1)
    days = (last - first).days + 1
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # no audit triggers
        try:
            cursor.execute("TRUNCATE coresponder_encounter, coresponder_monthlycallvolume")
            cursor.execute(encounters_sql(rows, first, days, ids))
            cursor.execute(VOLUME_SQL)
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("VACUUM ANALYZE coresponder_encounter")
        cursor.execute("VACUUM ANALYZE coresponder_monthlycallvolume")
    print(
        f"loaded {rows:,} encounters from {first} to {last} and "
        f"{MonthlyCallVolume.objects.count():,} months of call volume "
        f"in {time.monotonic() - started:.1f}s"
    )


# --- The raw statement ---------------------------------------------------------------

# The report's period is k = 0; its comparisons follow. Months and providers are wanted
# for k = 0 only (month0, provider0 are NULL for the others, whose rows then fall into one
# NULL group); agencies and the whole for every period.
RAW_SQL = """
WITH periods (k, first_day, last_day) AS (
    SELECT * FROM unnest(%(ks)s::int[], %(starts)s::date[], %(ends)s::date[])
), repeats AS (
    SELECT id
    FROM (
        SELECT id, date,
               lag(date) OVER (PARTITION BY person_key ORDER BY date, id) AS previous
        FROM coresponder_encounter
        WHERE person_key <> ''
          AND date >= (%(first)s::date - interval '1 year')::date AND date <= %(last)s
    ) AS seen
    WHERE previous >= (date - interval '1 year')::date
), scope AS (
    SELECT p.k, e.id, e.agency_id, e.provider_id, e.date, e.contact_type, e.assessment,
           e.disposition, e.linked_to_services, e.service_type, e.person_key, e.minutes,
           e.concerns, r.id IS NOT NULL AS repeat,
           CASE WHEN p.k = 0 THEN date_trunc('month', e.date)::date END AS month0,
           CASE WHEN p.k = 0 THEN e.provider_id END AS provider0
    FROM coresponder_encounter AS e
    JOIN periods AS p ON e.date BETWEEN p.first_day AND p.last_day
    LEFT JOIN repeats AS r ON r.id = e.id
), served AS (
    SELECT DISTINCT provider_id, agency_id, date_trunc('month', date)::date AS month
    FROM coresponder_encounter
    WHERE date BETWEEN %(start)s AND %(end)s
), calls AS (
    SELECT p.k, GROUPING(v.month) AS g_month, GROUPING(v.agency_id) AS g_agency,
           v.month, v.agency_id, NULL::bigint AS provider_id, sum(v.mh_calls) AS mh_calls
    FROM coresponder_monthlycallvolume AS v
    JOIN periods AS p
      ON v.month BETWEEN date_trunc('month', p.first_day) AND p.last_day
    GROUP BY GROUPING SETS ((p.k, v.month), (p.k, v.agency_id), (p.k))
    UNION ALL
    SELECT 0, 1, 1, NULL, NULL, s.provider_id, sum(v.mh_calls)
    FROM served AS s
    JOIN coresponder_monthlycallvolume AS v
      ON v.agency_id = s.agency_id AND v.month = s.month
    GROUP BY s.provider_id
)
SELECT 'counts', k, GROUPING(month0, agency_id, provider0),
       month0, agency_id, provider0,
       count(*),
       count(*) FILTER (WHERE contact_type = 'on-scene' AND assessment),
       count(*) FILTER (WHERE assessment),
       count(*) FILTER (WHERE linked_to_services),
       count(DISTINCT person_key) FILTER (WHERE linked_to_services AND person_key <> ''),
       count(*) FILTER (WHERE contact_type = 'on-scene'),
       count(*) FILTER (WHERE contact_type = 'on-scene'
                        AND disposition NOT IN ('arrest', 'other-custody')),
       count(*) FILTER (WHERE disposition = 'involuntary-hold'),
       count(*) FILTER (WHERE repeat),
       coalesce(sum(minutes), 0),
       count(*) FILTER (WHERE concerns @> ARRAY['substance-use']::varchar[]),
       count(*) FILTER (WHERE service_type = 'substance-use-treatment')
FROM scope
GROUP BY GROUPING SETS ((k, month0), (k, agency_id), (k, provider0), (k))
UNION ALL
SELECT 'calls', k, g_month * 4 + g_agency * 2 + CASE WHEN provider_id IS NULL THEN 1 ELSE 0 END,
       month, agency_id, provider_id, mh_calls,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM calls
"""

FIGURES = [
    "encounters",
    "onsite_assessments",
    "field_assessments",
    "linked",
    "people_linked",
    "on_scene",
    "custody_avoided",
    "involuntary_holds",
    "repeat_contacts",
    "clinician_minutes",
    "substance_use",
    "substance_use_treatment",
]


def raw_measures(periods: list) -> list[tuple]:
    """The raw statement for the report's period (first) and its comparisons."""
    from django.db import connection, transaction

    params = {
        "ks": list(range(len(periods))),
        "starts": [p.start for p in periods],
        "ends": [p.end for p in periods],
        "start": periods[0].start,
        "end": periods[0].end,
        "first": min(p.start for p in periods),
        "last": max(p.end for p in periods),
    }
    with transaction.atomic(), connection.cursor() as cursor:
        # JIT compiling costs this one statement seconds (its estimates are large) and
        # saves nothing: the baseline runs without it. The selector's queries run as the
        # server is set up (JIT makes no difference to them).
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(RAW_SQL, params)
        return cursor.fetchall()


def raw_as_report(rows: list[tuple], periods: list) -> dict:
    """The raw statement's answer keyed like the selector's, to compare the two: (period,
    kind, code), months and providers for the report's period only."""
    from coresponder.measures import months_between
    from coresponder.services import organizations_by_code

    codes = {org.pk: code for code, org in organizations_by_code().items()}
    result: dict = {}
    for kind, k, grouping, month, agency_id, provider_id, *values in rows:
        if kind == "counts":
            key = {3: ("month", month), 5: ("agency", agency_id), 6: ("provider", provider_id)}
            where = key.get(grouping, ("whole", None))
            if where[0] in ("month", "provider") and (k != 0 or where[1] is None):
                continue  # the comparisons' single NULL group
            where = (k, where[0], codes.get(where[1], where[1]))
            result.setdefault(where, {}).update(zip(FIGURES, values, strict=True))
        else:
            where = {3: ("month", month), 5: ("agency", agency_id), 7: ("whole", None)}.get(
                grouping, ("provider", provider_id)
            )
            if where[0] == "month" and k != 0:
                continue
            where = (k, where[0], codes.get(where[1], where[1]))
            result.setdefault(where, {})["mh_calls"] = values[0]
    wanted = {(0, "month", m) for m in months_between(periods[0].start, periods[0].end)}
    return {k: v for k, v in result.items() if k[1] != "month" or k in wanted}


def selector_as_report(report, periods: list) -> dict:
    result = {}
    keys = [*FIGURES, "mh_calls"]

    def add(k: int, kind: str, rows) -> None:
        for row in rows:
            code = dt.date.fromisoformat(row.code + "-01") if kind == "month" else row.code
            code = None if kind == "whole" else code
            result[(k, kind, code)] = {name: getattr(row, name) for name in keys}

    add(0, "month", report.months)
    add(0, "agency", report.agencies)
    add(0, "provider", report.providers)
    add(0, "whole", [report.total])
    for comparison in (report.previous, report.year_before):
        if comparison is None:
            continue
        k = next(
            i
            for i, p in enumerate(periods)
            if (p.start, p.end) == (comparison.start, comparison.end)
        )
        add(k, "agency", comparison.agencies)
        add(k, "whole", [comparison.total])
    return result


def same_figures(selector: dict, raw: dict) -> list[str]:
    differences = []
    for key, figures in selector.items():
        other = raw.get(key)
        if other is None:
            if any(figures.values()):  # a row of zeros the raw statement has no group for
                differences.append(f"{key}: missing from the raw statement")
            continue
        for name, value in figures.items():
            if (other.get(name) or 0) != (value or 0):
                differences.append(f"{key} {name}: selector {value}, raw {other.get(name)}")
    return differences


def timed(selector, raw, repeat: int) -> tuple[float, object, float, object]:
    """Median seconds and last result of each, after one warm-up run of each (caches,
    plans). The runs alternate, so that a busy machine slows both alike."""
    results = {selector: selector(), raw: raw()}
    times: dict = {selector: [], raw: []}
    for _ in range(repeat):
        for function in (selector, raw):
            began = time.perf_counter()
            results[function] = function()
            times[function].append(time.perf_counter() - began)
    median = {function: statistics.median(times[function]) for function in times}
    return median[selector], results[selector], median[raw], results[raw]


def run(args: argparse.Namespace) -> int:
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    database_ensure(database_url)
    django_setup(database_url)
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.dates import add_months, month_start
    from coresponder.measures import directory, program_measures
    from coresponder.models import Encounter
    from coresponder.periods import Period, previous_period
    from coresponder.periods import year_before as year_before_of

    started = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    print(f"database {redact(database_url)} migrated in {time.monotonic() - started:.1f}s")
    load(args.rows)

    last_day = Encounter.objects.order_by("-date").values_list("date", flat=True).first()
    this_month = month_start(last_day)
    ranges = [
        ("one month", add_months(this_month, -1), this_month - dt.timedelta(days=1)),
        ("full year", add_months(this_month, -12), this_month - dt.timedelta(days=1)),
    ]
    orgs = directory()
    print(
        "\nprogram_measures (the dashboard's selector, substance-use figures included, with "
        "the previous period and the same period a year before) vs one hand-written SQL "
        f"statement computing the same figures; median of {args.repeat} runs after a warm-up\n"
    )
    header = f"{'period':<10} {'from':<10} {'to':<10} {'compared with':<23} {'encounters':>10} "
    header += f"{'queries':>7} {'selector ms':>11} {'raw SQL ms':>10} {'ratio':>6}  same figures"
    print(header)
    print("-" * len(header))
    problems = []
    for name, start, end in ranges:
        previous, before = previous_period(start, end), year_before_of(start, end)
        periods = [Period(start, end), previous]
        if before != previous:
            periods.append(before)

        def selector(start=start, end=end, previous=previous, before=before):
            return program_measures(
                start=start,
                end=end,
                substance_use=True,
                orgs=orgs,
                previous=previous,
                year_before=before,
            )

        def raw(periods=periods):
            return raw_measures(periods)

        with CaptureQueriesContext(connection) as queries:
            selector()
        selector_s, report, raw_s, raw_rows = timed(selector, raw, args.repeat)
        differences = same_figures(
            selector_as_report(report, periods), raw_as_report(raw_rows, periods)
        )
        problems.extend(f"{name}: {d}" for d in differences)
        compared = f"{previous.start:%Y-%m}" + (
            f", {before.start:%Y-%m}" if before != previous else " (= a year before)"
        )
        print(
            f"{name:<10} {start!s:<10} {end!s:<10} {compared:<23} "
            f"{report.total.encounters:>10,} {len(queries):>7} {selector_s * 1000:>11.1f} "
            f"{raw_s * 1000:>10.1f} {selector_s / raw_s:>6.2f}  "
            f"{'yes' if not differences else 'NO'}"
        )
    if problems:
        print("\nproblems:\n" + "\n".join(f"  {p}" for p in problems[:20]))
        return 1
    print("\nno problems: the selector and the raw statement give the same figures")
    return 0


def main() -> int:
    args = parse_args()
    try:
        return run(args)
    except BenchError as exc:
        print(f"bench/coresponder_measures.py: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

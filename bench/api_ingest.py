"""Partner API ingest vs the CSV import: the same encounters, written both ways, in one run.

Creates the database if needed (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/marc_bench_api) and migrates it, then generates --rows
dictionary-valid ReDiscover encounters (20,000 by default, ids BENCH-000000…) and writes
them three times each way: new (all created), identical (all unchanged: nothing written),
changed (every record's minutes changed: all updated). Between the ways, the bench's
records are deleted.

- CSV: `import_start`, the real path of an upload (the file saved, checked row by row,
  staged with COPY, upserted), as a ReDiscover clinician, in files of --batch rows (a file
  that size is imported in the request, not by the Celery task);
- API: POST /api/v1/encounters/batch over HTTP to gunicorn (production settings, the
  bench.load helpers), in batches of --batch, with a ReDiscover key from
  accounts.apikeys.api_key_issue, one batch after the other;
- engine: coresponder.services.encounters_ingest called in this process, the same batches
  (the API without HTTP, JSON and pydantic);
- COPY: one raw COPY of the new rows into the table (history triggers firing), the floor.

The CSV text and the JSON bodies are built before the clock starts (a partner has them
ready). It prints rows/s for each and the ratio API/CSV for each pass (target ≥ 0.5). It
asserts nothing about timing; it exits 1 when a write does not do what it should (an
error, or counts that are not all created, all unchanged, all updated).

    .venv/bin/python bench/api_ingest.py [--rows 20000] [--batch 5000] [--profile]

--profile runs the engine's new pass under cProfile and prints where the time goes.
"""

import argparse
import cProfile
import csv
import datetime as dt
import http.client
import io
import json
import os
import pstats
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import load  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/marc_bench_api"
API_PATH = "/api/v1/encounters/batch"
ID_PREFIX = "BENCH-"
AGENCIES = ("independence", "blue-springs", "buckner", "grain-valley", "oak-grove", "grandview")
PASSES = ("new", "identical", "changed")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000, help="encounters written each pass")
    parser.add_argument("--batch", type=int, default=5_000, help="rows per file and per batch")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--profile", action="store_true", help="cProfile the engine's new pass")
    args = parser.parse_args()
    if args.rows < 1 or not 1 <= args.batch <= 5_000:
        parser.error("need --rows >= 1 and 1 <= --batch <= 5000")
    return args


@dataclass
class Timing:
    way: str
    step: str
    rows: int
    seconds: float
    counts: tuple[int, int, int]  # created, updated, unchanged

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


# --- The rows ----------------------------------------------------------------------------


def generated_rows(count: int, today: dt.date) -> list[dict[str, str]]:
    """Dictionary-valid encounters as CSV rows, dated over the 20 days before today."""
    rows = []
    for n in range(count):
        linked = n % 3 == 0
        rows.append(
            {
                "encounter_id": f"{ID_PREFIX}{n:06}",
                "agency": AGENCIES[n % len(AGENCIES)],
                "provider": "rediscover",
                "date": (today - dt.timedelta(days=1 + n % 20)).isoformat(),
                "time": f"{n % 24:02}:{n % 60:02}",
                "cad_incident": f"CAD{n:08}" if n % 2 else "",
                "referral_source": ("911-call", "officer-initiated", "follow-up")[n % 3],
                "contact_type": ("on-scene", "phone", "follow-up-visit")[n % 3],
                "concerns": ("mental-health", "mental-health;substance-use", "housing")[n % 3],
                "assessment": ("yes", "no")[n % 2],
                "disposition": ("resolved-on-scene", "referred", "voluntary-transport")[n % 3],
                "linked_to_services": "yes" if linked else "no",
                "service_type": "outpatient" if linked else "",
                "age_group": ("18-24", "25-34", "")[n % 3],
                "gender": ("female", "male", "")[n % 3],
                "veteran": ("yes", "no", "")[n % 3],
                "person_key": f"pk-{n % 5000}" if n % 4 else "",
                "minutes": str(10 + n % 90),
                "use_of_force": ("no", "")[n % 2],
            }
        )
    return rows


def changed(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{**row, "minutes": str(int(row["minutes"]) + 1)} for row in rows]


def csv_files(rows: list[dict[str, str]], size: int, columns: list[str]) -> list[bytes]:
    files = []
    for start in range(0, len(rows), size):
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows[start : start + size])
        files.append(text.getvalue().encode())
    return files


def typed(row: dict[str, str]) -> dict:
    """A CSV row as the API's typed JSON item: concerns a list, minutes an integer, blank
    values left out."""
    item = {name: value for name, value in row.items() if value != ""}
    item["concerns"] = row["concerns"].split(";")
    if "minutes" in item:
        item["minutes"] = int(item["minutes"])
    return item


def json_bodies(rows: list[dict[str, str]], size: int) -> list[bytes]:
    return [
        json.dumps({"encounters": [typed(row) for row in rows[start : start + size]]}).encode()
        for start in range(0, len(rows), size)
    ]


def batches(rows: list[dict[str, str]], size: int) -> list[list[dict[str, str]]]:
    return [rows[start : start + size] for start in range(0, len(rows), size)]


# --- Setting up ----------------------------------------------------------------------------


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def people():
    """A program manager (who issues the key), a ReDiscover clinician (who imports) and the
    ReDiscover key."""
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from accounts.apikeys import ApiScope, api_key_issue
    from accounts.models import Organization, User
    from accounts.roles import Role
    from coresponder.models import Clinician

    rediscover = Organization.objects.get(dictionary_code="rediscover")
    manager, _ = User.objects.get_or_create(username="bench-api-manager")
    manager.groups.add(Group.objects.get_or_create(name=Role.PROGRAM_MANAGER)[0])
    user, _ = User.objects.get_or_create(username="bench-api-clinician")
    user.groups.add(Group.objects.get_or_create(name=Role.CORESPONDER_CLINICIAN)[0])
    Clinician.objects.get_or_create(user=user, defaults={"provider": rediscover})
    key, secret = api_key_issue(
        name=f"bench {int(time.time())}",
        organization=rediscover,
        scope=ApiScope.ENCOUNTERS,
        expires_at=timezone.now() + dt.timedelta(days=1),
        by=manager,
    )
    return user, rediscover, key, secret


def clear() -> None:
    """Delete the bench's encounters (and their history) from earlier runs or ways."""
    from django.db import connection

    from coresponder.models import Encounter

    with connection.cursor() as cursor:
        for table in (Encounter.pgh_event_model._meta.db_table, Encounter._meta.db_table):
            cursor.execute(
                f"DELETE FROM {connection.ops.quote_name(table)} WHERE encounter_id LIKE %s",  # noqa: S608
                [f"{ID_PREFIX}%"],
            )
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(Encounter._meta.db_table)}")


# --- The ways ------------------------------------------------------------------------------


def csv_pass(files: list[bytes], user) -> tuple[float, tuple[int, int, int]]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from coresponder.csvio.jobs import import_start

    created = updated = unchanged = 0
    began = time.perf_counter()
    for number, content in enumerate(files):
        upload = SimpleUploadedFile(f"bench-{number}.csv", content, content_type="text/csv")
        job = import_start(kind="encounters", upload=upload, by=user)
        if job.status != "done":
            raise load.BenchError(f"CSV import {job.pk}: {job.status} {job.errors[:3]}")
        created += job.created_rows
        updated += job.updated_rows
        unchanged += job.unchanged_rows
    return time.perf_counter() - began, (created, updated, unchanged)


def _post(port: int, body: bytes, secret: str) -> dict:
    conn = http.client.HTTPConnection(load.HOST, port, timeout=300)
    try:
        headers = {
            "Authorization": f"Bearer {secret}",
            "Content-Type": "application/json",
            load.PROXY_HEADER[0]: load.PROXY_HEADER[1],
        }
        conn.request("POST", API_PATH, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read()
    finally:
        conn.close()
    if response.status != 200:
        raise load.BenchError(f"POST {API_PATH}: HTTP {response.status}\n{text[:2000]!r}")
    return json.loads(text)


def _counts(answer: dict) -> tuple[int, int, int]:
    found = answer.get("result", answer)
    return (found.get("created", 0), found.get("updated", 0), found.get("unchanged", 0))


def api_pass(port: int, bodies: list[bytes], secret: str) -> tuple[float, tuple[int, int, int]]:
    totals = [0, 0, 0]
    began = time.perf_counter()
    for body in bodies:
        for index, count in enumerate(_counts(_post(port, body, secret))):
            totals[index] += count
    return time.perf_counter() - began, (totals[0], totals[1], totals[2])


def engine_pass(parts, provider, key_id: int) -> tuple[float, tuple[int, int, int]]:
    from coresponder.services import encounters_ingest

    totals = [0, 0, 0]
    began = time.perf_counter()
    for part in parts:
        result = encounters_ingest(items=part, provider=provider, history={"api_key": key_id})
        if result.errors:
            raise load.BenchError(f"encounters_ingest: {result.errors[:3]}")
        totals[0] += result.created
        totals[1] += result.updated
        totals[2] += result.unchanged
    return time.perf_counter() - began, (totals[0], totals[1], totals[2])


def copy_floor(rows: list[dict[str, str]]) -> float:
    """One COPY of the rows, as model values, straight into the table (history included)."""
    import pghistory
    from django.db import connection, transaction

    from coresponder.csvio.parse import ENCOUNTERS, FILES
    from coresponder.services import today

    handler = FILES[ENCOUNTERS](day=today(), own=None, closed_open=True)
    values = [handler.values(handler.clean(row)[0]) for row in rows]
    table = connection.ops.quote_name(handler.model._meta.db_table)
    meta = handler.model._meta
    columns = ", ".join(
        connection.ops.quote_name(meta.get_field(name).column) for name in handler.fields
    )
    began = time.perf_counter()
    with transaction.atomic(), pghistory.context(bench="copy"), connection.cursor() as cursor:
        # As the import does: the history triggers read these settings for every row, and
        # one never set costs them a caught exception each (the context is set by the
        # first statement run in it).
        cursor.execute("SELECT set_config('pgtrigger.ignore', '{}', true)")
        sql = f"COPY {table} ({columns}, created_at, updated_at) FROM STDIN"
        now = dt.datetime.now(dt.UTC)
        with cursor.copy(sql) as copy:
            for row in values:
                copy.write_row((*row, now, now))
    return time.perf_counter() - began


# --- Running -------------------------------------------------------------------------------


def expected(step: str, rows: int) -> tuple[int, int, int]:
    return {"new": (rows, 0, 0), "identical": (0, 0, rows), "changed": (0, rows, 0)}[step]


def report(timings: list[Timing]) -> None:
    header = (
        f"{'way':<8} {'pass':<10} {'rows':>7} {'seconds':>8} {'rows/s':>8}  "
        "created/updated/unchanged"
    )
    print(header)
    print("-" * len(header))
    for t in timings:
        counts = "/".join(f"{c:,}" for c in t.counts) if t.way != "COPY" else ""
        print(
            f"{t.way:<8} {t.step:<10} {t.rows:>7,} {t.seconds:>8.2f} "
            f"{t.rows_per_s:>8,.0f}  {counts}"
        )
    by = {(t.way, t.step): t for t in timings}
    print()
    for step in PASSES:
        api, csv_ = by.get(("API", step)), by.get(("CSV", step))
        if api and csv_:
            ratio = api.rows_per_s / csv_.rows_per_s
            mark = "" if ratio >= 0.5 else "  (under the 0.5 target)"
            print(f"API/CSV {step:<10} {ratio:.2f}{mark}")


def run(args: argparse.Namespace, workdir: Path) -> int:
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    env = load.bench_env()
    print(f"database {load.redact(env['DATABASE_URL'])}, redis {load.redact(env['REDIS_URL'])}")
    load.database_ensure(env["DATABASE_URL"])
    load.manage(env, "migrate", "--noinput")
    load.manage(env, "collectstatic", "--noinput")
    django_setup(env)
    from coresponder import dictionary as dd
    from coresponder.services import today

    user, provider, key, secret = people()
    new_rows = generated_rows(args.rows, today())
    steps = {"new": new_rows, "identical": new_rows, "changed": changed(new_rows)}
    files = {
        step: csv_files(rows, args.batch, dd.ENCOUNTER_COLUMNS) for step, rows in steps.items()
    }
    bodies = {step: json_bodies(rows, args.batch) for step, rows in steps.items()}
    parts = {step: batches(rows, args.batch) for step, rows in steps.items()}
    timings: list[Timing] = []
    failures: list[str] = []

    def record(way: str, step: str, seconds: float, counts: tuple[int, int, int]) -> None:
        timings.append(Timing(way, step, args.rows, seconds, counts))
        if counts != expected(step, args.rows):
            failures.append(f"{way} {step}: counts {counts}, expected {expected(step, args.rows)}")

    clear()
    for step in PASSES:
        record("CSV", step, *csv_pass(files[step], user))
    clear()
    port = load.free_port()
    log_path = workdir / "gunicorn.log"
    with log_path.open("w") as log:
        server = load.gunicorn_start(env, port, args.workers, log)
        try:
            load.gunicorn_wait_ready(server, port, log_path)
            print(f"gunicorn with {args.workers} workers on {load.HOST}:{port}")
            for step in PASSES:
                record("API", step, *api_pass(port, bodies[step], secret))
        except load.BenchError as exc:
            raise load.BenchError(f"{exc}\ngunicorn's log:\n{load.tail(log_path, 60)}") from None
        finally:
            load.gunicorn_stop(server)
    clear()
    profiler = cProfile.Profile() if args.profile else None
    for step in PASSES:
        if profiler is not None and step == "new":
            profiler.enable()
        record("engine", step, *engine_pass(parts[step], provider, key.pk))
        if profiler is not None and step == "new":
            profiler.disable()
    clear()
    timings.append(Timing("COPY", "new", args.rows, copy_floor(new_rows), (0, 0, 0)))
    clear()

    print(
        f"\n{args.rows:,} ReDiscover encounters per pass, files and batches of {args.batch:,}; "
        f"gunicorn {args.workers} sync workers, batches sent one after the other\n"
    )
    report(timings)
    if profiler is not None:
        print("\nThe engine's new pass under cProfile (cumulative time, top 30):\n")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    if failures:
        print("\nproblems:\n" + "\n".join(failures))
        print(load.tail(log_path))
        return 1
    return 0


def main() -> int:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="marc-bench-api-") as workdir:
        try:
            return run(args, Path(workdir))
        except load.BenchError as exc:
            print(f"bench/api_ingest.py: {exc}", file=sys.stderr)
            return 1


if __name__ == "__main__":
    sys.exit(main())

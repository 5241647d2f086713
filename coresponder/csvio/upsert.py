"""Writing a checked file's rows: staged with COPY, then upserted in batches.

The rows read by coresponder.csvio.parse go with COPY into a temporary table with the
model's column types; then INSERT … SELECT … ON CONFLICT DO UPDATE upserts them in batches,
all in the import's one transaction. A row updates the record with the same
(agency, encounter_id), or (agency, month) for call volume. (bulk_create(update_conflicts=True)
does the same upsert, but a 100,000-row file took it 146 s, mostly building and binding
2 million SQL parameters in Python; this way takes about 9 s.)

A row identical to its record is not written at all: the update carries
WHERE (stored values) IS DISTINCT FROM (file's values), so an unchanged record keeps its
updated_at and gets no history event. Before the upsert, one aggregate query over the
staging table joined to the records counts, for every column, how many records the file
changes in it (`UpsertCounts.changed_columns`).
"""

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import connection

BATCH_SIZE = 5_000  # rows per INSERT … ON CONFLICT statement


@dataclass(frozen=True)
class UpsertCounts:
    created: int
    updated: int
    unchanged: int
    changed_columns: dict[str, int] = field(default_factory=dict)  # {column: records changed}


def _columns(handler, names: list[str]) -> list[str]:
    meta = handler.model._meta
    return [connection.ops.quote_name(meta.get_field(name).column) for name in names]


def staging_create(handler) -> str:
    """A temporary table for the file's rows, with the model's column types."""
    table = handler.model._meta.db_table
    staging = connection.ops.quote_name(f"import_{table}")
    columns = ", ".join(_columns(handler, handler.fields))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{staging}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT 0 AS row_number, {columns} FROM {table} WITH NO DATA"
        )
    return staging


@contextlib.contextmanager
def staging_copy(handler, staging: str) -> Iterator:
    """A COPY into the staging table: write_row((row number, *the handler's values))."""
    columns = ", ".join(_columns(handler, handler.fields))
    sql = f"COPY {staging} (row_number, {columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        yield copy


def _changes(handler, staging: str) -> dict[str, int]:
    """{column: records the staged rows change in it} for every data column (zeros left
    out), in one pass over the staging table joined to the records."""
    table = connection.ops.quote_name(handler.model._meta.db_table)
    data = _columns(handler, handler.update_fields)
    join = " AND ".join(f"t.{c} = s.{c}" for c in _columns(handler, handler.unique_fields))
    counts = ", ".join(f"count(*) FILTER (WHERE t.{c} IS DISTINCT FROM s.{c})" for c in data)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts} FROM {staging} s JOIN {table} t ON {join}")  # noqa: S608
        row = cursor.fetchone()
    return {name: count for name, count in zip(handler.update_fields, row, strict=True) if count}


def staging_upsert(job, handler, staging: str, report: Callable[[int], None]) -> UpsertCounts:
    """INSERT … ON CONFLICT DO UPDATE from the staging table, BATCH_SIZE rows at a time,
    leaving the records the file does not change untouched. `report` is called with the
    rows done so far."""
    table = connection.ops.quote_name(handler.model._meta.db_table)
    columns = ", ".join(_columns(handler, handler.fields))
    (by,) = _columns(handler, [handler.by_field])
    unique = ", ".join(_columns(handler, handler.unique_fields))
    data = _columns(handler, handler.update_fields)
    updates = [*data, connection.ops.quote_name("updated_at")]
    if handler.by_on_update:
        updates.append(by)
    assignments = ", ".join(f"{column} = EXCLUDED.{column}" for column in updates)
    stored = ", ".join(f"t.{column}" for column in data)
    incoming = ", ".join(f"EXCLUDED.{column}" for column in data)
    sql = (
        f"WITH upserted AS (INSERT INTO {table} AS t ({columns}, created_at, updated_at, {by}) "  # noqa: S608
        f"SELECT {columns}, now(), now(), %s FROM {staging} "
        "WHERE row_number >= %s AND row_number < %s "
        f"ON CONFLICT ({unique}) DO UPDATE SET {assignments} "
        f"WHERE ROW({stored}) IS DISTINCT FROM ROW({incoming}) "
        "RETURNING (xmax = 0) AS inserted) "
        "SELECT count(*) FILTER (WHERE inserted), count(*) FROM upserted"
    )
    changed_columns = _changes(handler, staging)
    created = written = done = 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (row_number - 2) / %s, count(*) FROM {staging} GROUP BY 1 ORDER BY 1",  # noqa: S608
            [BATCH_SIZE],
        )
        batches = cursor.fetchall()
        for batch, rows in batches:
            start = 2 + batch * BATCH_SIZE
            cursor.execute(sql, [job.created_by_id, start, start + BATCH_SIZE])
            inserted, total = cursor.fetchone()
            created += inserted
            written += total
            done += rows
            report(done)
    return UpsertCounts(
        created=created,
        updated=written - created,
        unchanged=done - written,
        changed_columns=changed_columns,
    )

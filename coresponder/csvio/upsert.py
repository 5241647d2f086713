"""Writing checked rows, a file's or an API batch's: staged with COPY, then upserted in
batches.

The rows checked by coresponder.csvio.parse go with COPY into a temporary table with the
model's column types; then INSERT … SELECT … ON CONFLICT DO UPDATE upserts them in batches,
all in the import's one transaction. A row updates the record with the same
(agency, encounter_id), or (agency, month) for call volume. (bulk_create(update_conflicts=True)
does the same upsert, but a 100,000-row file took it 146 s, mostly building and binding
2 million SQL parameters in Python; this way takes about 9 s.)

A writer restricted to one provider (a clinician, an API key) never changes a record of
another provider, even one created by someone else between the check and the upsert: the
update also requires the stored provider to be the row's (`guard_field`), and
`staging_foreign` finds the rows so left alone, which refuse the whole write.

A row identical to its record is not written at all: the update carries
WHERE (stored values) IS DISTINCT FROM (file's values), so an unchanged record keeps its
updated_at and gets no history event. Before the upsert, one aggregate query over the
staging table joined to the records counts, for every column, how many records the file
changes in it (`UpsertCounts.changed_columns`).
"""

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pghistory
from django.db import connection, transaction

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


@contextlib.contextmanager
def staging_transaction(handler, history: dict) -> Iterator[str]:
    """One transaction for checking, staging and upserting rows, with the history context
    (pghistory) of who writes: yields the staging table's name."""
    with transaction.atomic(), pghistory.context(**history):
        with connection.cursor() as cursor:
            # The history triggers look this setting up for every row, and a setting never
            # set costs them a caught exception each: set it (to ignore nothing) once.
            cursor.execute("SELECT set_config('pgtrigger.ignore', '{}', true)")
        yield staging_create(handler)


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


def staging_upsert(
    by_id: int | None,
    handler,
    staging: str,
    report: Callable[[int], None],
    first: int = 2,
) -> UpsertCounts:
    """INSERT … ON CONFLICT DO UPDATE from the staging table, BATCH_SIZE rows at a time,
    leaving the records the rows do not change untouched. `by_id`: the user who writes
    (None for an API key); `first`: the position of the first row (2 in a file, whose
    header is row 1; 0 in a batch). `report` is called with the rows done so far."""
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
    guard = ""
    if handler.guard_field is not None:
        (owner,) = _columns(handler, [handler.guard_field])
        guard = f" AND t.{owner} = EXCLUDED.{owner}"
    sql = (
        f"WITH upserted AS (INSERT INTO {table} AS t ({columns}, created_at, updated_at, {by}) "  # noqa: S608
        f"SELECT {columns}, now(), now(), %s FROM {staging} "
        "WHERE row_number >= %s AND row_number < %s "
        f"ON CONFLICT ({unique}) DO UPDATE SET {assignments} "
        f"WHERE ROW({stored}) IS DISTINCT FROM ROW({incoming}){guard} "
        "RETURNING (xmax = 0) AS inserted) "
        "SELECT count(*) FILTER (WHERE inserted), count(*) FROM upserted"
    )
    changed_columns = _changes(handler, staging)
    created = written = done = 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (row_number - %s) / %s, count(*) FROM {staging} GROUP BY 1 ORDER BY 1",  # noqa: S608
            [first, BATCH_SIZE],
        )
        batches = cursor.fetchall()
        for batch, rows in batches:
            start = first + batch * BATCH_SIZE
            cursor.execute(sql, [by_id, start, start + BATCH_SIZE])
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


def staging_foreign(handler, staging: str) -> list[tuple]:
    """(position, *key) of the staged rows whose record is another owner's (the handler's
    `guard_field`): records another writer created between the check and the upsert,
    which the upsert left alone. Empty when the rows are not restricted to one owner."""
    if handler.guard_field is None:
        return []
    table = connection.ops.quote_name(handler.model._meta.db_table)
    keys = _columns(handler, handler.unique_fields)
    join = " AND ".join(f"t.{c} = s.{c}" for c in keys)
    (owner,) = _columns(handler, [handler.guard_field])
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.row_number, {', '.join(f's.{c}' for c in keys)} "  # noqa: S608
            f"FROM {staging} s JOIN {table} t ON {join} "
            f"WHERE t.{owner} IS DISTINCT FROM s.{owner} ORDER BY s.row_number"
        )
        return cursor.fetchall()

"""Writes for co-responder records: save an encounter, close a month, call volume, and
publish a release of the public figures.

Each takes the acting user (by) and, for the audit log, the client's address (ip) and the
page the write was made from (path), which the view works out from its request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from django.db import IntegrityError, connection, transaction
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.audit import AuditAction, audit_record
from accounts.selectors import organizations_by_code as organizations_by_code
from core import pagecache
from core.dates import month_start
from coresponder import public, release_tables
from coresponder.access import is_program_manager
from coresponder.models import ClosedMonth, Encounter, MonthlyCallVolume, Release
from coresponder.suppression import Figure

if TYPE_CHECKING:
    from accounts.models import Organization, User


class ClosedMonthError(Exception):
    pass


def is_month_closed(day: dt.date) -> bool:
    return ClosedMonth.objects.filter(month=month_start(day)).exists()


def encounter_values(cleaned: dict, orgs: dict[str, Organization]) -> dict:
    """Model field values from a row cleaned by dictionary.check_encounter_row."""
    yes_no = {"yes": True, "no": False, "": None}
    return {
        "encounter_id": cleaned["encounter_id"],
        "agency": orgs[cleaned["agency"]],
        "provider": orgs[cleaned["provider"]],
        "date": cleaned["date"],
        "time": cleaned["time"],
        "cad_incident": cleaned["cad_incident"],
        "referral_source": cleaned["referral_source"],
        "contact_type": cleaned["contact_type"],
        "concerns": cleaned["concerns"],
        "assessment": cleaned["assessment"] == "yes",
        "disposition": cleaned["disposition"],
        "linked_to_services": cleaned["linked_to_services"] == "yes",
        "service_type": cleaned["service_type"],
        "age_group": cleaned["age_group"],
        "gender": cleaned["gender"],
        "veteran": yes_no[cleaned["veteran"]],
        "person_key": cleaned["person_key"],
        "minutes": cleaned["minutes"],
        "use_of_force": yes_no[cleaned["use_of_force"]],
    }


def encounter_changes(encounter: Encounter, values: dict) -> list[str]:
    """The fields whose value in `values` (as encounter_values gives them) differs from the
    stored encounter's; agencies and providers compared by key, with no query."""
    changed = []
    for name, value in values.items():
        field = Encounter._meta.get_field(name)
        if field.is_relation:
            value = getattr(value, "pk", value)
        if getattr(encounter, field.attname) != value:
            changed.append(name)
    return changed


def encounter_save(
    *,
    values: dict,
    by: User,
    instance: Encounter | None = None,
    ip: str = "",
    path: str = "",
) -> Encounter:
    """Create or update one encounter; closed months only by program managers (audited).
    Values identical to the stored record write nothing: no history event, no audit row."""
    with transaction.atomic():
        months = {month_start(values["date"])}
        if instance is not None:
            months.add(month_start(instance.date))
        closed = ClosedMonth.objects.filter(month__in=months).exists()
        if closed and not is_program_manager(by):
            raise ClosedMonthError(
                "This month is closed: only a program manager can change its records."
            )
        if instance is not None and not encounter_changes(instance, values):
            return instance
        encounter = instance or Encounter(created_by=by)
        for field, value in values.items():
            setattr(encounter, field, value)
        encounter.save()
        audit_record(
            actor=by,
            ip=ip,
            path=path,
            action=AuditAction.UPDATE if instance else AuditAction.CREATE,
            obj=encounter,
            detail={"closed_month": True} if closed else {},
        )
    return encounter


def month_close(*, month: dt.date, by: User, ip: str = "", path: str = "") -> ClosedMonth:
    closed, _ = ClosedMonth.objects.get_or_create(
        month=month_start(month), defaults={"closed_by": by}
    )
    audit_record(
        actor=by,
        ip=ip,
        path=path,
        action=AuditAction.UPDATE,
        object_type="coresponder.closedmonth",
        object_id=f"{month:%Y-%m}",
        detail={"closed": True},
    )
    return closed


def volume_save(
    *,
    agency: Organization,
    month: dt.date,
    mh_calls: int,
    total_calls: int | None,
    by: User,
    ip: str = "",
    path: str = "",
) -> MonthlyCallVolume:
    volume, _ = MonthlyCallVolume.objects.update_or_create(
        agency=agency,
        month=month_start(month),
        defaults={"mh_calls": mh_calls, "total_calls": total_calls, "updated_by": by},
    )
    audit_record(actor=by, ip=ip, path=path, action=AuditAction.UPDATE, obj=volume)
    return volume


def today() -> dt.date:
    return timezone.localdate()


# --- The partner API's writes ------------------------------------------------------------
# Batches of encounters or call volume, checked and written exactly as a CSV import is
# (coresponder.ingest, on coresponder.csvio): all or nothing, every error listed.

INGEST_MAX_ITEMS = 5_000  # items of one batch at most


@dataclass(frozen=True)
class IngestResult:
    """What a batch did: records created, updated, and left as they were; or, when
    `errors` is not empty, nothing at all. Each error is {"item": 0-based index, "field":
    dictionary column ("" for the whole item), "reason": text}, ordered by item and then
    the dictionary's column order."""

    created: int
    updated: int
    unchanged: int
    errors: list[dict]


def encounters_ingest(
    *, items: list[dict[str, str]], provider: Organization, history: dict
) -> IngestResult:
    """Write a batch of encounters for an API key of `provider` (see coresponder.ingest)."""
    from coresponder import ingest  # it builds on the import, which imports this module

    return ingest.items_ingest(ingest.ENCOUNTERS, items=items, own=provider, history=history)


def volume_ingest(
    *, items: list[dict[str, str]], agency: Organization, history: dict
) -> IngestResult:
    """Write a batch of monthly call volume for an API key of `agency` (coresponder.ingest)."""
    from coresponder import ingest  # it builds on the import, which imports this module

    return ingest.items_ingest(ingest.VOLUME, items=items, own=agency, history=history)


# --- Releases of the public figures ------------------------------------------------------
# The public figures are published the way statistical offices publish: a program manager
# releases a closed calendar year, its figures are computed once (suppressed across every
# earlier release, coresponder.release_tables) and stored, and nothing changes them after.
# A correction is a new, numbered revision with its reason. The public pages read only
# releases (coresponder.views.public).

RELEASE_NOTE_MAX = 300


class ReleaseError(Exception):
    """A release that cannot be published; the message says why, in a sentence."""


class ReleaseStale(ReleaseError):
    """The records or the releases changed since the preview; `preview` is the new one."""

    def __init__(self, message: str, preview: ReleasePreview):
        super().__init__(message)
        self.preview = preview


@dataclass(frozen=True)
class CellChange:
    """A printed figure that a new revision changes."""

    row: str
    figure: str
    before: Figure
    after: Figure


@dataclass(frozen=True)
class ReleasePreview:
    """Exactly what publishing `year` now would print, and whether it may be published."""

    year: int
    revision: int  # the number the release would get
    current: Release | None  # the year's latest revision, if any
    counts: dict[str, dict[str, int]] | None  # {row: true counts}; None: nothing to count
    table: release_tables.ReleaseTable | None
    fingerprint: str  # 16 hex digits of the counts, then 16 of the releases it was read with
    changes: tuple[CellChange, ...]  # compared with `current`
    blockers: tuple[str, ...]  # why it cannot be published yet
    open_months: tuple[dt.date, ...]  # months holding records that are not closed

    @property
    def unchanged(self) -> bool:
        return self.current is not None and self.table is not None and not self.changes

    @property
    def can_publish(self) -> bool:
        return not self.blockers and self.table is not None and not self.unchanged


def _months_with_records(year: int) -> set[dt.date]:
    encounters = (
        Encounter.objects.filter(date__year=year)
        .annotate(month=TruncMonth("date"))
        .values_list("month", flat=True)
        .distinct()
    )
    volume = MonthlyCallVolume.objects.filter(month__year=year).values_list("month", flat=True)
    return set(encounters) | set(volume)


def release_open_months(year: int) -> list[dt.date]:
    """The months of the year that hold records and are not closed yet, in order."""
    months = _months_with_records(year)
    closed = set(ClosedMonth.objects.filter(month__in=months).values_list("month", flat=True))
    return sorted(months - closed)


def _release_blockers(year: int, *, has_records: bool, open_months: list[dt.date]) -> list[str]:
    if year >= today().year:
        return [f"{year} is not over yet: its figures can be released from January 1, {year + 1}."]
    if not has_records:
        return [f"No records are dated in {year}, so there is nothing to release."]
    if open_months:
        names = ", ".join(f"{m:%B}" for m in open_months)
        return [f"Close the months of {year} that hold records first: {names} {year}."]
    return []


def _published_rows(releases: list[Release]) -> list[release_tables.PublishedRow]:
    return [
        release_tables.PublishedRow(
            year=release.year,
            row=row,
            revision=release.revision,
            counts=release.counts[row],
            statuses=release_tables.statuses(public.figures_from_json(release.figures[row])),
        )
        for release in releases
        for row in (release_tables.ROW_YEAR, release_tables.ROW_TO_DATE)
    ]


def _digest(value) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _changes(table: release_tables.ReleaseTable, current: Release | None) -> list[CellChange]:
    if current is None:
        return []
    changes = []
    for row, figures in table.rows.items():
        before = public.figures_from_json(current.figures.get(row, {}))
        for column in public.COLUMNS:
            old, new = before.get(column.key), figures[column.key]
            if old is None or (old.text, old.status) != (new.text, new.status):
                changes.append(CellChange(row, column.key, old or Figure("none"), new))
    return changes


def release_preview(*, year: int) -> ReleasePreview:
    """What releasing `year` now would publish: the table, why cells are hidden, what
    changed since the current revision, and whatever stands in the way."""
    releases = list(Release.objects.order_by("year", "revision"))
    current = next((r for r in reversed(releases) if r.year == year), None)
    years = public.yearly_counts()
    over = year < today().year
    open_months = release_open_months(year) if year in years and over else []
    blockers = _release_blockers(year, has_records=year in years, open_months=open_months)
    counts = table = None
    changes: list[CellChange] = []
    if year in years and over:
        counts = {
            release_tables.ROW_YEAR: years[year],
            release_tables.ROW_TO_DATE: public.counts_through(years, year),
        }
        table = release_tables.release_table(
            year=year,
            year_counts=counts[release_tables.ROW_YEAR],
            to_date_counts=counts[release_tables.ROW_TO_DATE],
            earlier=_published_rows(releases),
        )
        changes = _changes(table, current)
    published = [[r.year, r.revision] for r in releases]
    return ReleasePreview(
        year=year,
        revision=current.revision + 1 if current else 1,
        current=current,
        counts=counts,
        table=table,
        fingerprint=_digest({"year": year, "counts": counts}) + _digest(published),
        changes=tuple(changes),
        blockers=tuple(blockers),
        open_months=tuple(open_months),
    )


def _lock_releases() -> None:
    """One publisher at a time, until the transaction ends; readers are never blocked."""
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(Release._meta.db_table)
        cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")


def release_publish(
    *, year: int, note: str, fingerprint: str, by: User, ip: str = "", path: str = ""
) -> Release:
    """Publish the preview the manager saw as the next revision of `year`, frozen.

    Refused (ReleaseError) for anyone but a program manager, for a year that is not over
    or has open months, when nothing printed would change, and for a revision without its
    reason; ReleaseStale, with the new preview, when the records or the releases changed
    since the preview (`fingerprint`). Two managers publishing at once: the first one wins,
    the second is told (a table lock, and the unique year and revision behind it).
    """
    if not is_program_manager(by):
        raise ReleaseError("Only a program manager can publish the public figures.")
    note = " ".join(note.split())
    if len(note) > RELEASE_NOTE_MAX:
        raise ReleaseError(f"Keep the reason to {RELEASE_NOTE_MAX} characters or fewer.")
    with transaction.atomic():
        _lock_releases()
        preview = release_preview(year=year)
        if preview.blockers:
            raise ReleaseError(" ".join(preview.blockers))
        if preview.fingerprint != fingerprint:
            if preview.fingerprint[16:] != fingerprint[16:]:  # the releases changed
                message = (
                    "Another program manager published figures while you were reading the "
                    "preview. Here is the preview as it stands now."
                )
            else:
                message = (
                    f"Records dated in {year} or earlier changed while you were reading the "
                    "preview. Here is the preview as it stands now: check it again."
                )
            raise ReleaseStale(message, preview)
        if preview.unchanged:
            raise ReleaseError(
                f"Nothing printed would change: revision {preview.current.revision} of the "
                f"{year} figures still holds, so no new revision is needed."
            )
        if preview.revision > 1 and not note:
            raise ReleaseError("Say why the figures are revised: the public page shows it.")
        try:
            with transaction.atomic():
                release = Release.objects.create(
                    year=year,
                    revision=preview.revision,
                    note=note,
                    published_at=timezone.now(),
                    published_by=by,
                    counts=preview.counts,
                    figures={
                        row: public.figures_json(figures)
                        for row, figures in preview.table.rows.items()
                    },
                    hidden_across=[asdict(cell) for cell in preview.table.hidden_across],
                )
        except IntegrityError:
            raise ReleaseError(
                f"Another program manager published revision {preview.revision} of the "
                f"{year} figures at the same moment. Open the preview again to see it."
            ) from None
        audit_record(
            actor=by,
            ip=ip,
            path=path,
            action=AuditAction.CREATE,
            obj=release,
            detail={"year": year, "revision": release.revision, "note": note},
        )
        pagecache.invalidate(public.RELEASES_TAG, "programs")
    return release


@dataclass(frozen=True)
class ReleaseYear:
    """A year on the releases page: its revisions, or what stands before its release."""

    year: int
    revisions: tuple[Release, ...]  # oldest first
    blockers: tuple[str, ...]
    open_months: tuple[dt.date, ...]

    @property
    def latest(self) -> Release | None:
        return self.revisions[-1] if self.revisions else None

    @property
    def can_release(self) -> bool:
        return not self.blockers


def release_years() -> list[ReleaseYear]:
    """Every year with records or releases, and the current one, newest first (six
    queries, however many years)."""
    with_records = set(public.yearly_counts())
    months = set(
        Encounter.objects.annotate(month=TruncMonth("date"))
        .values_list("month", flat=True)
        .distinct()
    )
    months |= set(MonthlyCallVolume.objects.values_list("month", flat=True).distinct())
    months -= set(ClosedMonth.objects.values_list("month", flat=True))
    revisions: dict[int, list[Release]] = {}
    for release in Release.objects.order_by("year", "revision"):
        revisions.setdefault(release.year, []).append(release)
    rows = []
    for year in sorted(with_records | set(revisions) | {today().year}, reverse=True):
        over = year < today().year
        open_months = sorted(m for m in months if m.year == year) if over else []
        blockers = _release_blockers(
            year, has_records=year in with_records, open_months=open_months
        )
        rows.append(
            ReleaseYear(year, tuple(revisions.get(year, ())), tuple(blockers), tuple(open_months))
        )
    return rows

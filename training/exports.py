"""Roster exports as CSV and XLSX.

Registrants type their own name, agency, role and accessibility needs, so a value such as
`=HYPERLINK(…)` must reach the spreadsheet as text, never as a formula: every text cell
starting with = + - @ (or a tab or carriage return) gets a leading apostrophe.
"""

import csv
import datetime as dt
import io

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from training.models import Event, Registration, RegistrationStatus

HEADERS = [
    "Name",
    "Email",
    "Agency",
    "Role",
    "State",
    "Status",
    "Waitlist position",
    "Checked in at",
    "Minutes attended",
    "Instructor",
    "Accessibility needs",
]

# The roster's order: seats first, then the waitlist in order, then cancellations.
STATUS_ORDER = [
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.ATTENDED,
    RegistrationStatus.NO_SHOW,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.CANCELLED,
]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value):
    """Text a spreadsheet would read as a formula, made plain text; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def roster_registrations(event: Event) -> QuerySet[Registration]:
    status_rank = Case(
        *(When(status=status, then=Value(rank)) for rank, status in enumerate(STATUS_ORDER)),
        output_field=IntegerField(),
    )
    return event.registrations.annotate(status_rank=status_rank).order_by(
        "status_rank", "waitlist_position", "name", "pk"
    )


def _minutes(registration: Registration, event: Event) -> int | None:
    if registration.status != RegistrationStatus.ATTENDED:
        return None
    if registration.minutes_attended is not None:
        return registration.minutes_attended
    return event.duration_minutes


def _checked_in(registration: Registration) -> dt.datetime | None:
    if registration.checked_in_at is None:
        return None
    return timezone.localtime(registration.checked_in_at).replace(tzinfo=None, microsecond=0)


def roster_rows(event: Event) -> list[list]:
    """One row per registration, values typed (numbers stay numbers), not yet neutralized."""
    return [
        [
            reg.name,
            reg.email,
            reg.agency_name,
            reg.role,
            reg.state,
            reg.get_status_display(),
            reg.waitlist_position,
            _checked_in(reg),
            _minutes(reg, event),
            "yes" if reg.is_instructor else "no",
            reg.accessibility_needs,
        ]
        for reg in roster_registrations(event)
    ]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def roster_csv(event: Event) -> tuple[bytes, int]:
    """The roster as UTF-8 CSV (with a byte-order mark, so Excel reads accents), and its rows."""
    rows = roster_rows(event)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow([_text(neutralize(value)) for value in row])
    return out.getvalue().encode("utf-8-sig"), len(rows)


def roster_xlsx(event: Event) -> tuple[bytes, int]:
    """The roster as an Excel workbook, and its number of rows."""
    rows = roster_rows(event)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Roster"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append([neutralize(value) for value in row])
    checked_in_column = HEADERS.index("Checked in at") + 1
    for (cell,) in sheet.iter_rows(min_row=2, min_col=checked_in_column, max_col=checked_in_column):
        cell.number_format = "yyyy-mm-dd hh:mm"
    for index, header in enumerate(HEADERS, start=1):
        widest = max([len(header), *(len(_text(row[index - 1])) for row in rows)])
        sheet.column_dimensions[get_column_letter(index)].width = min(widest + 2, 60)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), len(rows)


def export_filename(event: Event, extension: str) -> str:
    day = timezone.localtime(event.starts_at).date().isoformat()
    return f"roster-{event.slug or 'event'}-{day}.{extension}"

"""Writes for co-responder records: save an encounter, close a month, call volume.

Each takes the acting user (by) and, for the audit log, the client's address (ip) and the
page the write was made from (path), which the view works out from its request.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from accounts.audit import AuditAction, audit_record
from accounts.selectors import organizations_by_code as organizations_by_code
from core.dates import month_start
from coresponder.access import is_program_manager
from coresponder.models import ClosedMonth, Encounter, MonthlyCallVolume

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


def encounter_save(
    *,
    values: dict,
    by: User,
    instance: Encounter | None = None,
    ip: str = "",
    path: str = "",
) -> Encounter:
    """Create or update one encounter; closed months only by program managers (audited)."""
    with transaction.atomic():
        months = {month_start(values["date"])}
        if instance is not None:
            months.add(month_start(instance.date))
        closed = ClosedMonth.objects.filter(month__in=months).exists()
        if closed and not is_program_manager(by):
            raise ClosedMonthError(
                "This month is closed: only a program manager can change its records."
            )
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

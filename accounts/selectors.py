"""Reads of the shared organization directory, for every app (with its kinds)."""

from django.db.models import QuerySet

from accounts.models import Organization
from accounts.models import OrganizationKind as OrganizationKind


def organization_by_name(name: str) -> Organization | None:
    """The one active directory organization with this name (any case), if exactly one."""
    matches = list(Organization.objects.filter(name__iexact=name.strip(), active=True)[:2])
    return matches[0] if len(matches) == 1 else None


def organizations_active() -> QuerySet[Organization]:
    """Every active organization of the directory, by name."""
    return Organization.objects.filter(active=True).order_by("name")


def organizations_by_code() -> dict[str, Organization]:
    """The organizations that carry a data dictionary code, by that code."""
    return {o.dictionary_code: o for o in Organization.objects.exclude(dictionary_code="")}


def agencies_in_region() -> QuerySet[Organization]:
    """The active organizations in the MARC region, by name: whose staff may ask for support."""
    return Organization.objects.filter(in_region=True, active=True).order_by("name", "kind")

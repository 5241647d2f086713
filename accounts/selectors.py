"""Reads of the shared organization directory, for every app."""

from django.db.models import QuerySet

from accounts.models import Organization


def organization_by_name(name: str) -> Organization | None:
    """The one active directory organization with this name (any case), if exactly one."""
    matches = list(Organization.objects.filter(name__iexact=name.strip(), active=True)[:2])
    return matches[0] if len(matches) == 1 else None


def agencies_in_region() -> QuerySet[Organization]:
    """The active organizations in the MARC region, by name: whose staff may ask for support."""
    return Organization.objects.filter(in_region=True, active=True).order_by("name", "kind")

"""Who sees what in the co-responder program.

- Clinicians see and edit their own provider's records (for agencies they serve).
- Program managers see everything and may change closed months.
- Agency liaisons see only their own agency's aggregate figures: never records and never
  substance-use information.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from accounts.access import has_role
from accounts.roles import Role
from coresponder.models import Clinician, Encounter

if TYPE_CHECKING:
    from accounts.models import Organization


def is_program_manager(user) -> bool:
    return has_role(user, Role.PROGRAM_MANAGER)


def clinician_of(user) -> Clinician | None:
    if not user.is_authenticated or not has_role(user, Role.CORESPONDER_CLINICIAN):
        return None
    return Clinician.objects.select_related("provider", "usual_agency").filter(user=user).first()


def liaison_agency(user) -> Organization | None:
    """The agency whose aggregate figures a liaison may see (their own organization)."""
    if not has_role(user, Role.AGENCY_LIAISON) or user.organization is None:
        return None
    if not user.organization.dictionary_code:
        return None
    return user.organization


def may_see_substance_use(user) -> bool:
    """Clinicians (for their provider's records) and program staff; never police roles."""
    return is_program_manager(user) or clinician_of(user) is not None


def encounters_visible_to(*, user) -> QuerySet[Encounter]:
    """Records a user may open: everything for program managers, the provider's own for
    clinicians, nothing for anyone else (liaisons included). Use with scoped_get_or_404."""
    if is_program_manager(user):
        return Encounter.objects.all()
    clinician = clinician_of(user)
    if clinician is not None:
        return Encounter.objects.filter(provider=clinician.provider)
    return Encounter.objects.none()

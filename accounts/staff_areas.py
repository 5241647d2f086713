"""The areas of the staff landing page. Apps register theirs in AppConfig.ready()."""

from dataclasses import dataclass

from accounts.access import has_role


@dataclass(frozen=True)
class StaffArea:
    title: str
    description: str
    url: str
    roles: tuple[str, ...] = ()  # empty: every verified staff member
    superuser_only: bool = False


_AREAS: list[StaffArea] = []


def register(area: StaffArea) -> None:
    if area not in _AREAS:
        _AREAS.append(area)


def areas_for(user) -> list[StaffArea]:
    visible = []
    for area in _AREAS:
        if area.superuser_only:
            allowed = user.is_superuser
        else:
            allowed = not area.roles or has_role(user, *area.roles)
        if allowed:
            visible.append(area)
    return visible

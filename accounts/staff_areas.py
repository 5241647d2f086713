"""The areas of the staff pages and each person's open work. Apps register theirs in
AppConfig.ready().

An area may name a function that counts what waits for a person there (`open_work`):
the landing page shows those figures first, then the person's other areas, then their
account chores (password, two-factor). The staff navigation lists the same areas.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from accounts.access import has_role


def is_staff_path(path: str) -> bool:
    """A staff page: two-factor required, the staff layout, staff body limits."""
    return any(path.startswith(prefix) for prefix in settings.STAFF_PATH_PREFIXES)


@dataclass(frozen=True)
class OpenWork:
    """One figure of a person's open work: how many of what (`one` and `many` name it for
    a count of 1 and any other count), and where to deal with them. `detail` adds what
    matters most in that number (e.g. "2 urgent")."""

    count: int
    one: str
    many: str
    url: str
    detail: str = ""

    @property
    def label(self) -> str:
        return self.one if self.count == 1 else self.many


@dataclass(frozen=True)
class StaffArea:
    title: str
    description: str
    url: str
    roles: tuple[str, ...] = ()  # empty: every verified staff member
    superuser_only: bool = False
    # The person's open work in this area, read by the app's selectors: user -> figures.
    open_work: Callable[..., list[OpenWork]] | None = None
    account_chore: bool = False  # the person's own account: shown last


@dataclass(frozen=True)
class AreaWork:
    area: StaffArea
    figures: list[OpenWork]


_AREAS: list[StaffArea] = []


def register(area: StaffArea) -> None:
    if area not in _AREAS:
        _AREAS.append(area)


def areas_for(user) -> list[StaffArea]:
    """The areas the user may use, their work first and their account chores last."""
    visible = []
    for area in _AREAS:
        if area.superuser_only:
            allowed = user.is_superuser
        else:
            allowed = not area.roles or has_role(user, *area.roles)
        if allowed:
            visible.append(area)
    return sorted(visible, key=lambda area: area.account_chore)


def open_work_for(user) -> list[AreaWork]:
    """The open work of each area the user may use that counts some, in the areas' order."""
    return [
        AreaWork(area, area.open_work(user))
        for area in areas_for(user)
        if area.open_work is not None
    ]

"""Who may see which report runs.

- Program managers see every kind and scope, and alone may rebuild a report or read why a
  build failed.
- Agency liaisons see only the co-responder reports scoped to their own agency
  ("agency:<code>"), which are built without substance-use figures; never the
  program-wide or provider reports.
- Peer support coordinators see the peer support reports; training coordinators the
  training reports. The summary across programs is for program managers alone.

Use runs_visible_to with accounts.access.scoped_get_or_404, so outsiders get 404.
"""

from django.db.models import Q, QuerySet

from accounts.access import has_role
from accounts.roles import Role
from coresponder.selectors import is_program_manager, liaison_agency
from reports.models import ReportKind, ReportRun

# The roles that reach the reports area at all (each sees its own part of it).
REPORT_ROLES = (
    Role.PROGRAM_MANAGER,
    Role.AGENCY_LIAISON,
    Role.PEER_SUPPORT_COORDINATOR,
    Role.TRAINING_COORDINATOR,
)


def may_rebuild(user) -> bool:
    return is_program_manager(user)


def may_see_errors(user) -> bool:
    return is_program_manager(user)


def _visibility(user) -> tuple[bool, Q | None]:
    """(everything, filter): everything for program managers, else the union of the
    role-specific filters, or None when the user may see no run."""
    if is_program_manager(user):
        return True, None
    parts = []
    agency = liaison_agency(user)
    if agency is not None:
        parts.append(Q(kind=ReportKind.CORESPONDER, scope=f"agency:{agency.dictionary_code}"))
    if has_role(user, Role.PEER_SUPPORT_COORDINATOR):
        parts.append(Q(kind=ReportKind.PEERSUPPORT, scope=""))
    if has_role(user, Role.TRAINING_COORDINATOR):
        parts.append(Q(kind=ReportKind.TRAINING, scope=""))
    if not parts:
        return False, None
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return False, combined


def runs_visible_to(*, user) -> QuerySet[ReportRun]:
    everything, condition = _visibility(user)
    if everything:
        return ReportRun.objects.all()
    if condition is None:
        return ReportRun.objects.none()
    return ReportRun.objects.filter(condition)


def kinds_visible_to(user) -> list[str]:
    """The report kinds a user may see some run of (and so may subscribe to), in order."""
    if is_program_manager(user):
        return list(ReportKind.values)
    kinds = []
    if liaison_agency(user) is not None:
        kinds.append(ReportKind.CORESPONDER.value)
    if has_role(user, Role.PEER_SUPPORT_COORDINATOR):
        kinds.append(ReportKind.PEERSUPPORT.value)
    if has_role(user, Role.TRAINING_COORDINATOR):
        kinds.append(ReportKind.TRAINING.value)
    return kinds


def may_see_run(user, run: ReportRun) -> bool:
    """For code that holds a run already (the ready notice): the same rule, in Python."""
    return runs_visible_to(user=user).filter(pk=run.pk).exists()

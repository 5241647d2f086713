"""Who may see which peer-support request: coordinators all; members only their own."""

from django.db.models import QuerySet

from accounts.access import has_role
from accounts.roles import Role
from peersupport.models import Assignment, AssignmentStatus, SupportRequest, TeamMember


def is_coordinator(user) -> bool:
    return has_role(user, Role.PEER_SUPPORT_COORDINATOR)


def member_of(user) -> TeamMember | None:
    if not user.is_authenticated:
        return None
    return TeamMember.objects.filter(user=user, active=True).first()


def requests_visible_to(*, user) -> QuerySet[SupportRequest]:
    """Coordinators see every request; a member sees requests assigned to them (unless
    they declined); everyone else sees none. Use with accounts.access.scoped_get_or_404."""
    if is_coordinator(user):
        return SupportRequest.objects.all()
    if not has_role(user, Role.PEER_TEAM_MEMBER):
        return SupportRequest.objects.none()
    mine = Assignment.objects.filter(member__user=user, member__active=True).exclude(
        status=AssignmentStatus.DECLINED
    )
    return SupportRequest.objects.filter(pk__in=mine.values("request_id"))

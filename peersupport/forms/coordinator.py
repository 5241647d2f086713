"""Forms of the peer support coordinator's pages. They validate; peersupport.services acts."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from accounts.roles import Role
from accounts.selectors import organizations_active
from peersupport.models import (
    ASSIGNABLE_TRAINING_HOURS,
    OPEN_STATUSES,
    DeclineReason,
    Discipline,
    MemberType,
    RequestStatus,
    SupportRequest,
    TeamMember,
)
from peersupport.selectors import member_suggestions

YES_NO_ANY = [("", "Any"), ("yes", "Yes"), ("no", "No")]


def yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def person_label(user) -> str:
    name = user.get_full_name()
    return f"{name} ({user.username})" if name else user.username


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "All open requests")]
        + [(status.value, status.label) for status in OPEN_STATUSES],
    )


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(choices=RequestStatus.choices)


class DeclineForm(forms.Form):
    """Why the request is declined: one of a few reasons, never free text."""

    reason = forms.ChoiceField(
        label="Why is the request declined?",
        choices=DeclineReason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose why the request is declined.",
            "invalid_choice": "Choose why the request is declined from the list.",
        },
    )


class ConfidentialityForm(forms.Form):
    applied = forms.BooleanField(
        label="A confidentiality exception applied",
        required=False,
        help_text=(
            "Admission of criminal activity, danger to self or others, or the person asked "
            "for disclosure. Tick the box only: write nothing about what was said."
        ),
    )


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, member: TeamMember) -> str:
        return person_label(member.user)


class AssignForm(forms.Form):
    """Members to assign: only those the suggestions allow for this request."""

    members = MemberChoiceField(
        queryset=TeamMember.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one team member.",
            "invalid_choice": (
                "One of the chosen members cannot take this request: from the requester's "
                "own agency, not on the command-level team, not yet assignable or already "
                "assigned. Choose from the list."
            ),
            "invalid_pk_value": "Choose members from the list.",
        },
    )

    def __init__(self, *args, support_request: SupportRequest, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = member_suggestions(support_request)


class RosterFilterForm(forms.Form):
    member_type = forms.ChoiceField(
        label="Team", required=False, choices=[("", "Any")] + MemberType.choices
    )
    discipline = forms.ChoiceField(
        label="Discipline", required=False, choices=[("", "Any")] + Discipline.choices
    )
    active = forms.ChoiceField(label="Active", required=False, choices=YES_NO_ANY)
    on_call = forms.ChoiceField(label="On call", required=False, choices=YES_NO_ANY)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "member_type": data["member_type"],
            "discipline": data["discipline"],
            "active": yes_no(data["active"]),
            "on_call": yes_no(data["on_call"]),
        }


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        return person_label(user)


class TeamMemberForm(forms.ModelForm):
    user = UserChoiceField(
        label="Staff account",
        queryset=get_user_model().objects.none(),
        help_text="Accounts holding the Peer team member role that are not on the roster yet.",
    )
    home_agency = forms.ModelChoiceField(
        label="Home agency",
        queryset=organizations_active(),
        required=False,
        help_text="Never assigned to requests from this agency.",
    )
    training_hours = forms.DecimalField(
        label="Training hours",
        min_value=0,
        max_value=9999,
        max_digits=6,
        decimal_places=1,
        help_text=f"Members with fewer than {ASSIGNABLE_TRAINING_HOURS} hours are not yet "
        "assignable.",
    )

    class Meta:
        model = TeamMember
        fields = [
            "user",
            "member_type",
            "discipline",
            "home_agency",
            "county",
            "training_hours",
            "active",
            "on_call",
        ]
        labels = {"member_type": "Team", "on_call": "On call"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        eligible = Q(groups__name=Role.PEER_TEAM_MEMBER, is_active=True, peer_member__isnull=True)
        if self.instance.pk:
            eligible |= Q(pk=self.instance.user_id)
        self.fields["user"].queryset = (
            get_user_model()
            .objects.filter(eligible)
            .distinct()
            .order_by("last_name", "first_name", "username")
        )

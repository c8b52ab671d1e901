"""Teams (志愿服务队): a volunteer creates one and leads it; others are invited by the leader, or join.

Each operation is one transaction and raises DomainError (code, message, field) on bad input. Operations on a
team's membership lock the team row first, then the member row (a fixed order, as ephios locks the user, then
the shift), so a leader leaving and a volunteer joining at once are serialised.

Membership is one TeamMember row per (team, volunteer) (a unique constraint): invited → active → left, and a
volunteer who left can be invited or join again (the row is reused).

- ``join``: a volunteer whose home community is the team's joins directly (active); anyone else is refused and
  must be invited by the leader. A team works where it lives (gate duty, deliveries in its compounds); joining
  from anywhere would let strangers fill a community's team, while an invitation is the leader's choice.
  A volunteer with a pending invitation who joins simply accepts it, from whatever community.
- ``leave``: an active member or an invited one (declining) leaves. The leader cannot leave while other active
  members remain; the leader of a team with no one else may leave, and the team's pending invitations are
  withdrawn with them (a team with no active member takes no one in).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from wuyi.errors import DomainError
from wuyi.volunteers import notify
from wuyi.volunteers.models import MemberStatus, Team, TeamMember, Volunteer

NAME_LENGTH = 60


def _locked_team(team: Team) -> Team:
    locked = Team.objects.select_for_update().filter(pk=team.pk).first()
    if locked is None:
        raise DomainError("not_found", "team not found", "team", 404)
    return locked


def _member(team: Team, volunteer: Volunteer) -> TeamMember | None:
    return TeamMember.objects.select_for_update().filter(team=team, volunteer=volunteer).first()


def _enrol(team: Team, volunteer: Volunteer, status: str) -> TeamMember:
    """A new membership row in a savepoint; its unique constraint is the last word on "already there"."""
    try:
        with transaction.atomic():
            return TeamMember.objects.create(team=team, volunteer=volunteer, status=status)
    except IntegrityError:
        raise DomainError("already_member", "this volunteer is already in the team", "volunteer",
                          409) from None


@transaction.atomic
def create_team(leader: Volunteer, name: str) -> Team:
    """A new team in the leader's home community, with the leader as its first active member."""
    name = " ".join((name or "").split())
    if not 1 <= len(name) <= NAME_LENGTH:
        raise DomainError("invalid_name", f"a team's name has 1 to {NAME_LENGTH} characters", "name")
    if Team.objects.filter(community_id=leader.community_id, name=name).exists():
        raise DomainError("name_taken", "a team of this community already has this name", "name", 409)
    team = Team.objects.create(name=name, leader=leader, community_id=leader.community_id)
    TeamMember.objects.create(team=team, volunteer=leader, status=MemberStatus.ACTIVE)
    return team


@transaction.atomic
def invite(team: Team, volunteer: Volunteer, by: Volunteer) -> TeamMember:
    """The leader invites a volunteer (of any community); the volunteer is told and may accept."""
    team = _locked_team(team)
    if team.leader_id != by.pk:
        raise DomainError("not_the_leader", "only the team's leader invites", "team", 403)
    if not TeamMember.objects.filter(team=team, volunteer_id=by.pk, status=MemberStatus.ACTIVE).exists():
        raise DomainError("team_inactive", "rejoin the team before inviting", "team", 409)
    member = _member(team, volunteer)
    if member is None:
        member = _enrol(team, volunteer, MemberStatus.INVITED)
    elif member.status == MemberStatus.ACTIVE:
        raise DomainError("already_member", "this volunteer is already in the team", "volunteer", 409)
    elif member.status == MemberStatus.INVITED:
        raise DomainError("already_invited", "this volunteer is already invited", "volunteer", 409)
    else:
        member.status = MemberStatus.INVITED
        member.save(update_fields=["status"])
    member.team = team
    notify.invited(member)
    return member


@transaction.atomic
def accept(member: TeamMember) -> TeamMember:
    """The invited volunteer accepts: an active member from now on; the leader is told."""
    team = _locked_team(member.team)
    current = TeamMember.objects.select_for_update().filter(pk=member.pk).first()
    if current is None or current.status != MemberStatus.INVITED:
        raise DomainError("not_invited", "there is no pending invitation to accept", "member", 409)
    current.status = MemberStatus.ACTIVE
    current.save(update_fields=["status"])
    current.team = team
    notify.invitation_accepted(current)
    return current


@transaction.atomic
def join(team: Team, volunteer: Volunteer) -> TeamMember:
    """Join a team of one's own community (active at once); elsewhere only by invitation."""
    team = _locked_team(team)
    member = _member(team, volunteer)
    if member is not None and member.status == MemberStatus.ACTIVE:
        raise DomainError("already_member", "you are already in this team", "team", 409)
    invited = member is not None and member.status == MemberStatus.INVITED
    if not invited and volunteer.community_id != team.community_id:
        raise DomainError("other_community",
                          "join a team of your own community, or ask its leader to invite you", "team", 403)
    if not TeamMember.objects.filter(team=team, status=MemberStatus.ACTIVE).exists():
        raise DomainError("team_inactive", "this team has no members left", "team", 409)
    if member is None:
        member = _enrol(team, volunteer, MemberStatus.ACTIVE)
    else:
        member.status = MemberStatus.ACTIVE
        member.save(update_fields=["status"])
    member.team = team
    (notify.invitation_accepted if invited else notify.joined)(member)
    return member


@transaction.atomic
def leave(team: Team, volunteer: Volunteer) -> TeamMember:
    """Leave a team (or decline its invitation). The leader leaves only when no other member is active."""
    team = _locked_team(team)
    member = _member(team, volunteer)
    if member is None or member.status == MemberStatus.LEFT:
        raise DomainError("not_a_member", "you are not in this team", "team", 409)
    if team.leader_id == volunteer.pk:
        others = TeamMember.objects.filter(team=team, status=MemberStatus.ACTIVE).exclude(pk=member.pk)
        if others.exists():
            raise DomainError("leader_cannot_leave", "the leader leaves last: other members remain", "team",
                              409)
        TeamMember.objects.filter(team=team, status=MemberStatus.INVITED).update(status=MemberStatus.LEFT)
    member.status = MemberStatus.LEFT
    member.save(update_fields=["status"])
    member.team = team
    if team.leader_id != volunteer.pk:
        notify.left(member)
    return member

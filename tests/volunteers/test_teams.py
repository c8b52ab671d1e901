"""Teams: create, invite, accept, join (own community only), leave (the leader last); each refusal with its code,
nothing written on a refusal, and the people concerned told."""

import datetime as dt

import pytest

from tests.world import add_user, make_id_number
from wuyi.accounts.models import Role
from wuyi.errors import DomainError
from wuyi.people.models import Person
from wuyi.volunteers import services, teams
from wuyi.volunteers.models import MemberStatus, Notification, TeamMember


def enlist(community, name="志愿者"):
    person = Person(name=name, verified=True)
    person.set_id_number(make_id_number("440304", "19900101", 100 + Person.objects.count()))
    person.save()
    add_user(f"v{person.pk}", Role.VOLUNTEER, person=person)
    return services.register_volunteer(person, community.code)


def told(volunteer, kind) -> int:
    return Notification.objects.filter(user__person_id=volunteer.person_id, kind=kind).count()


def refused(code, operation, *args):
    with pytest.raises(DomainError) as e:
        operation(*args)
    assert e.value.code == code
    return e.value


@pytest.fixture
def crew(world):
    home, away = world.communities
    leader = enlist(home, "队长")
    return {"leader": leader, "neighbour": enlist(home, "邻居"), "stranger": enlist(away, "外人"),
            "team": teams.create_team(leader, "  园东  突击队 ")}


def status(team, volunteer):
    return TeamMember.objects.get(team=team, volunteer=volunteer).status


def test_create_team_the_leader_is_its_first_member_in_their_community(crew):
    team, leader = crew["team"], crew["leader"]
    assert team.name == "园东 突击队"
    assert team.community_id == leader.community_id and team.leader == leader
    assert status(team, leader) == MemberStatus.ACTIVE
    refused("name_taken", teams.create_team, crew["neighbour"], "园东 突击队")
    refused("invalid_name", teams.create_team, leader, "   ")
    refused("invalid_name", teams.create_team, leader, "队" * 61)
    assert teams.create_team(crew["stranger"], "园东 突击队").community_id != team.community_id  # another community


def test_only_the_leader_invites_and_the_invited_are_told(crew):
    team, leader, stranger = crew["team"], crew["leader"], crew["stranger"]
    error = refused("not_the_leader", teams.invite, team, stranger, crew["neighbour"])
    assert (error.status, error.field) == (403, "team")
    assert not TeamMember.objects.filter(volunteer=stranger).exists()  # nothing written

    member = teams.invite(team, stranger, leader)
    assert member.status == MemberStatus.INVITED
    assert told(stranger, "team_invited") == 1
    refused("already_invited", teams.invite, team, stranger, leader)
    refused("already_member", teams.invite, team, leader, leader)
    assert told(stranger, "team_invited") == 1


def test_accept_an_invitation_once_and_the_leader_is_told(crew):
    team, leader, stranger = crew["team"], crew["leader"], crew["stranger"]
    member = teams.accept(teams.invite(team, stranger, leader))
    assert member.status == MemberStatus.ACTIVE == status(team, stranger)
    assert told(leader, "team_accepted") == 1
    refused("not_invited", teams.accept, member)


def test_join_directly_in_ones_own_community_else_by_invitation_only(crew):
    team, leader, neighbour, stranger = crew["team"], crew["leader"], crew["neighbour"], crew["stranger"]
    assert teams.join(team, neighbour).status == MemberStatus.ACTIVE
    assert told(leader, "team_joined") == 1
    refused("already_member", teams.join, team, neighbour)

    error = refused("other_community", teams.join, team, stranger)
    assert error.status == 403
    assert not TeamMember.objects.filter(volunteer=stranger).exists()
    teams.invite(team, stranger, leader)
    assert teams.join(team, stranger).status == MemberStatus.ACTIVE  # joining with an invitation accepts it
    assert told(leader, "team_accepted") == 1


def test_leave_the_leader_last_and_come_back(crew):
    team, leader, neighbour, stranger = crew["team"], crew["leader"], crew["neighbour"], crew["stranger"]
    teams.join(team, neighbour)
    refused("leader_cannot_leave", teams.leave, team, leader)
    assert status(team, leader) == MemberStatus.ACTIVE

    assert teams.leave(team, neighbour).status == MemberStatus.LEFT
    assert told(leader, "team_left") == 1
    refused("not_a_member", teams.leave, team, neighbour)
    assert teams.join(team, neighbour).status == MemberStatus.ACTIVE  # back, on the same row
    assert TeamMember.objects.filter(team=team, volunteer=neighbour).count() == 1
    teams.leave(team, neighbour)

    teams.invite(team, stranger, leader)
    assert teams.leave(team, leader).status == MemberStatus.LEFT  # alone: the leader may go
    assert status(team, stranger) == MemberStatus.LEFT  # and the pending invitation is withdrawn
    refused("team_inactive", teams.join, team, neighbour)
    refused("team_inactive", teams.invite, team, neighbour, leader)


def test_decline_an_invitation_by_leaving_then_be_invited_again(crew):
    team, leader, stranger = crew["team"], crew["leader"], crew["stranger"]
    member = teams.invite(team, stranger, leader)
    teams.leave(team, stranger)
    refused("not_invited", teams.accept, member)
    assert teams.invite(team, stranger, leader).pk == member.pk


def test_a_team_claims_as_many_slots_as_it_has_active_members(crew):
    team, leader = crew["team"], crew["leader"]
    teams.join(team, crew["neighbour"])
    teams.accept(teams.invite(team, crew["stranger"], leader))
    now = dt.datetime(2020, 3, 1, tzinfo=dt.UTC)
    task = services.publish(services.TaskInput(
        kind="disinfection", title="楼道消杀", community_code=team.community.code, starts_at=now + dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=1, hours=3), capacity=5), by=None, now=now)
    assert services.claim(task.pk, leader, team=team, slots=3, now=now).slots == 3

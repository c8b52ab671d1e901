"""Matching: the rules as tables (no database), then recommend_tasks and suggest_volunteers on the test world with
their reasons, fairness, overlap and a bounded number of queries."""

import datetime as dt

import pytest

from tests.world import add_user, make_id_number
from wuyi.accounts.models import Role
from wuyi.errors import DomainError
from wuyi.people.models import Person
from wuyi.places.models import Area, Level
from wuyi.volunteers import match_rules, matching, services
from wuyi.volunteers.match_rules import TaskFacts, VolunteerFacts
from wuyi.volunteers.models import Task

CST = match_rules.CHINA_STANDARD_TIME
MONDAY = dt.datetime(2020, 3, 2, tzinfo=CST)  # a Monday
NOW = MONDAY - dt.timedelta(days=1)  # Sunday 00:00, Beijing time


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """Beijing time, ``day`` days after Monday 2020-03-02."""
    return MONDAY + dt.timedelta(days=day, hours=hour, minutes=minute)


def codes(reasons) -> list[str]:
    return [code for code, _ in reasons]


# ---- the rules, as tables ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("volunteer, task, points, code", [
    ("440304001001", "440304001001", 40, "same_community"),
    ("440304001001", "440304001002", 25, "same_street"),
    ("440304001001", "440304002001", 10, "same_district"),
    ("440304001001", "440306001001", 0, "elsewhere"),
])
def test_proximity_by_area_code(volunteer, task, points, code):
    got_points, (got_code, text) = match_rules.proximity(volunteer, task)
    assert (got_points, got_code) == (points, code)
    assert text


WEEKDAY_MORNINGS = {str(d): [[8, 12]] for d in range(5)}


@pytest.mark.parametrize("availability, start, end, expected", [
    (WEEKDAY_MORNINGS, at(0, 8), at(0, 12), True),  # exactly the range
    (WEEKDAY_MORNINGS, at(0, 9), at(0, 11, 30), True),  # inside it
    (WEEKDAY_MORNINGS, at(0, 7, 59), at(0, 12), False),  # starts a minute early
    (WEEKDAY_MORNINGS, at(0, 8), at(0, 12, 1), False),  # ends a minute late
    (WEEKDAY_MORNINGS, at(5, 8), at(5, 12), False),  # Saturday
    ({"0": [[8, 10], [10, 12]]}, at(0, 8), at(0, 12), True),  # adjacent ranges join
    ({"0": [[8, 10], [11, 12]]}, at(0, 8), at(0, 12), False),  # a gap does not
    ({"0": [[14, 18], [8, 12]]}, at(0, 9), at(0, 10), True),  # ranges in any order
    ({"0": [[20, 24]], "1": [[0, 3]]}, at(0, 22), at(1, 2), True),  # across midnight, both days covered
    ({"0": [[20, 24]]}, at(0, 22), at(1, 2), False),  # Tuesday's part not covered
    ({6: [[0, 24]]}, at(-1, 0), at(-1, 6), True),  # integer keys, Sunday is 6
    ({"0": [[8, 12]]}, dt.datetime(2020, 3, 2, 0, 0, tzinfo=dt.UTC), dt.datetime(2020, 3, 2, 4, 0, tzinfo=dt.UTC),
     True),  # 00:00–04:00 UTC is 08:00–12:00 in Beijing
    ({}, at(0, 8), at(0, 12), None),  # nothing given: unknown
    ({"0": []}, at(0, 8), at(0, 12), None),
])
def test_availability_is_the_local_weekday_and_hours(availability, start, end, expected):
    assert match_rules.available(availability, start, end) is expected


@pytest.mark.parametrize("window, others, expected", [
    ((at(0, 8), at(0, 12)), [(at(0, 11), at(0, 13))], True),
    ((at(0, 8), at(0, 12)), [(at(0, 12), at(0, 14))], False),  # touching ends
    ((at(0, 8), at(0, 12)), [(at(0, 6), at(0, 8))], False),
    ((at(0, 8), at(0, 12)), [(at(0, 9), at(0, 10))], True),  # inside
    ((at(0, 8), at(0, 12)), [(at(0, 6), at(0, 14))], True),  # around
    ((at(0, 8), at(0, 12)), [], False),
])
def test_overlap(window, others, expected):
    assert match_rules.overlaps(window, others) is expected


@pytest.mark.parametrize("participations, hours, points, code", [
    (0, 0, 30, "no_recent_service"),
    (1, 4, 20, "little_recent_service"),
    (2, 7.99, 20, "little_recent_service"),
    (2, 8, 10, "some_recent_service"),
    (5, 23.5, 10, "some_recent_service"),
    (6, 24, 0, "much_recent_service"),
])
def test_fairness_tiers(participations, hours, points, code):
    volunteer = VolunteerFacts(1, "440304001001", recent_hours=hours, recent_participations=participations)
    assert (match_rules.fairness(volunteer)[0], match_rules.fairness(volunteer)[1][0]) == (points, code)


HOME = "440304001001"
DRIVING_TASK = TaskFacts(7, HOME, at(0, 8), at(0, 12), frozenset({"driving"}))


@pytest.mark.parametrize("volunteer, eligible, reason_codes, points", [
    (VolunteerFacts(1, HOME, frozenset({"driving"}), {"0": [[8, 12]]}), True,
     ["same_community", "skill_driving", "available"], 40 + 15 + 30),
    (VolunteerFacts(1, "440304001002", frozenset({"driving", "medical"})), True,
     ["same_street", "skill_driving", "availability_unknown"], 25 + 15 + 10),
    (VolunteerFacts(1, "440306001001", frozenset({"driving"}), {"1": [[8, 12]]}), True,
     ["elsewhere", "skill_driving", "outside_availability"], 15),
    (VolunteerFacts(1, HOME, frozenset({"medical"})), False, ["missing_skill_driving"], 0),
    (VolunteerFacts(1, HOME, frozenset({"driving"}), busy=((at(0, 11), at(0, 15)),)), False, ["busy"], 0),
    (VolunteerFacts(1, HOME, frozenset({"driving"}), busy=((at(0, 12), at(0, 15)),)), True,
     ["same_community", "skill_driving", "availability_unknown"], 65),
    (VolunteerFacts(1, HOME, frozenset({"driving"}), busy=((at(0, 8), at(0, 12)),), claimed=frozenset({7})), False,
     ["already_claimed"], 0),
    (VolunteerFacts(1, HOME, busy=((at(0, 9), at(0, 10)),)), False, ["missing_skill_driving", "busy"], 0),
])
def test_assess_hard_rules_then_weights(volunteer, eligible, reason_codes, points):
    verdict = match_rules.assess(volunteer, DRIVING_TASK)
    assert (verdict.eligible, codes(verdict.reasons), verdict.points) == (eligible, reason_codes, points)


def test_task_facts_refuse_naive_times_and_reversed_windows():
    with pytest.raises(ValueError):
        TaskFacts(1, HOME, dt.datetime(2020, 3, 2, 8), dt.datetime(2020, 3, 2, 12))
    with pytest.raises(ValueError):
        TaskFacts(1, HOME, at(0, 12), at(0, 8))


def test_rank_volunteers_fairness_outweighs_a_tie_and_ties_rotate_by_day():
    task = TaskFacts(7, HOME, at(0, 8), at(0, 12))
    a = VolunteerFacts(1, HOME, recent_hours=30, recent_participations=6)
    b = VolunteerFacts(2, HOME)
    assert [r.id for r in match_rules.rank_volunteers(task, [a, b], NOW)] == [2, 1]
    assert codes(match_rules.rank_volunteers(task, [a, b], NOW)[0].reasons)[-1] == "no_recent_service"

    equals = [VolunteerFacts(i, HOME) for i in range(1, 6)]
    firsts = {match_rules.rank_volunteers(task, equals, NOW + dt.timedelta(days=d))[0].id for d in range(30)}
    assert len(firsts) > 1  # equal volunteers take turns being first
    once = [r.id for r in match_rules.rank_volunteers(task, equals, NOW)]
    assert once == [r.id for r in match_rules.rank_volunteers(task, list(reversed(equals)), NOW)]  # deterministic


def test_rank_tasks_best_first_then_soonest_and_limit():
    volunteer = VolunteerFacts(1, HOME, frozenset({"driving"}))
    near_late = TaskFacts(1, HOME, at(1, 8), at(1, 12))
    near_soon = TaskFacts(2, HOME, at(0, 8), at(0, 12))
    far = TaskFacts(3, "440304002001", at(0, 8), at(0, 12))
    skilled = TaskFacts(4, "440304001002", at(2, 8), at(2, 12), frozenset({"driving"}))
    assert [r.id for r in match_rules.rank_tasks(volunteer, [far, near_late, skilled, near_soon])] == [2, 1, 4, 3]
    assert [r.id for r in match_rules.rank_tasks(volunteer, [far, near_late, near_soon], limit=1)] == [2]


# ---- against the database -------------------------------------------------------------------------------------


@pytest.fixture
def places(world):
    """The world's first community, plus one more in its street, one in another street of its district; the
    second community is in another district."""
    street = world.streets[0]
    other_street = Area.objects.create(code="440304002", name="华富街道", level=Level.STREET, parent=world.districts[0])
    return {
        "home": world.communities[0],
        "street": Area.objects.create(code="440304001002", name="园西社区", level=Level.COMMUNITY, parent=street),
        "district": Area.objects.create(code="440304002001", name="华富社区", level=Level.COMMUNITY,
                                        parent=other_street),
        "elsewhere": world.communities[1],
    }


def enlist(community, name="志愿者", *, skills=(), availability=None) -> services.Volunteer:
    person = Person(name=name, phone="", verified=True)
    person.set_id_number(make_id_number("440304", "19900101", 100 + Person.objects.count()))
    person.save()
    add_user(f"v{person.pk}", Role.VOLUNTEER, person=person)
    return services.register_volunteer(person, community.code, skills=skills, availability=availability)


def task(community, start, hours=4, *, title="东门值守", skills=(), capacity=2, now=NOW) -> Task:
    return services.publish(services.TaskInput(
        kind="gate_duty", title=title, community_code=community.code, starts_at=start,
        ends_at=start + dt.timedelta(hours=hours), capacity=capacity, skills=list(skills)), by=None, now=now)


def serve(volunteer, community, times: int, *, before=NOW) -> None:
    """``times`` confirmed four-hour shifts in the days before ``before``."""
    for i in range(times):
        start = before - dt.timedelta(days=i + 1)
        past = task(community, start, title=f"过去的值守{i}", now=start - dt.timedelta(days=1))
        claim = services.claim(past.pk, volunteer, now=start - dt.timedelta(hours=1))
        services.confirm(claim.pk, None, now=start + dt.timedelta(hours=4))


MORNINGS = {str(d): [[8, 12]] for d in range(7)}


def test_recommend_tasks_ranks_by_distance_skills_and_availability_with_reasons(places):
    me = enlist(places["home"], skills=["driving"], availability=MORNINGS)
    driving = task(places["home"], at(0, 8), title="送菜", skills=["driving"])
    home = task(places["home"], at(0, 8), title="东门值守")
    evening = task(places["home"], at(0, 18), title="夜间值守")
    street = task(places["street"], at(1, 8), title="西门值守")
    district = task(places["district"], at(2, 8), title="华富值守")
    elsewhere = task(places["elsewhere"], at(2, 8), title="海旺值守")
    task(places["home"], at(3, 8), title="问诊", skills=["medical"])  # lacks the skill
    full = task(places["home"], at(3, 8), title="满员", capacity=1)
    services.claim(full.pk, enlist(places["home"]), now=NOW)
    task(places["home"], at(0, 8) - dt.timedelta(days=20), title="已过去", now=NOW - dt.timedelta(days=30))

    found = matching.recommend_tasks(me, now=NOW)

    assert [m.task.pk for m in found] == [driving.pk, home.pk, street.pk, evening.pk, district.pk]
    assert codes(found[0].reasons) == ["same_community", "skill_driving", "available"]
    assert codes(found[2].reasons) == ["same_street", "available"]
    assert codes(found[3].reasons) == ["same_community", "outside_availability"]
    assert codes(found[4].reasons) == ["same_district", "available"]
    assert all(m.volunteer is None and m.score > 0 for m in found)
    citywide = matching.recommend_tasks(me, now=NOW, within=Level.CITY)
    assert codes(next(m for m in citywide if m.task.pk == elsewhere.pk).reasons)[0] == "elsewhere"
    assert [m.task.pk for m in matching.recommend_tasks(me, now=NOW, limit=2)] == [driving.pk, home.pk]


def test_recommend_tasks_leaves_out_held_and_overlapping_tasks(places):
    me = enlist(places["home"])
    held = task(places["home"], at(0, 8))
    task(places["home"], at(0, 10), title="重叠")  # overlaps the held one
    after = task(places["home"], at(0, 12), title="接着")
    services.claim(held.pk, me, now=NOW)
    assert [m.task.pk for m in matching.recommend_tasks(me, now=NOW)] == [after.pk]


def test_suggest_volunteers_with_reasons_and_hard_rules(places):
    t = task(places["home"], at(0, 8), skills=["driving"])
    best = enlist(places["home"], "甲", skills=["driving"], availability=MORNINGS)
    neighbour = enlist(places["street"], "乙", skills=["driving"], availability=MORNINGS)
    unknown = enlist(places["home"], "丙", skills=["driving"])
    enlist(places["home"], "丁", skills=["medical"], availability=MORNINGS)  # lacks driving
    busy = enlist(places["home"], "戊", skills=["driving"], availability=MORNINGS)
    services.claim(task(places["street"], at(0, 11), title="别处").pk, busy, now=NOW)
    holder = enlist(places["home"], "己", skills=["driving"], availability=MORNINGS)
    services.claim(t.pk, holder, now=NOW)
    enlist(places["elsewhere"], "庚", skills=["driving"], availability=MORNINGS)  # another district

    found = matching.suggest_volunteers(t, now=NOW)

    assert [m.volunteer.pk for m in found] == [best.pk, neighbour.pk, unknown.pk]
    assert codes(found[0].reasons) == ["same_community", "skill_driving", "available", "no_recent_service"]
    assert [m.score for m in found] == [40 + 15 + 30 + 30, 25 + 15 + 30 + 30, 40 + 15 + 10 + 30]
    assert codes(found[1].reasons)[0] == "same_street"
    assert codes(found[2].reasons)[2] == "availability_unknown"
    assert all(m.task is None for m in found)


def test_fairness_after_a_serves_a_lot_b_ranks_first(places):
    t = task(places["home"], at(0, 8))
    pair = [enlist(places["home"], "甲", availability=MORNINGS), enlist(places["home"], "乙", availability=MORNINGS)]
    first, second = (m.volunteer for m in matching.suggest_volunteers(t, now=NOW))
    assert {first.pk, second.pk} == {v.pk for v in pair}
    assert matching.suggest_volunteers(t, now=NOW)[0].volunteer == first  # the same order for the same day

    serve(first, places["home"], 3)  # twelve hours in the last three days

    found = matching.suggest_volunteers(t, now=NOW)
    assert [m.volunteer.pk for m in found] == [second.pk, first.pk]
    assert codes(found[0].reasons)[-1] == "no_recent_service"
    assert codes(found[1].reasons)[-1] == "some_recent_service"
    assert found[0].score - found[1].score == 20
    # fifteen days on, the service has left the window: the two are equal again
    later = NOW + dt.timedelta(days=15)
    t2 = task(places["home"], at(15, 8), now=later)
    assert {codes(m.reasons)[-1] for m in matching.suggest_volunteers(t2, now=later)} == {"no_recent_service"}


def test_suggest_volunteers_refuses_a_closed_or_full_task(places):
    t = task(places["home"], at(0, 8), capacity=1)
    with pytest.raises(DomainError) as over:
        matching.suggest_volunteers(t, now=at(0, 12))
    assert over.value.code == "closed"
    services.claim(t.pk, enlist(places["home"]), now=NOW)
    with pytest.raises(DomainError) as full:
        matching.suggest_volunteers(t, now=NOW)
    assert full.value.code == "full"
    with pytest.raises(DomainError) as level:
        matching.recommend_tasks(enlist(places["home"]), now=NOW, within="building")
    assert level.value.code == "invalid_level"


@pytest.mark.parametrize("crowd", [3, 30])
def test_queries_do_not_grow_with_the_number_of_volunteers(places, crowd, django_assert_max_num_queries):
    t = task(places["home"], at(0, 8), capacity=crowd + 5)
    volunteers = [enlist(places["home" if i % 2 else "street"], availability=MORNINGS) for i in range(crowd)]
    for i, v in enumerate(volunteers):  # every volunteer holds a claim; a third of them an overlapping one
        other = task(places["street"], at(0, 10) if i % 3 == 0 else at(1, 8), title=f"另一个{i}", capacity=1)
        services.claim(other.pk, v, now=NOW)
    serve(volunteers[1], places["home"], 2)
    with django_assert_max_num_queries(5):
        found = matching.suggest_volunteers(t, limit=50, now=NOW)
        assert all(m.volunteer.person.masked_name for m in found)  # loaded with the volunteer
    assert len(found) == crowd - len(range(0, crowd, 3))
    with django_assert_max_num_queries(3):
        tasks = matching.recommend_tasks(volunteers[1], now=NOW, limit=50)
        assert all(m.task.community.name for m in tasks)


def test_a_no_show_is_not_service(places):
    t = task(places["home"], at(0, 8))
    absent = enlist(places["home"], availability=MORNINGS)
    start = NOW - dt.timedelta(days=2)
    past = task(places["home"], start, title="没来", now=start - dt.timedelta(days=1))
    claim = services.claim(past.pk, absent, now=start - dt.timedelta(hours=1))
    services.confirm(claim.pk, None, present=False, now=start + dt.timedelta(hours=4))
    assert codes(matching.suggest_volunteers(t, now=NOW)[0].reasons)[-1] == "no_recent_service"

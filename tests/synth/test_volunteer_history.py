"""The demo's volunteer history, on the tiny city and a few days: the proportions it promises, consistent rows
(never over capacity, one live claim per volunteer and task, hours from the task windows), determinism,
idempotence, --replace, and the statistics page's figures equal to its own."""

import datetime as dt
from collections import Counter
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db.models import Sum

from wuyi.people.models import Membership
from wuyi.places.models import Area
from wuyi.synth import city
from wuyi.synth.volunteers import (
    HISTORY_TOKEN_PREFIX,
    KINDS,
    TASKS_PER_DAY,
    VOLUNTEER_SHARE,
    build_history,
    history_tasks,
)
from wuyi.volunteers import stats
from wuyi.volunteers.models import Claim, DailyFigures, Task, Volunteer

SHANGHAI = ZoneInfo("Asia/Shanghai")
END = dt.date(2020, 2, 20)
DAYS = 4
SCALE = 0.05
NOW = dt.datetime(2020, 2, 21, 12, tzinfo=SHANGHAI)  # every task of the history is over and confirmed


@pytest.fixture
def tiny(db):
    city.generate("tiny", seed=5, progress=False)


def build(**kwargs):
    return build_history(seed=11, days=DAYS, end=END, scale=SCALE, now=NOW, **kwargs)


def snapshot() -> list[tuple]:
    """Every task and its claims, without ids or tokens."""
    claims: dict[int, list] = {}
    for task_id, person, team, slots, status, hours, participations in Claim.objects.order_by("pk").values_list(
            "task_id", "volunteer__person_id", "team__name", "slots", "status", "hours", "participations"):
        claims.setdefault(task_id, []).append((person, team, slots, status, hours, participations))
    return [
        (*row[1:], tuple(claims.get(row[0], ())))
        for row in Task.objects.order_by("pk").values_list(
            "pk", "kind", "title", "community__code", "starts_at", "ends_at", "capacity", "taken", "status",
            "created_at")
    ]


def test_the_history_has_the_promised_shape(tiny):
    summary = build()
    assert summary.built
    tasks = Task.objects.all()
    assert tasks.count() == summary.tasks == round(TASKS_PER_DAY * DAYS * SCALE)
    assert all(t.startswith(HISTORY_TOKEN_PREFIX) for t in tasks.values_list("checkin_token", flat=True))
    # every day of the window, in local time
    days = Counter(dt.datetime.fromisoformat(str(s)).astimezone(SHANGHAI).date()
                   for s in tasks.values_list("starts_at", flat=True))
    assert sorted(days) == [END - dt.timedelta(days=i) for i in reversed(range(DAYS))]
    # gate duty first, every kind present in about its share
    kinds = Counter(tasks.values_list("kind", flat=True))
    assert kinds.most_common(1)[0][0] == "gate_duty"
    for kind in KINDS:
        assert abs(kinds[kind.kind] / summary.tasks - kind.share) < 0.08, (kind.kind, kinds)
    # about 5.5 participations a task, as 220,000 for 40,000
    assert 4.5 <= summary.participations / summary.tasks <= 6.5
    done = Claim.objects.filter(status="done")
    assert done.aggregate(n=Sum("participations"))["n"] == summary.participations
    assert done.aggregate(h=Sum("hours"))["h"].quantize(Decimal("0.01")) == summary.hours  # SQLite sums floats
    statuses = Counter(Claim.objects.values_list("status", flat=True))
    assert statuses["done"] / sum(statuses.values()) > 0.8
    assert statuses["no_show"] > 0 and statuses["cancelled"] > 0 and statuses["active"] == 0
    assert Claim.objects.filter(team__isnull=False, slots__gt=1).exists()


def test_volunteers_are_verified_adults_of_their_community(tiny):
    summary = build()
    volunteers = Volunteer.objects.select_related("person", "community")
    assert volunteers.count() == summary.volunteers == summary.new_volunteers
    homes = dict(Membership.objects.filter(moved_out__isnull=True).values_list("person_id", "household__code"))
    for v in volunteers:
        assert v.person.verified and 18 <= END.year - v.person.birth_year <= 65
        assert homes[v.person_id].startswith(v.community.code)
    eligible = sum(1 for pid, verified, born in Membership.objects.filter(moved_out__isnull=True).values_list(
        "person_id", "person__verified", "person__birth_year") if verified and born and 18 <= END.year - born <= 65)
    assert abs(summary.volunteers / eligible - VOLUNTEER_SHARE) < 0.05


def test_claims_fit_their_tasks(tiny):
    build()
    for task in Task.objects.prefetch_related("claims"):
        held = [c for c in task.claims.all() if c.status in ("active", "done", "no_show")]
        assert task.taken == sum(c.slots for c in held) <= task.capacity
        live = [c.volunteer_id for c in task.claims.all() if c.status in ("active", "done")]
        assert len(live) == len(set(live))
        window = Decimal((task.ends_at - task.starts_at).total_seconds()) / 3600
        for c in task.claims.all():
            if c.status == "done":
                assert c.participations == c.slots and Decimal(0) < c.hours <= window * c.slots
                assert task.ends_at <= c.confirmed_at <= NOW
                if c.checked_in_at:
                    assert c.checked_in_at <= task.starts_at
            else:
                assert c.participations == 0 and c.hours == 0
            assert c.claimed_at <= task.starts_at
        if task.status == "cancelled":
            assert task.taken == 0


def test_the_same_seed_gives_the_same_history_and_a_second_build_does_nothing(tiny):
    build()
    first = snapshot()
    again = build()
    assert not again.built and "exists" in again.message
    assert snapshot() == first
    replaced = build(replace=True)
    assert replaced.built and replaced.new_volunteers == 0  # the volunteers stay and are chosen again
    assert snapshot() == first
    other = build_history(seed=12, days=DAYS, end=END, scale=SCALE, now=NOW, replace=True)
    assert other.built and snapshot() != first


def test_tasks_not_over_at_the_moment_of_the_build_are_open(tiny):
    now = dt.datetime(2020, 2, 20, 12, tzinfo=SHANGHAI)
    build_history(seed=11, days=2, end=END, scale=SCALE, now=now)
    later = Task.objects.filter(starts_at__gt=now)
    assert later.exists() and set(later.values_list("status", flat=True)) <= {"open", "cancelled"}
    assert not Claim.objects.filter(task__starts_at__gt=now, status__in=["done", "no_show"]).exists()
    assert not Claim.objects.filter(confirmed_at__gt=now).exists()
    assert not Task.objects.filter(created_at__gt=now).exists()


def test_the_statistics_count_what_the_history_wrote(tiny):
    summary = build()
    # rolled up with the history: the settled days, all but the last one at NOW
    assert DailyFigures.objects.filter(area__level="city").count() == DAYS - 1
    s = stats.statistics(Area.objects.get(level="city"), END - dt.timedelta(days=DAYS - 1), END + dt.timedelta(days=1),
                         now=NOW)
    assert s.total.participations == summary.participations and s.total.hours == summary.hours
    assert s.total.tasks == Task.objects.exclude(status="cancelled").count()


def test_the_command_builds_and_replaces(tiny, capsys):
    call_command("city", "volunteers", "--seed", "3", "--days", "1")
    out = capsys.readouterr().out
    assert "Gate duty" in out and "participations" in out
    n = history_tasks().count()
    assert n == round(TASKS_PER_DAY)
    call_command("city", "volunteers", "--seed", "3", "--days", "1")
    assert "nothing done" in capsys.readouterr().out
    call_command("city", "volunteers", "--seed", "3", "--days", "1", "--replace")
    assert history_tasks().count() == n and not DailyFigures.objects.filter(day__lt=stats.local_today() - dt.timedelta(days=5)).exists()

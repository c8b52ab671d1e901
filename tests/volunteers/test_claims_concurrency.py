"""200 threads claim a 10-slot task at once: exactly 10 claims are made and every other answer is "full", on
SQLite and on PostgreSQL (DESIGN.md §4). Real transactions, so `transaction=True`. Each thread has its own
connection; the 200 are released at once by a barrier. PostgreSQL refuses connections beyond its
max_connections (100 by default), so there at most max_connections - 10 threads hold one at a time, as a
connection pool would."""

import datetime as dt
import threading

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from tests.world import make_id_number
from wuyi.errors import DomainError
from wuyi.people.models import Person
from wuyi.volunteers import services
from wuyi.volunteers.models import Claim, Volunteer

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 200
SLOTS = 10


def volunteers(world, n):
    people = []
    for i in range(n):
        p = Person(name=f"志愿者{i}", verified=True)
        p.set_id_number(make_id_number("440304", "19900101", 100 + i))  # 200 distinct sequence numbers
        people.append(p)
    Person.objects.bulk_create(people)
    people = list(Person.objects.filter(name__startswith="志愿者").order_by("pk"))
    Volunteer.objects.bulk_create([Volunteer(person=p, community=world.communities[0]) for p in people])
    return list(Volunteer.objects.order_by("pk"))


def connection_room() -> int:
    if connection.vendor != "postgresql":
        return THREADS
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        return min(THREADS, int(cursor.fetchone()[0]) - 10)


def test_two_hundred_threads_claim_a_ten_slot_task_exactly_ten_win(world):
    start = timezone.now() + dt.timedelta(days=1)
    task = services.publish(services.TaskInput(
        kind="gate_duty", title="东门值守", community_code=world.communities[0].code, starts_at=start,
        ends_at=start + dt.timedelta(hours=4), capacity=SLOTS), by=None)
    crowd = volunteers(world, THREADS)
    barrier = threading.Barrier(THREADS)
    room = threading.BoundedSemaphore(connection_room())
    answers: list[str] = []
    lock = threading.Lock()

    def attempt(volunteer):
        try:
            barrier.wait()
            with room:
                try:
                    services.claim(task.pk, volunteer)
                finally:
                    connection.close()
            answer = "claimed"
        except DomainError as e:
            answer = e.code
        except Exception as e:  # anything else is a failure of the test, reported below
            answer = f"error: {type(e).__name__}: {e}"
        finally:
            close_old_connections()
            connection.close()
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=attempt, args=(v,)) for v in crowd]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(answers) == THREADS, "some threads did not finish"
    assert answers.count("claimed") == SLOTS, sorted(set(answers))
    assert answers.count("full") == THREADS - SLOTS, sorted(set(answers))
    task.refresh_from_db()
    assert task.taken == SLOTS == Claim.objects.filter(task=task, status="active").count()


def test_a_second_claim_by_the_same_volunteer_is_already_claimed_and_gives_the_slot_back(world):
    start = timezone.now() + dt.timedelta(days=1)
    task = services.publish(services.TaskInput(
        kind="delivery", title="送药", community_code=world.communities[0].code, starts_at=start,
        ends_at=start + dt.timedelta(hours=2), capacity=3), by=None)
    (v,) = volunteers(world, 1)
    services.claim(task.pk, v)
    with pytest.raises(DomainError) as e:
        services.claim(task.pk, v)
    assert e.value.code == "already_claimed"
    task.refresh_from_db()
    assert task.taken == 1


def test_claiming_again_a_full_task_one_holds_says_already_claimed(world):
    start = timezone.now() + dt.timedelta(days=1)
    task = services.publish(services.TaskInput(
        kind="delivery", title="送菜", community_code=world.communities[0].code, starts_at=start,
        ends_at=start + dt.timedelta(hours=2), capacity=1), by=None)
    (v,) = volunteers(world, 1)
    services.claim(task.pk, v)
    with pytest.raises(DomainError) as e:
        services.claim(task.pk, v)
    assert e.value.code == "already_claimed"

"""Two withdrawals at once from a stock that covers only one of them: exactly one succeeds and the stock never
goes below zero, on SQLite and on PostgreSQL. Real transactions, so `transaction=True`; each thread has its own
connection, released together by a barrier (see tests/volunteers/test_claims_concurrency.py)."""

import threading

import pytest
from django.db import close_old_connections, connection

from wuyi.errors import DomainError
from wuyi.workforce import services
from wuyi.workforce.models import Supply, SupplyMovement

pytestmark = pytest.mark.django_db(transaction=True)


def withdraw_at_once(user, supply_id: int, amounts: list[int]) -> list[str]:
    barrier = threading.Barrier(len(amounts))
    answers: list[str] = []
    lock = threading.Lock()

    def attempt(amount):
        try:
            barrier.wait()
            services.move_stock(user, supply_id, -amount, "发放")
            answer = "taken"
        except DomainError as e:
            answer = e.code
        except Exception as e:  # anything else is a failure of the test, reported below
            answer = f"error: {type(e).__name__}: {e}"
        finally:
            close_old_connections()
            connection.close()
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=attempt, args=(a,)) for a in amounts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return answers


def test_two_concurrent_withdrawals_of_more_than_half_the_stock_one_wins(ww):
    user = ww.users["community_worker"]
    supply = services.add_supply(user, ww.centres[0].code, "口罩", "个", 100)
    answers = withdraw_at_once(user, supply.pk, [60, 70])
    assert sorted(answers) == ["not_enough", "taken"], answers
    supply.refresh_from_db()
    assert supply.quantity in (40, 30)
    moved = list(SupplyMovement.objects.filter(supply=supply).values_list("delta", flat=True))
    assert supply.quantity == sum(moved) >= 0


def test_twenty_concurrent_withdrawals_take_exactly_the_stock(ww):
    user = ww.users["community_worker"]
    supply = services.add_supply(user, ww.centres[0].code, "防护服", "套", 10)
    answers = withdraw_at_once(user, supply.pk, [1] * 20)
    assert answers.count("taken") == 10 and answers.count("not_enough") == 10, sorted(set(answers))
    assert Supply.objects.get(pk=supply.pk).quantity == 0

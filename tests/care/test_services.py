"""Care services: key persons suggested from home quarantine orders and key-area declarations (set-based),
confirmed, refused twice; contacts logged with their checks; another area's worker refused; residents see none."""

import datetime as dt

import pytest
from django.utils import timezone

from wuyi.accounts.scoping import scope
from wuyi.care import rules, services
from wuyi.care.models import CareContact, KeyPerson, KeyReason
from wuyi.errors import DomainError, NotFound
from wuyi.health.models import QuarantineKind, QuarantineOrder
from wuyi.people.models import Declaration, DeclarationStatus

TODAY = dt.date(2020, 2, 10)
NOW = dt.datetime(2020, 2, 10, 10, 0, tzinfo=dt.UTC)


def declare(world, person, travel, created=NOW - dt.timedelta(days=2), status=DeclarationStatus.APPROVED):
    d = Declaration.objects.create(
        name=person.name, id_hmac=person.id_hmac, id_masked=person.id_masked, birth_year=1970, sex="M",
        household=person.memberships.get().household, relation="owner", travel=travel, status=status, person=person,
    )
    Declaration.objects.filter(pk=d.pk).update(created_at=created)
    return d


@pytest.fixture
def cw(world):
    return world.users["community_worker"]


def test_suggestions_from_home_orders_and_key_area_declarations(world, cw):
    a, b = world.people[0], world.people[1]
    QuarantineOrder.objects.create(person=a, kind=QuarantineKind.HOME, start=TODAY - dt.timedelta(days=3),
                                   planned_end=TODAY + dt.timedelta(days=11))
    # centralized, released, or ended orders are not suggested
    QuarantineOrder.objects.create(person=b, kind=QuarantineKind.CENTRALIZED, start=TODAY, planned_end=TODAY)
    QuarantineOrder.objects.create(person=world.people[2], kind=QuarantineKind.HOME, start=TODAY,
                                   planned_end=TODAY, released_at=NOW)
    declare(world, b, [{"place": "湖北省武汉市", "from": "2020-01-15", "to": "2020-01-30"}])
    declare(world, world.people[3], [{"place": "武汉", "from": "2020-01-15", "to": "2020-02-05"}])  # other side
    found = services.suggestions(world.communities[0].prefix, TODAY)
    assert [(s.person_id, s.reason, s.community_code, s.since) for s in found] == [
        (a.pk, KeyReason.QUARANTINED_HOUSEHOLD, world.communities[0].code, TODAY - dt.timedelta(days=3)),
        (b.pk, KeyReason.FROM_KEY_AREA, world.communities[0].code, dt.date(2020, 1, 30)),
    ]
    assert [s.person_id for s in services.suggestions(world.communities[1].prefix, TODAY)] == [world.people[3].pk]


@pytest.mark.parametrize("travel, created_days_ago, status", [
    ([{"place": "广州", "from": "2020-02-01", "to": "2020-02-03"}], 2, DeclarationStatus.APPROVED),  # not key
    ([{"place": "湖北黄冈", "from": "2020-01-10", "to": "2020-01-26"}], 2, DeclarationStatus.APPROVED),  # 15 days
    ([{"place": "湖北黄冈", "from": "2020-02-01", "to": "2020-02-03"}], 20, DeclarationStatus.APPROVED),  # old
    ([{"place": "湖北黄冈", "from": "2020-02-01", "to": "2020-02-03"}], 2, DeclarationStatus.PENDING),  # unverified
])
def test_declarations_not_suggested(world, travel, created_days_ago, status):
    declare(world, world.people[0], travel, created=NOW - dt.timedelta(days=created_days_ago), status=status)
    assert services.suggestions(world.communities[0].prefix, TODAY) == []


def test_a_confirmed_suggestion_is_not_suggested_again_and_cannot_be_added_twice(world, cw):
    a = world.people[0]
    QuarantineOrder.objects.create(person=a, kind=QuarantineKind.HOME_HEALTH_OBSERVATION,
                                   start=TODAY, planned_end=TODAY + dt.timedelta(days=13))
    (s,) = services.suggestions(world.communities[0].prefix, TODAY)
    kp = services.add_key_person(s.person_id, s.reason, s.since, by=cw, source=s.source, today=TODAY)
    assert (kp.community, kp.responsible, kp.until) == (world.communities[0], cw, None)
    assert services.suggestions(world.communities[0].prefix, TODAY) == []
    with pytest.raises(DomainError) as e:
        services.add_key_person(a.pk, s.reason, s.since, by=cw, today=TODAY)
    assert (e.value.code, e.value.status) == ("already_key_person", 409)
    services.end_care(kp.pk, TODAY + dt.timedelta(days=13), by=cw)
    again = services.add_key_person(a.pk, s.reason, TODAY + dt.timedelta(days=1), by=cw, today=TODAY + dt.timedelta(1))
    assert again.pk != kp.pk


def test_another_areas_worker_is_refused(world):
    other = world.users["community_worker@1"]
    with pytest.raises(NotFound):
        services.add_key_person(world.people[0].pk, KeyReason.FROM_KEY_AREA, TODAY, by=other, today=TODAY)
    kp = services.add_key_person(world.people[0].pk, KeyReason.FROM_KEY_AREA, TODAY,
                                 by=world.users["community_worker"], today=TODAY)
    with pytest.raises(NotFound):
        services.log_contact(kp.pk, services.ContactInput("call", NOW), by=other, now=NOW)
    assert not scope(other, KeyPerson.objects.all()).exists()
    for role in ("street_worker", "district_worker", "city_admin"):
        assert scope(world.users[role], KeyPerson.objects.all()).get() == kp
    for role in ("resident", "volunteer", "leader", "gate_guard"):
        assert not scope(world.users[role], KeyPerson.objects.all()).exists()


@pytest.mark.parametrize("kind, at, items, code, field", [
    ("visit", NOW + dt.timedelta(hours=1), "", "in_the_future", "at"),
    ("delivery", NOW, "", "items_required", "items"),
    ("hug", NOW, "", "invalid_kind", "kind"),
    ("call", NOW - dt.timedelta(days=3), "", "before_care", "at"),
    ("call", dt.datetime(2020, 2, 10, 9), "", "invalid_time", "at"),
])
def test_bad_contacts_are_refused(world, cw, kind, at, items, code, field):
    kp = services.add_key_person(world.people[0].pk, KeyReason.FROM_KEY_AREA, TODAY, by=cw, today=TODAY)
    with pytest.raises(DomainError) as e:
        services.log_contact(kp.pk, services.ContactInput(kind, at, items=items), by=cw, now=NOW)
    assert (e.value.code, e.value.field) == (code, field)
    assert not CareContact.objects.exists()


def test_a_delivery_keeps_its_items(world, cw):
    kp = services.add_key_person(world.people[0].pk, KeyReason.QUARANTINED_HOUSEHOLD, TODAY, by=cw, today=TODAY)
    c = services.log_contact(kp.pk, services.ContactInput("delivery", NOW, note="放门口", items="大米 5kg"), by=cw,
                             now=NOW)
    assert (c.items, c.by, c.key_person) == ("大米 5kg", cw, kp)
    call = services.log_contact(kp.pk, services.ContactInput("call", NOW, items="ignored"), by=cw, now=NOW)
    assert call.items == ""


@pytest.mark.parametrize("last, since, due, days", [
    (None, TODAY, True, None),
    (TODAY - dt.timedelta(days=rules.CONTACT_DUE_DAYS), TODAY - dt.timedelta(days=10), False, 3),
    (TODAY - dt.timedelta(days=rules.CONTACT_DUE_DAYS + 1), TODAY - dt.timedelta(days=10), True, 4),
    (TODAY, TODAY, False, 0),
])
def test_contact_due(last, since, due, days):
    verdict = rules.contact_due(last, since, TODAY)
    assert (verdict.due, verdict.days_since) == (due, days)


@pytest.mark.parametrize("travel, from_key_area, left", [
    ([], False, None),
    ([{"place": "Wuhan, Hubei", "from": "2020-02-01", "to": ""}], True, dt.date(2020, 2, 1)),
    ([{"place": "湖北孝感", "from": "2020-01-01", "to": "2020-01-27"}], False, dt.date(2020, 1, 27)),
    ([{"place": "湖北孝感", "from": "2020-01-01", "to": "2020-01-27"},
      {"place": "武汉", "from": "2020-02-01", "to": "2020-02-02"}], True, dt.date(2020, 2, 2)),
    ([{"place": "上海", "from": "2020-02-01", "to": "2020-02-02"}], False, None),
])
def test_arrival_from_a_key_area(travel, from_key_area, left):
    verdict = rules.arrival(travel, TODAY)
    assert (verdict.from_key_area, verdict.arrived_on) == (from_key_area, left)


def test_contact_time_defaults_are_local(world, cw):
    kp = services.add_key_person(world.people[0].pk, KeyReason.FROM_KEY_AREA, TODAY, by=cw, today=TODAY)
    # 2020-02-10 00:30 in Shanghai is still 2020-02-09 in UTC: it counts as the 10th, the day the care began
    at = timezone.make_aware(dt.datetime(2020, 2, 10, 0, 30))
    assert services.log_contact(kp.pk, services.ContactInput("call", at), by=cw, now=NOW).at == at

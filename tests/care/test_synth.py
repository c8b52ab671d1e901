"""The synthetic care on the world: key persons from home quarantine orders (running or ended) and declarations,
synthetic arrivals in every community, contacts up to yesterday; deterministic and replaced on a second run."""

import datetime as dt

from wuyi.care.models import CareContact, KeyPerson, KeyReason
from wuyi.health.models import QuarantineKind, QuarantineOrder
from wuyi.people.models import Declaration, DeclarationStatus
from wuyi.synth.care import ARRIVAL_SOURCE, build_care

TODAY = dt.date(2020, 2, 20)


def snapshot():
    return sorted(KeyPerson.objects.values_list("person_id", "reason", "since", "until", "source"))


def test_build_care_on_the_world(world):
    running, ended, centralized = world.people[0], world.people[2], world.people[3]
    QuarantineOrder.objects.create(person=running, kind=QuarantineKind.HOME, start=dt.date(2020, 2, 15),
                                   planned_end=dt.date(2020, 2, 28))
    QuarantineOrder.objects.create(person=ended, kind=QuarantineKind.HOME_HEALTH_OBSERVATION,
                                   start=dt.date(2020, 1, 30), planned_end=dt.date(2020, 2, 12))
    QuarantineOrder.objects.create(person=centralized, kind=QuarantineKind.CENTRALIZED, start=dt.date(2020, 2, 15),
                                   planned_end=dt.date(2020, 2, 28))
    declared = world.people[1]
    d = Declaration.objects.create(
        name=declared.name, id_hmac=declared.id_hmac, id_masked=declared.id_masked, birth_year=1971, sex="F",
        household=world.households[1], relation="owner", status=DeclarationStatus.APPROVED, person=declared,
        travel=[{"place": "湖北省孝感市", "from": "2020-02-01", "to": "2020-02-12"}])
    Declaration.objects.filter(pk=d.pk).update(created_at=dt.datetime(2020, 2, 14, 2, tzinfo=dt.UTC))

    counts = build_care(seed=3, today=TODAY)
    quarantined = {kp.person_id: kp for kp in KeyPerson.objects.filter(reason=KeyReason.QUARANTINED_HOUSEHOLD)}
    assert set(quarantined) == {running.pk, ended.pk}
    assert quarantined[running.pk].until is None and quarantined[running.pk].since == dt.date(2020, 2, 15)
    assert quarantined[ended.pk].until == dt.date(2020, 2, 12)
    assert quarantined[running.pk].responsible == world.users["community_worker"]
    from_key_area = KeyPerson.objects.filter(reason=KeyReason.FROM_KEY_AREA)
    assert from_key_area.filter(person=declared, since=dt.date(2020, 2, 12)).exclude(source=ARRIVAL_SOURCE).exists()
    assert {c.code for c in world.communities} <= set(
        from_key_area.filter(source=ARRIVAL_SOURCE).values_list("community__code", flat=True))
    assert counts["key_persons"] == KeyPerson.objects.count()
    assert counts["contacts"] == CareContact.objects.count() > 0
    for c in CareContact.objects.select_related("key_person"):
        local = c.at.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
        assert c.key_person.since <= local < TODAY
        assert local <= (c.key_person.until or TODAY)
        assert bool(c.items) == (c.kind == "delivery")
    first = snapshot()
    assert build_care(seed=3, today=TODAY) == counts and snapshot() == first

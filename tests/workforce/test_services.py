"""The workforce services: each checks the user's area, refuses bad input with a DomainError naming its field, and
writes nothing when it refuses."""

import datetime as dt

import pytest

from tests.workforce.conftest import DAY
from wuyi.errors import DomainError
from wuyi.places.models import Area
from wuyi.workforce import services
from wuyi.workforce.models import PartyMember, Shift, Supply, SupplyMovement, Worker, WorkGroup


def refused(call, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as e:
        call(*args, **kwargs)
    return e.value


# ---- workers and groups ------------------------------------------------------------------------------------


def test_a_community_worker_adds_a_worker_to_their_community(ww):
    user = ww.users["community_worker"]
    w = services.create_worker(user, services.WorkerInput(name="陈社工", kind="social_worker",
                                                          area_code=ww.communities[0].code, phone="13700000001"))
    assert (w.area, w.kind, w.active) == (ww.communities[0], "social_worker", True)


@pytest.mark.parametrize(("change", "code", "field", "status"), [
    ({"area_code": "440306001001"}, "outside_area", "area_code", 403),  # the other district's community
    ({"area_code": "440304001"}, "outside_area", "area_code", 403),  # the street above the user's node
    ({"area_code": "440304001001999"}, "unknown_area", "area_code", 400),
    ({"kind": "doctor"}, "invalid_kind", "kind", 400),
    ({"phone": "12345"}, "invalid_phone", "phone", 400),
    ({"name": "  "}, "required", "name", 400),
])
def test_a_bad_worker_is_refused_on_its_field_and_nothing_is_written(ww, change, code, field, status):
    before = Worker.objects.count()
    data = services.WorkerInput(name="陈社工", kind="social_worker", area_code=ww.communities[0].code)
    for k, v in change.items():
        setattr(data, k, v)
    e = refused(services.create_worker, ww.users["community_worker"], data)
    assert (e.code, e.field, e.status) == (code, field, status)
    assert Worker.objects.count() == before


def test_a_worker_of_another_area_cannot_be_edited_it_is_not_found(ww):
    other = ww.workers[1][0]
    data = services.WorkerInput(name="改名", kind="cadre", area_code=ww.communities[0].code)
    e = refused(services.update_worker, ww.users["community_worker"], other.pk, data)
    assert (e.code, e.status) == ("not_found", 404)
    other.refresh_from_db()
    assert other.name == "干部1"


def test_roles_without_an_area_of_work_are_forbidden(ww):
    data = services.WorkerInput(name="x", kind="cadre", area_code=ww.communities[0].code)
    for role in ("leader", "resident", "gate_guard", "volunteer", "health_official"):
        assert refused(services.create_worker, ww.users[role], data).status == 403


def test_a_worker_joins_only_a_group_covering_their_area(ww):
    street_user = ww.users["street_worker"]
    guidance = services.create_group(street_user, "guidance", "园岭指导服务组", ww.streets[0].code, DAY)
    cadre = ww.workers[0][0]
    data = services.WorkerInput(name=cadre.name, kind="cadre", area_code=ww.communities[0].code,
                                group_id=guidance.pk, party_member=True)
    assert services.update_worker(street_user, cadre.pk, data).group == guidance
    community_group = services.create_group(street_user, "aid", "园东援助组", ww.communities[0].code, DAY)
    data.area_code, data.group_id = ww.streets[0].code, community_group.pk  # a street worker in a community group
    assert refused(services.update_worker, street_user, cadre.pk, data).code == "group_elsewhere"


@pytest.mark.parametrize(("kind", "level_index", "code"), [
    ("three_person", "streets", "not_a_community"),
    ("aid", "districts", "not_a_community"),
])
def test_community_groups_belong_to_a_community(ww, kind, level_index, code):
    area = getattr(ww, level_index)[0]
    assert refused(services.create_group, ww.users["district_worker"], kind, "组", area.code, DAY).code == code


def test_a_community_has_one_standing_three_person_team(ww):
    user = ww.users["community_worker"]
    team = services.create_group(user, "three_person", "园东三人小组", ww.communities[0].code, DAY)
    e = refused(services.create_group, user, "three_person", "又一个", ww.communities[0].code, DAY)
    assert (e.code, e.status) == ("team_exists", 409)
    services.dissolve_group(user, team.pk, DAY + dt.timedelta(days=30))
    assert services.create_group(user, "three_person", "新三人小组", ww.communities[0].code, DAY).pk
    assert WorkGroup.objects.filter(kind="three_person").count() == 2


# ---- temporary Party organisations ---------------------------------------------------------------------------


def test_a_party_organisation_takes_party_member_workers_of_its_area_only(ww):
    user = ww.users["street_worker"]
    org = services.create_party_organisation(user, "百花园临时党支部", ww.communities[0].code, "compound", DAY)
    cadre, doctor, _police = ww.workers[0]
    assert services.add_party_member(user, org.pk, cadre.pk, "secretary").role == "secretary"
    assert refused(services.add_party_member, user, org.pk, doctor.pk).code == "not_a_party_member"
    e = refused(services.add_party_member, user, org.pk, cadre.pk)
    assert (e.code, e.status) == ("already_member", 409)
    # a Party member of a neighbouring community of the same street is not of its area
    neighbour = Area.objects.create(code=ww.streets[0].code + "002", name="园西社区", level="community",
                                    parent=ww.streets[0])
    outsider = Worker.objects.create(name="邻社区干部", kind="cadre", area=neighbour, party_member=True)
    assert refused(services.add_party_member, user, org.pk, outsider.pk).code == "other_area"
    # a worker of the other district is not even found
    assert refused(services.add_party_member, user, org.pk, ww.workers[1][0].pk).status == 404
    assert list(PartyMember.objects.values_list("worker__name", flat=True)) == ["干部0"]


def test_a_community_cadre_joins_the_branch_at_a_compound_of_their_community(ww):
    user = ww.users["community_worker"]
    org = services.create_party_organisation(user, "百花园临时党支部", ww.compounds[0].code, "compound", DAY)
    assert services.add_party_member(user, org.pk, ww.workers[0][0].pk).organisation == org


def test_an_organisation_has_one_secretary(ww):
    user = ww.users["community_worker"]
    org = services.create_party_organisation(user, "临时党支部", ww.communities[0].code, "compound", DAY)
    first = Worker.objects.create(name="甲", kind="cadre", area=ww.communities[0], party_member=True)
    second = Worker.objects.create(name="乙", kind="cadre", area=ww.communities[0], party_member=True)
    services.add_party_member(user, org.pk, first.pk, "secretary")
    e = refused(services.add_party_member, user, org.pk, second.pk, "secretary")
    assert (e.code, e.field, e.status) == ("secretary_taken", "role", 409)
    assert services.add_party_member(user, org.pk, second.pk, "deputy").role == "deputy"


def test_a_worker_in_an_organisation_cannot_stop_being_a_party_member(ww):
    user = ww.users["community_worker"]
    org = services.create_party_organisation(user, "临时党支部", ww.communities[0].code, "compound", DAY)
    cadre = ww.workers[0][0]
    services.add_party_member(user, org.pk, cadre.pk)
    data = services.WorkerInput(name=cadre.name, kind="cadre", area_code=ww.communities[0].code, party_member=False)
    assert refused(services.update_worker, user, cadre.pk, data).code == "still_in_party_organisation"
    cadre.refresh_from_db()
    assert cadre.party_member


# ---- shifts --------------------------------------------------------------------------------------------------


def shift(ww, worker, period="morning", kind="gate", code=None, user="community_worker", on=DAY):
    code = code if code is not None else ww.gates[0].code
    return services.assign_shift(ww.users[user], services.ShiftInput(worker.pk, on, period, kind, code))


def test_a_worker_is_never_booked_twice_in_one_period(ww):
    cadre = ww.workers[0][0]
    first = shift(ww, cadre)
    assert first.gate == ww.gates[0] and first.assigned_by == ww.users["community_worker"]
    e = refused(shift, ww, cadre, kind="compound", code=ww.compounds[0].code)
    assert (e.code, e.field, e.status) == ("double_booked", "period", 409)
    shift(ww, cadre, period="afternoon", kind="compound", code=ww.compounds[0].code)
    shift(ww, cadre, on=DAY + dt.timedelta(days=1))
    assert Shift.objects.filter(worker=cadre).count() == 3


@pytest.mark.parametrize(("kind", "code_of", "error", "status"), [
    ("gate", lambda w: w.gates[1].code, "outside_area", 403),
    ("compound", lambda w: w.compounds[1].code, "outside_area", 403),
    ("checkpoint", lambda w: w.checkpoints[1].code, "outside_area", 403),
    ("service_centre", lambda w: w.centres[1].code, "outside_area", 403),
    ("checkpoint", lambda w: w.checkpoints[0].code, "outside_area", 403),  # the street's, above a community worker
    ("gate", lambda w: "NOPE", "unknown_target", 400),
    ("compound", lambda w: w.communities[0].code, "unknown_target", 400),  # a community is not a compound
    ("bus", lambda w: w.gates[0].code, "invalid_target", 400),
])
def test_a_shift_at_a_place_outside_the_users_area_is_refused(ww, kind, code_of, error, status):
    e = refused(shift, ww, ww.workers[0][0], kind=kind, code=code_of(ww))
    assert (e.code, e.status) == (error, status)
    assert e.field in ("target_code", "target_kind")
    assert not Shift.objects.exists()


def test_a_street_worker_books_the_streets_checkpoint_and_the_communitys_centre(ww):
    cadre, doctor, _ = ww.workers[0]
    assert shift(ww, cadre, kind="checkpoint", code=ww.checkpoints[0].code, user="street_worker").checkpoint
    assert shift(ww, doctor, kind="service_centre", code=ww.centres[0].code, user="street_worker").service_centre


def test_another_areas_worker_and_an_inactive_worker_get_no_shift(ww):
    e = refused(shift, ww, ww.workers[1][0], kind="gate", code=ww.gates[1].code, user="community_worker")
    assert (e.code, e.status) == ("not_found", 404)
    police = ww.workers[0][2]
    police.active = False
    police.save()
    assert refused(shift, ww, police).code == "inactive_worker"


def test_removing_a_shift_frees_the_period(ww):
    cadre = ww.workers[0][0]
    s = shift(ww, cadre)
    assert refused(services.remove_shift, ww.users["community_worker@1"], s.pk).status == 404
    services.remove_shift(ww.users["community_worker"], s.pk)
    assert shift(ww, cadre).pk


# ---- service centres and supplies ----------------------------------------------------------------------------


def test_a_centre_becomes_an_anti_epidemic_centre_once_and_its_date_can_move(ww):
    user = ww.users["community_worker"]
    code = ww.centres[0].code
    assert services.activate_centre(user, code, DAY).anti_epidemic_since == DAY
    assert services.activate_centre(user, code, DAY - dt.timedelta(days=3)).anti_epidemic_since == DAY - dt.timedelta(
        days=3)
    assert ww.centres[0].__class__.objects.get(pk=ww.centres[0].pk).activation.anti_epidemic_since.day == 7
    assert refused(services.activate_centre, user, ww.centres[1].code, DAY).status == 404


def test_stock_never_goes_below_zero(ww):
    user = ww.users["community_worker"]
    masks = services.add_supply(user, ww.centres[0].code, "口罩", "个", 100)
    assert services.move_stock(user, masks.pk, -60, "发放").quantity == 40
    e = refused(services.move_stock, user, masks.pk, -41, "发放")
    assert (e.code, e.field, e.status) == ("not_enough", "delta", 409)
    assert services.move_stock(user, masks.pk, -40).quantity == 0
    assert services.move_stock(user, masks.pk, 500, "区里调拨").quantity == 500
    assert list(SupplyMovement.objects.filter(supply=masks).order_by("pk").values_list("delta", flat=True)) == [
        100, -60, -40, 500]
    assert refused(services.move_stock, user, masks.pk, 0).code == "invalid_delta"
    assert refused(services.move_stock, user, masks.pk, "many").code == "invalid"
    assert Supply.objects.get(pk=masks.pk).quantity == 500


def test_an_item_is_kept_once_per_centre_and_another_areas_supplies_are_not_found(ww):
    user = ww.users["community_worker"]
    services.add_supply(user, ww.centres[0].code, "消毒液", "升")
    e = refused(services.add_supply, user, ww.centres[0].code, "消毒液", "瓶")
    assert (e.code, e.status) == ("item_exists", 409)
    theirs = services.add_supply(ww.users["community_worker@1"], ww.centres[1].code, "消毒液", "升", 5)
    assert refused(services.move_stock, user, theirs.pk, -1).status == 404
    assert Supply.objects.get(pk=theirs.pk).quantity == 5

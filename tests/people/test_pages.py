"""The people pages: self-declaration, my page, the verification queue, registering on behalf, a person."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.world import add_user, make_id_number
from wuyi.accounts.models import AuditEntry, Role
from wuyi.people import services
from wuyi.people.models import Declaration, DeclarationStatus, Pass, Person

NEW_ID = make_id_number("440304", "19900315", 51)


@pytest.fixture
def newcomer(world):
    """A resident who signed up and has not declared yet."""
    return add_user("13912345678", Role.RESIDENT)


def as_user(client, user):
    client.force_login(user)
    return client


def declaration_data(room, **overrides):
    today = timezone.localdate()
    data = {
        "name": "张伟", "id_number": NEW_ID, "phone": "13912345678", "household": room.code,
        "relation": "tenant", "symptoms": ["fever"], "travel_0_place": "湖北省武汉市",
        "travel_0_from": (today - dt.timedelta(days=6)).isoformat(),
        "travel_0_to": (today - dt.timedelta(days=4)).isoformat(),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def pending(world, household_index=1, name="张伟", id_number=NEW_ID, by=None):
    data = services.DeclarationInput(
        name=name, id_number=id_number, phone="13912345678",
        household_code=world.households[household_index].code, relation="tenant", symptoms=["fever"],
    )
    return services.submit_declaration(data, by=by)


# ---- self-declaration --------------------------------------------------------------------------------


def test_declaration_page_offers_the_districts_and_chinese_symptoms(client, newcomer):
    page = as_user(client, newcomer).get(reverse("people:declare"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "福田区" in html and "宝安区" in html and 'hx-get="/places/options/"' in html
    assert '<noscript>' in html and 'name="household_code"' in html  # without JavaScript, a typed code
    for label in ("发热", "咳嗽", "乏力", "咽痛", "呼吸困难", "腹泻", "嗅觉减退"):
        assert label in html
    assert 'value="13912345678"' in html  # the phone of the sign-up


def test_without_javascript_a_typed_household_code_is_enough(client, world, newcomer):
    as_user(client, newcomer)
    data = declaration_data(world.households[1], household=None, household_code=world.households[1].code)
    assert client.post(reverse("people:declare"), data).status_code == 302
    assert Declaration.objects.get().household == world.households[1]


def test_a_declaration_is_filed_and_shown_as_waiting(client, world, newcomer):
    as_user(client, newcomer)
    response = client.post(reverse("people:declare"), declaration_data(world.households[1]))
    assert response.status_code == 302 and response.url == reverse("people:me")
    d = Declaration.objects.get()
    assert (d.name, d.household, d.relation, d.symptoms, d.submitted_by) == (
        "张伟", world.households[1], "tenant", ["fever"], newcomer)
    assert d.travel[0]["place"] == "湖北省武汉市" and d.status == DeclarationStatus.PENDING
    me = client.get(reverse("people:me")).content.decode()
    assert 'data-status="pending"' in me and "等待审核" in me


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"name": ""}, "name"),
        ({"id_number": "440304199003150000"}, "id_number"),
        ({"id_number": "44030419900231051X"}, "id_number"),
        ({"phone": "12345"}, "phone"),
        ({"phone": None}, "phone"),
        ({"household": None}, "household"),
        ({"household": "4403040010010010019999"}, "household"),
        ({"relation": "cousin"}, "relation"),
        ({"symptoms": ["sneezing"]}, "symptoms"),
        ({"travel_0_from": None, "travel_0_to": None}, "travel_0_from"),
        ({"travel_0_place": ""}, "travel_0_place"),
        ({"travel_0_from": "2019-12-01", "travel_0_to": "2019-12-02"}, "travel_0_to"),
        ({"travel_0_from": "not a date"}, "travel_0_from"),
    ],
)
def test_bad_input_is_shown_on_its_field_and_nothing_is_written(client, world, newcomer, overrides, field):
    as_user(client, newcomer)
    response = client.post(reverse("people:declare"), declaration_data(world.households[1], **overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert not Declaration.objects.exists()
    assert 'class="errorlist' in response.content.decode()


def test_service_errors_are_translated_on_the_field(client, world, newcomer):
    as_user(client, newcomer)
    response = client.post(reverse("people:declare"), declaration_data(world.households[1], id_number="4403041990"))
    assert "18位" in response.context["form"].errors["id_number"][0]
    response = client.post(reverse("people:declare"), declaration_data(
        world.households[1], travel_0_from="2019-12-01", travel_0_to="2019-12-02"))
    assert "14" in response.context["form"].errors["travel_0_to"][0]


def test_a_second_declaration_while_ones_own_waits_is_refused(client, world, newcomer):
    pending(world, by=newcomer)
    as_user(client, newcomer)
    response = client.post(reverse("people:declare"), declaration_data(world.households[1]))
    assert "id_number" in response.context["form"].errors
    assert Declaration.objects.count() == 1


def test_after_an_error_the_address_cascade_keeps_the_chosen_room(client, world, newcomer):
    as_user(client, newcomer)
    room = world.households[1]
    response = client.post(reverse("people:declare"), declaration_data(room, id_number="bad"))
    levels = response.context["address"]
    assert [lv["selected"] for lv in levels][-1] == room.code
    assert f'<option value="{room.code}" selected>' in response.content.decode()


def test_after_an_error_the_levels_chosen_before_the_room_stay_chosen(client, world, newcomer):
    as_user(client, newcomer)
    street = world.streets[0]
    data = declaration_data(world.households[1], household=None)
    data["parent"] = [street.code[:6], street.code, ""]
    response = client.post(reverse("people:declare"), data)
    assert "household" in response.context["form"].errors
    selected = [lv["selected"] for lv in response.context["address"]]
    assert selected == [street.code[:6], street.code, "", "", "", ""]
    assert [code for code, _ in response.context["address"][2]["options"]] == [world.communities[0].code]


def test_pages_need_a_login(client, world):
    for name in ("people:declare", "people:me", "people:queue", "people:register"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response.url, name


# ---- my page -----------------------------------------------------------------------------------------


def test_my_page_shows_my_live_pass_and_not_others(client, world):
    mine = services.issue_pass(world.people[0], world.compounds[0], by=None)
    theirs = services.issue_pass(world.people[1], world.compounds[0], by=None)
    html = as_user(client, world.users["resident"]).get(reverse("people:me")).content.decode()
    assert mine.number in html and "百花园" in html and "李*" in html
    assert theirs.number not in html
    services.revoke_pass(mine.pk, by=None)
    assert mine.number not in client.get(reverse("people:me")).content.decode()


def test_a_rejected_declaration_shows_its_reason(client, world, newcomer):
    d = pending(world, by=newcomer)
    services.reject(d.pk, "身份证号与姓名不符", by=world.users["community_worker"])
    html = as_user(client, newcomer).get(reverse("people:me")).content.decode()
    assert 'data-status="rejected"' in html and "身份证号与姓名不符" in html


def test_a_volunteer_without_a_person_gets_a_note(client, world):
    html = as_user(client, world.users["volunteer"]).get(reverse("people:me")).content.decode()
    assert "志愿者账号" in html


# ---- the queue ---------------------------------------------------------------------------------------


def test_the_queue_lists_only_the_workers_area(client, world):
    here = pending(world, 1)
    there = pending(world, 3, name="陈静", id_number=make_id_number("440306", "19880808", 52))
    html = as_user(client, world.users["community_worker"]).get(reverse("people:queue")).content.decode()
    assert f'data-declaration="{here.pk}"' in html and f'data-declaration="{there.pk}"' not in html
    assert "张*" in html and "4403**********" in html and "百花园 1栋 102" in html
    assert "发热" in html  # the fever badge
    html = as_user(client, world.users["community_worker@1"]).get(reverse("people:queue")).content.decode()
    assert f'data-declaration="{there.pk}"' in html and f'data-declaration="{here.pk}"' not in html
    html = as_user(client, world.users["city_admin"]).get(reverse("people:queue")).content.decode()
    assert f'data-declaration="{there.pk}"' in html and f'data-declaration="{here.pk}"' in html


def test_the_queue_says_how_each_declaration_stands_against_the_roster(client, world):
    roster = world.people[1]  # 王芳, in household 102
    same = services.submit_declaration(services.DeclarationInput(
        name="王芳", id_number=make_id_number("440304", "19710101", 2), phone="", household_code=world.households[1].code,
    ), by=None)
    assert Person.objects.filter(id_hmac=same.id_hmac).get() == roster
    other_name = services.submit_declaration(services.DeclarationInput(
        name="王小芳", id_number=make_id_number("440304", "19700101", 1), phone="",
        household_code=world.households[0].code,
    ), by=None)
    new = pending(world, 1)
    html = as_user(client, world.users["community_worker"]).get(reverse("people:queue")).content.decode()
    row = lambda d: html.split(f'data-declaration="{d.pk}"')[1].split("</tr>")[0]  # noqa: E731
    assert 'data-match="match"' in row(same)
    assert 'data-match="conflict"' in row(other_name)
    assert 'data-match="new"' in row(new)


def test_the_queue_filters_by_status(client, world):
    d = pending(world)
    services.reject(d.pk, "重复申报", by=world.users["community_worker"])
    as_user(client, world.users["community_worker"])
    assert f'data-declaration="{d.pk}"' not in client.get(reverse("people:queue")).content.decode()
    html = client.get(reverse("people:queue") + "?status=rejected").content.decode()
    assert f'data-declaration="{d.pk}"' in html and "重复申报" in html
    assert client.get(reverse("people:queue") + "?status=nonsense").status_code == 200


def test_the_queue_runs_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    for i in range(12):
        pending(world, i % 2, name=f"测试{i}", id_number=make_id_number("440304", "19800101", 100 + i))
    as_user(client, world.users["community_worker"])
    with django_assert_max_num_queries(12):
        assert client.get(reverse("people:queue")).status_code == 200


def test_approval_issues_the_pass_that_appears_on_my_page(client, world, newcomer):
    d = pending(world, by=newcomer)
    as_user(client, world.users["community_worker"])
    response = client.post(reverse("people:approve", args=[d.pk]))
    assert response.status_code == 302
    issued = Pass.objects.get(person__declarations=d)
    assert issued.compound == world.compounds[0] and issued.person.verified
    assert AuditEntry.objects.filter(action="approve", person=issued.person).exists()
    newcomer.refresh_from_db()
    html = as_user(client, newcomer).get(reverse("people:me")).content.decode()
    assert issued.number in html and 'data-status="approved"' in html


def test_approving_twice_says_it_is_done(client, world):
    d = pending(world)
    as_user(client, world.users["community_worker"])
    client.post(reverse("people:approve", args=[d.pk]))
    response = client.post(reverse("people:approve", args=[d.pk]), follow=True)
    assert "已审核" in response.content.decode()
    assert Pass.objects.count() == 1


def test_approval_is_a_post(client, world):
    d = pending(world)
    response = as_user(client, world.users["community_worker"]).get(reverse("people:approve", args=[d.pk]))
    assert response.status_code == 405
    assert Declaration.objects.get().status == DeclarationStatus.PENDING


def test_rejecting_needs_a_reason(client, world):
    d = pending(world)
    as_user(client, world.users["community_worker"])
    response = client.post(reverse("people:reject", args=[d.pk]), {"reason": "  "})
    assert response.status_code == 400 and "reason" in response.context["reject_form"].errors
    assert Declaration.objects.get().status == DeclarationStatus.PENDING
    response = client.post(reverse("people:reject", args=[d.pk]), {"reason": "不住本小区"})
    assert response.status_code == 302
    d.refresh_from_db()
    assert (d.status, d.reason) == (DeclarationStatus.REJECTED, "不住本小区")


def test_opening_a_declaration_is_audited_against_its_roster_person(client, world):
    roster = world.people[1]
    d = services.submit_declaration(services.DeclarationInput(
        name="王芳", id_number=make_id_number("440304", "19710101", 2), phone="", household_code=world.households[1].code,
    ), by=None)
    worker = world.users["community_worker"]
    response = as_user(client, worker).get(reverse("people:declaration", args=[d.pk]))
    assert response.status_code == 200 and "王芳" in response.content.decode()
    entry = AuditEntry.objects.get(action="view")
    assert (entry.actor, entry.person, entry.what) == (worker, roster, f"declaration {d.pk}")


@pytest.mark.parametrize("role", ["resident", "volunteer", "gate_guard", "health_official"])
def test_only_workers_use_the_worker_pages(client, world, role):
    d = pending(world)
    as_user(client, world.users[role])
    for url in (reverse("people:queue"), reverse("people:register"), reverse("people:declaration", args=[d.pk]),
                reverse("people:person", args=[world.people[0].pk])):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("people:approve", args=[d.pk])).status_code == 403
    assert not Pass.objects.exists()


def test_a_worker_of_another_community_gets_404(client, world):
    d = pending(world)
    p = world.people[0]
    issued = services.issue_pass(p, world.compounds[0], by=None)
    as_user(client, world.users["community_worker@1"])
    assert client.get(reverse("people:declaration", args=[d.pk])).status_code == 404
    assert client.post(reverse("people:approve", args=[d.pk])).status_code == 404
    assert client.post(reverse("people:reject", args=[d.pk]), {"reason": "x"}).status_code == 404
    assert client.get(reverse("people:person", args=[p.pk])).status_code == 404
    assert client.get(reverse("people:pass", args=[issued.pk])).status_code == 404
    assert client.post(reverse("people:revoke", args=[issued.pk])).status_code == 404
    d.refresh_from_db()
    issued.refresh_from_db()
    assert d.status == DeclarationStatus.PENDING and issued.revoked_at is None
    assert not AuditEntry.objects.exists()


# ---- register on behalf ------------------------------------------------------------------------------


def test_a_worker_registers_someone_without_a_phone_and_gets_a_printable_pass(client, world):
    worker = world.users["community_worker"]
    as_user(client, worker)
    page = client.get(reverse("people:register"))
    html = page.content.decode()
    assert "园东社区" in html
    # the cascade starts at the worker's community
    assert [lv["label"] for lv in page.context["address"]] == ["小区", "楼栋", "房号"]
    assert "百花园" in html and "海滨花园" not in html
    data = declaration_data(world.households[0], name="李奶奶", phone=None, relation="family", symptoms=[],
                            travel_0_place="", travel_0_from="", travel_0_to="",
                            id_number=make_id_number("440304", "19400101", 53))
    response = client.post(reverse("people:register"), data)
    assert response.status_code == 302
    issued = Pass.objects.get()
    assert response.url == reverse("people:pass", args=[issued.pk])
    assert (issued.person.name, issued.person.verified, issued.person.phone) == ("李奶奶", True, "")
    assert issued.person.memberships.get().household == world.households[0]
    html = client.get(response.url).content.decode()
    assert issued.number in html and "window.print()" in html and "李*奶" in html
    assert AuditEntry.objects.filter(action="register", actor=worker, person=issued.person).exists()


def test_registering_outside_the_workers_area_is_refused(client, world):
    as_user(client, world.users["community_worker"])
    data = declaration_data(world.households[2], phone=None, id_number=make_id_number("440304", "19400101", 54))
    response = client.post(reverse("people:register"), data)
    assert response.status_code == 200 and "household" in response.context["form"].errors
    assert not Declaration.objects.exists() and not Pass.objects.exists()


# ---- a person ----------------------------------------------------------------------------------------


def test_the_person_page_is_audited_on_every_view(client, world):
    p = world.people[0]
    issued = services.issue_pass(p, world.compounds[0], by=None)
    worker = world.users["community_worker"]
    as_user(client, worker)
    for _ in range(2):
        html = client.get(reverse("people:person", args=[p.pk])).content.decode()
        assert p.id_masked in html and issued.number in html and "百花园 1栋 101" in html
    assert AuditEntry.objects.filter(actor=worker, person=p, action="view").count() == 2
    assert p.phone in html  # a community worker sees the whole number


def test_workers_above_the_community_see_the_phone_masked(client, world):
    p = world.people[0]
    html = as_user(client, world.users["street_worker"]).get(reverse("people:person", args=[p.pk])).content.decode()
    assert p.phone not in html and p.phone[:3] + "****" + p.phone[-4:] in html


def test_a_worker_revokes_a_pass(client, world):
    p = world.people[0]
    issued = services.issue_pass(p, world.compounds[0], by=None)
    as_user(client, world.users["community_worker"])
    response = client.post(reverse("people:revoke", args=[issued.pk]))
    assert response.url == reverse("people:person", args=[p.pk])
    issued.refresh_from_db()
    assert issued.revoked_at is not None
    assert AuditEntry.objects.filter(action="revoke", person=p).exists()

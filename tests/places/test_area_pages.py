"""Area pages: drill down from the city to a household with counts at each level, inside one's own area only."""

import re

import pytest

from wuyi.accounts.models import AuditEntry
from wuyi.people.models import Membership, Person, Relation
from wuyi.places.models import Area, Building, CompoundKind, Household, Level

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def get(client, user, url, **extra):
    client.force_login(user)
    return client.get(url, **extra)


def counts_of(page: str, code: str) -> dict[str, str]:
    """The count cells of the table row of `code`."""
    row = re.search(rf'<tr data-code="{code}">(.*?)</tr>', page, re.DOTALL).group(1)
    return dict(re.findall(r'data-count="(\w+)">([^<]*)<', row))


def summary_of(page: str) -> dict[str, str]:
    block = re.search(r'<div class="stats compact" id="summary">(.*?)</div>\s*$', page, re.DOTALL | re.MULTILINE).group(1)
    return dict(re.findall(r'data-count="(\w+)"><b>([^<]*)</b>', block))


def add_compounds(community: Area, n: int, kind=CompoundKind.URBAN_VILLAGE) -> None:
    """`n` more compounds under `community`, each with a building, a household and a resident."""
    for i in range(n):
        k = Area.objects.create(
            code=f"{community.code}{100 + i}", name=f"村{i}", level=Level.COMPOUND, parent=community, kind=kind
        )
        b = Building.objects.create(code=k.code + "001", compound=k, name="1栋")
        h = Household.objects.create(code=b.code + "0101", building=b, room="101")
        Membership.objects.create(person=Person.objects.create(name=f"人{i}"), household=h, relation=Relation.OWNER)


# ---- counts ----------------------------------------------------------------------------------------------


def test_the_city_page_counts_each_district(client, world):
    add_compounds(world.communities[1], 2)
    page = get(client, world.users["city_admin"], "/places/").content.decode()
    futian, baoan = world.districts
    assert counts_of(page, futian.code) == {
        "communities": "1", "compounds": "1", "garden_estates": "1", "urban_villages": "0", "other_compounds": "0",
        "buildings": "1", "households": "2", "residents": "2",
    }
    assert counts_of(page, baoan.code)["urban_villages"] == "2"
    assert counts_of(page, baoan.code)["residents"] == "4"
    assert summary_of(page)["compounds"] == "4" and summary_of(page)["residents"] == "6"


def test_each_level_links_down_with_its_counts(client, world):
    admin = world.users["city_admin"]
    district, street, community, compound = (
        world.districts[0], world.streets[0], world.communities[0], world.compounds[0]
    )
    page = get(client, admin, f"/places/a/{district.code}/").content.decode()
    assert f'href="/places/a/{street.code}/"' in page and counts_of(page, street.code)["communities"] == "1"
    page = client.get(f"/places/a/{street.code}/").content.decode()
    assert f'href="/places/a/{community.code}/"' in page and counts_of(page, community.code)["garden_estates"] == "1"
    assert "communities" not in counts_of(page, community.code)
    page = client.get(f"/places/a/{community.code}/", **EN).content.decode()
    assert f'href="/places/c/{compound.code}/"' in page and "Garden estate" in page
    assert counts_of(page, compound.code) == {"buildings": "1", "households": "2", "residents": "2"}
    building = compound.buildings.get()
    page = client.get(f"/places/c/{compound.code}/").content.decode()
    assert counts_of(page, building.code) == {"households": "2", "residents": "2"}
    assert world.gates[0].name in page
    page = client.get(f"/places/b/{building.code}/").content.decode()
    assert counts_of(page, world.households[0].code) == {"residents": "1"}
    assert f'href="/places/h/{world.households[0].code}/"' in page


def test_breadcrumbs_run_from_the_city_and_link_only_where_the_user_may_go(client, world):
    building = world.compounds[0].buildings.get()
    page = get(client, world.users["community_worker"], f"/places/b/{building.code}/").content.decode()
    crumbs = re.search(r'<nav class="crumbs"[^>]*>(.*?)</nav>', page, re.DOTALL).group(1)
    names = re.findall(r">([^<>›]+)</(?:a|span)>", crumbs)
    assert names == ["深圳市", "福田区", "园岭街道", "园东社区", "百花园"]
    assert 'href="/places/"' not in crumbs and f'href="/places/a/{world.streets[0].code}/"' not in crumbs
    assert f'href="/places/a/{world.communities[0].code}/"' in crumbs


def test_numbers_have_thousands_separators_in_chinese_too(client, world):
    building = world.compounds[0].buildings.get()
    Household.objects.bulk_create(
        [Household(code=f"{building.code}{r:04d}", building=building, room=str(r)) for r in range(1000, 2000)]
    )
    page = get(client, world.users["city_admin"], "/places/").content.decode()
    assert counts_of(page, world.districts[0].code)["households"] == "1,002"
    assert summary_of(page)["households"] == "1,004"


def test_moved_out_people_are_not_counted_or_listed(client, world):
    import datetime as dt

    Membership.objects.filter(person=world.people[0]).update(moved_out=dt.date(2020, 3, 1))
    page = get(client, world.users["community_worker"], f"/places/c/{world.compounds[0].code}/").content.decode()
    assert summary_of(page)["residents"] == "1"
    page = client.get(f"/places/h/{world.households[0].code}/").content.decode()
    assert world.people[0].masked_name not in page


# ---- who may see what ---------------------------------------------------------------------------------------


def other_side_urls(world) -> list[str]:
    building = world.compounds[1].buildings.get()
    return [
        f"/places/a/{world.districts[1].code}/", f"/places/a/{world.streets[1].code}/",
        f"/places/a/{world.communities[1].code}/", f"/places/c/{world.compounds[1].code}/",
        f"/places/b/{building.code}/", f"/places/h/{world.households[2].code}/",
    ]


@pytest.mark.parametrize(
    "role", ["district_worker", "street_worker", "community_worker", "gate_guard", "health_official"]
)
def test_nodes_outside_ones_area_are_not_found(client, world, role):
    client.force_login(world.users[role])
    for url in other_side_urls(world):
        assert client.get(url).status_code == 404, url
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("role", ["district_worker", "street_worker", "community_worker", "health_official"])
def test_nodes_above_ones_area_are_not_found(client, world, role):
    user = world.users[role]
    client.force_login(user)
    for parent in user.area.ancestors()[1:]:
        assert client.get(f"/places/a/{parent.code}/").status_code == 404


def test_unknown_codes_are_not_found(client, world):
    client.force_login(world.users["city_admin"])
    for url in ["/places/a/440399/", "/places/c/440304001001999/", "/places/b/x/", "/places/h/4403/"]:
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize(
    "role, expected",
    [
        ("district_worker", "/places/a/440304/"),
        ("street_worker", "/places/a/440304001/"),
        ("community_worker", "/places/a/440304001001/"),
        ("health_official", "/places/a/440304/"),
        ("gate_guard", "/places/c/440304001001001/"),
    ],
)
def test_the_city_page_sends_others_to_their_own_area(client, world, role, expected):
    response = get(client, world.users[role], "/places/")
    assert response.status_code == 302 and response.url == expected
    assert client.get(expected).status_code == 200


def test_a_gate_guard_sees_their_compound_and_below(client, world):
    client.force_login(world.users["gate_guard"])
    building = world.compounds[0].buildings.get()
    assert client.get(f"/places/b/{building.code}/").status_code == 200
    assert client.get(f"/places/h/{world.households[0].code}/").status_code == 200
    assert client.get(f"/places/a/{world.communities[0].code}/").status_code == 404


@pytest.mark.parametrize("role", ["resident", "volunteer"])
def test_residents_and_volunteers_are_forbidden(client, world, role):
    client.force_login(world.users[role])
    for url in ["/places/", f"/places/a/{world.districts[0].code}/", f"/places/h/{world.households[0].code}/"]:
        assert client.get(url).status_code == 403


def test_the_pages_need_a_login(client, world):
    assert client.get("/places/").url.startswith("/accounts/login/?next=/places/")


def test_the_city_code_and_compound_codes_go_to_their_own_pages(client, world):
    client.force_login(world.users["city_admin"])
    assert client.get("/places/a/440300/").url == "/places/"
    assert client.get(f"/places/a/{world.compounds[0].code}/").url == f"/places/c/{world.compounds[0].code}/"


# ---- the household: personal data, audited ----------------------------------------------------------------------


def test_the_household_page_shows_masked_members_and_audits_the_view(client, world):
    worker = world.users["community_worker"]
    household, person = world.households[0], world.people[0]
    page = get(client, worker, f"/places/h/{household.code}/", **EN).content.decode()
    assert person.masked_name in page and person.id_masked in page and "Owner" in page
    assert person.name not in page
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.person, entry.action, entry.what) == (worker, person, "view", f"household {household.code}")
    assert entry.actor_label.startswith("community0")


def test_an_empty_household_writes_no_audit_entry(client, world):
    building = world.compounds[0].buildings.get()
    empty = Household.objects.create(code=building.code + "0999", building=building, room="999")
    assert get(client, world.users["community_worker"], f"/places/h/{empty.code}/").status_code == 200
    assert not AuditEntry.objects.exists()


# ---- fast at city scale: a fixed number of queries, whatever the number of rows ------------------------------------


@pytest.mark.parametrize("url", ["/places/", "/places/a/440306/", "/places/a/440306001/", "/places/a/440306001001/",
                                 "/places/c/440306001001001/", "/places/b/440306001001001001/",
                                 "/places/h/440306001001001001{room}/"])
def test_pages_use_a_fixed_number_of_queries(client, world, django_assert_max_num_queries, url):
    add_compounds(world.communities[1], 12)
    building = world.compounds[1].buildings.get()
    Household.objects.bulk_create(
        [Household(code=f"{building.code}{r:04d}", building=building, room=str(r)) for r in range(200, 230)]
    )
    for i, h in enumerate(Household.objects.filter(building=building)[:3]):
        Membership.objects.create(person=Person.objects.create(name=f"客{i}"), household=h, relation=Relation.TENANT)
    client.force_login(world.users["city_admin"])
    # a compound's page adds its status: three reads (cases, contacts, fevers) whatever their number
    with django_assert_max_num_queries(15 if "/c/" in url else 12):
        response = client.get(url.format(room=world.households[2].code[-4:]))
    assert response.status_code == 200

"""A leader reads figures, never a person's record: the pages that list people refuse them."""

import pytest

from tests.world import PASSWORD

PEOPLE_PAGES = [
    "/people/queue/", "/people/roster/", "/health/", "/health/missed/", "/care/", "/workforce/workers/",
    "/venues/", "/accounts/audit/", "/volunteers/community/",
]


@pytest.mark.parametrize("url", PEOPLE_PAGES)
def test_a_leader_is_refused_the_pages_that_list_people(client, world, url):
    assert client.login(username=world.users["leader"].username, password=PASSWORD)
    response = client.get(url)
    assert response.status_code in (302, 403, 404), (url, response.status_code)
    if response.status_code == 302:
        assert "/accounts/login/" in response["Location"] or "/dashboard/" in response["Location"], url


def test_a_leader_lands_on_the_dashboard_of_their_district(client, world):
    assert client.login(username=world.users["leader"].username, password=PASSWORD)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0].endswith("/dashboard/")
    assert world.districts[0].name in response.content.decode()
    assert client.get(f"/dashboard/{world.districts[1].code}/").status_code == 403

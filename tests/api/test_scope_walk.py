"""Every route of the API, as every role of both districts and as no one: each answers only within its scope.

The routes come from the OpenAPI schema of `wuyi.api.api`, so a route added anywhere is walked too (or
fails the walk by name when the walk does not know its parameters). Each call runs in a savepoint that
is rolled back, so every call sees the same world whatever the calls before it changed.
"""

import pytest
from django.db import transaction
from django.test import Client
from ninja import NinjaAPI, Router
from ninja.testing import TestClient

from tests.api import walk as w
from wuyi.api import api
from wuyi.people.models import Person

USER_KEYS = [
    "city_admin",
    *(
        f"{role}{suffix}"
        for suffix in ("", "@1")
        for role in (
            "district_worker",
            "street_worker",
            "community_worker",
            "gate_guard",
            "health_official",
            "resident",
            "volunteer",
            "leader",
        )
    ),
]


def django_call(scene):
    clients = {None: Client()}
    for key in USER_KEYS:
        clients[key] = Client()
        clients[key].force_login(scene.user(key))

    def call(key: str | None, request: w.Request) -> tuple[int, str, bytes]:
        client = clients[key]
        method = request.op.method.lower()
        body = request.body
        with transaction.atomic():
            if body is not None and body.files is not None:
                from django.core.files.uploadedfile import SimpleUploadedFile

                data = {name: SimpleUploadedFile(fn, content) for name, (fn, content) in body.files.items()}
                url = request.url + (
                    "?" + "&".join(f"{k}={v}" for k, v in request.query.items()) if request.query else ""
                )
                response = client.post(url, data)
            elif body is not None:
                response = getattr(client, method)(
                    request.url,
                    body.json,
                    content_type="application/json",
                    QUERY_STRING="&".join(f"{k}={v}" for k, v in request.query.items()),
                )
            else:
                response = getattr(client, method)(request.url, request.query)
            transaction.set_rollback(True)
        return response.status_code, response.get("Content-Type", ""), response.content

    return call


def test_user_keys_are_every_user_of_the_world(scene):
    assert sorted(USER_KEYS) == sorted(scene.world.users)
    assert {w.role_of(k) for k in USER_KEYS} == {
        r for r, _ in scene.user("city_admin")._meta.get_field("role").choices
    }


def test_only_the_known_public_routes_need_no_login():
    public = {(op.method, op.path) for op in w.operations(api.get_openapi_schema()) if op.public}
    assert public == w.PUBLIC


def test_every_route_answers_every_role_within_its_scope(scene):
    ops = w.operations(api.get_openapi_schema())
    result = w.walk(scene, ops, [None, *USER_KEYS], django_call(scene))
    assert not result.failures, f"{len(result.failures)} answers beyond scope:\n" + "\n".join(result.failures)
    every = {(op.method, op.path) for op in ops}
    assert result.visited == every, f"not walked: {sorted(every - result.visited)}"
    # Each route answered someone with a 2xx: the walk's values reached real data, not only errors.
    assert result.succeeded == every, f"no caller succeeded on: {sorted(every - result.succeeded)}"


# ---- the walk itself catches what it is for ----------------------------------------------------------------


def leaky_api() -> NinjaAPI:
    """An API with one route that forgot `scope`: it lists everyone."""
    router = Router()

    @router.get("/everyone")
    def everyone(request):
        return {"items": [{"name": p.name, "id": p.id_masked} for p in Person.objects.all()]}

    @router.get("/persons/{person_id}")
    def person(request, person_id: int):
        p = Person.objects.get(pk=person_id)
        return {"name": p.masked_name}

    def logged_in(request):
        return request.user if request.user.is_authenticated else None

    leaky = NinjaAPI(urls_namespace="leaky-walk", auth=[logged_in])
    leaky.add_router("/api/leaky/", router)
    return leaky


def test_the_walk_catches_a_route_without_scope(scene):
    leaky = leaky_api()
    client = TestClient(leaky)

    def call(key, request):
        params = {"user": scene.user(key)} if key else {}
        response = client.get(request.url, **params)
        return response.status_code, "application/json", response.content

    result = w.walk(scene, w.operations(leaky.get_openapi_schema(path_prefix="")), [None, *USER_KEYS], call)
    assert any(
        f.startswith("GET /api/leaky/everyone as district_worker: 200 shows '海大明'")
        for f in result.failures
    )
    assert any(f.startswith("GET /api/leaky/everyone as resident: 200 shows '王芳'") for f in result.failures)
    assert any(
        "/api/leaky/persons/" in f and "as community_worker@1: 200 for a value outside" in f
        for f in result.failures
    )
    assert not any("as city_admin" in f for f in result.failures)


def test_the_walk_refuses_a_route_it_cannot_fill(scene):
    op = w.Op("GET", "/api/people/things/{thing_id}", ("thing_id",), (), False, False)
    with pytest.raises(
        LookupError, match=r"GET /api/people/things/\{thing_id\}: no values for path parameter 'thing_id'"
    ):
        w.walk(scene, [op], ["city_admin"], lambda key, request: (200, "application/json", b"{}"))
    op = w.Op("GET", "/api/people/things", (), (("household", False),), False, False)
    with pytest.raises(LookupError, match="query parameter 'household' is neither walked nor neutral"):
        w.walk(scene, [op], ["city_admin"], lambda key, request: (200, "application/json", b"{}"))


def test_may_see_reads_like_the_scoping_policy(scene):
    people0 = scene.people[0][0].pk
    assert w.may_see(scene, "city_admin", w.Owner(1))
    assert w.may_see(scene, "street_worker@1", w.Owner(1, "street"))
    assert not w.may_see(scene, "street_worker@1", w.Owner(1, "district"))
    assert not w.may_see(scene, "gate_guard", w.Owner(0, "community"))
    assert w.may_see(scene, "resident", w.Owner(0, person=people0))
    assert not w.may_see(scene, "resident", w.Owner(0, person=scene.people[0][1].pk))
    assert not w.may_see(scene, "volunteer", w.Owner(0, whole_side=True))
    assert not w.may_see(scene, "city_admin", w.Owner(user="resident"))
    assert not w.may_see(scene, None, w.Owner(0))

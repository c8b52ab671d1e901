"""The scope walk: every operation of an OpenAPI schema, called by every role of the world with path and query
values from both districts, each answer checked against what that role may see.

The tables below say where each parameter's values come from and who owns each value. A parameter
missing from them fails the walk by name, so a new route cannot slip past unwalked.
"""

import io
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from openpyxl import load_workbook

from tests.api.conftest import Scene, declaration_body
from tests.world import make_id_number
from wuyi.people.identity import mask_phone

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Routes anyone may call without logging in. Any other route without security in the schema fails the walk.
PUBLIC = {
    ("GET", "/api/health"),
    ("GET", "/api/places/options"),
    ("GET", "/api/health/risk-lists"),
    ("GET", "/api/health/risk-lists/{date}"),
    ("GET", "/api/campaign/catalogues"),
    ("GET", "/api/campaign/demonstrations"),
}

# Routes whose answer holds no one's data: it must be the same for every caller it succeeds for (the roster
# template's example row may look like anyone's), and its text is not searched for other people's.
SAME_FOR_ALL = {("GET", "/api/people/roster/template")}

# Query parameters that select no one's data: the walk leaves them at their defaults.
NEUTRAL_QUERY = {"limit", "offset", "status", "live", "on", "kind", "active", "period", "reason", "day"}

# Depth in the tree of each area level, and the shallowest level each area role reaches (its own node).
LEVEL_RANK = {
    "city": -1,
    "district": 0,
    "street": 1,
    "community": 2,
    "compound": 3,
    "building": 4,
    "household": 5,
}
ROLE_REACH = {
    "district_worker": 0,
    "health_official": 0,
    "street_worker": 1,
    "community_worker": 2,
    "gate_guard": 3,
}


LEADER_REACH = 0  # the world's leaders hold a district


@dataclass(frozen=True)
class Owner:
    """Whose a value or a piece of text is: a side (district 0 or 1) at a level, a person, or one user."""

    side: int | None = None
    level: str = "household"
    person: int | None = None  # the person it belongs to: their resident account sees it
    user: str | None = None  # a user's own (a token): no one else sees it
    submitter: str | None = None  # the user who filed it (a declaration): they see it
    whole_side: bool = (
        False  # codes of the side: shown to every account of the side, e.g. in a resident's address
    )


def side_of(key: str) -> int:
    return 1 if key.endswith("@1") else 0


def role_of(key: str) -> str:
    return key.split("@")[0]


def may_see(scene: Scene, key: str | None, owner: Owner) -> bool:
    """Whether the user with this world key (None: anonymous) may be shown what `owner` owns."""
    if key is None:
        return False
    if owner.user is not None:
        return owner.user == key
    role = role_of(key)
    if role == "city_admin" or owner.submitter == key:
        return True
    if owner.whole_side:
        return role != "volunteer" and side_of(key) == owner.side
    if role in ROLE_REACH:
        return owner.side == side_of(key) and LEVEL_RANK[owner.level] >= ROLE_REACH[role]
    if role == "leader":  # the figures of their node and beneath it, never a person's or a household's record
        return (owner.side == side_of(key) and owner.person is None and owner.submitter is None
                and LEADER_REACH <= LEVEL_RANK[owner.level] <= LEVEL_RANK["compound"])
    return owner.person is not None and owner.person == scene.user(key).person_id


@dataclass(frozen=True)
class Value:
    value: object
    owner: Owner | None  # None: not anyone's (public or neutral)


@dataclass(frozen=True)
class Body:
    json: dict | None = None
    files: dict | None = None  # multipart: name → (filename, bytes)
    owner: Owner | None = None


def area_values(scene: Scene) -> list[Value]:
    w = scene.world
    return [
        Value(node.code, Owner(side, level))
        for side in (0, 1)
        for level, node in (
            ("district", w.districts[side]),
            ("street", w.streets[side]),
            ("community", w.communities[side]),
            ("compound", w.compounds[side]),
        )
    ]


def risk_list_dates() -> list[Value]:
    """A date with a published risk list (public: areas and levels, no one's data), and one before any list."""
    import datetime as dt

    from wuyi.health.zoning_service import publish

    published = publish(dt.date(2020, 3, 16), "cn-2020-02").date
    return [Value(published.isoformat(), None), Value("2020-01-01", None)]


def path_values(scene: Scene) -> dict[str, list[Value]]:
    w = scene.world
    sides = (0, 1)
    return {
        "code": area_values(scene),
        "compound_code": [Value(w.compounds[s].code, Owner(s, "compound")) for s in sides],
        "building_code": [Value(scene.buildings[s].code, Owner(s, "building")) for s in sides],
        "declaration_id": [Value(scene.pending[s].pk, Owner(s)) for s in sides],
        "person_id": [Value(p.pk, Owner(s, person=p.pk)) for s in sides for p in scene.people[s]],
        "pass_id": [Value(p.pk, Owner(s, person=p.person_id)) for s in sides for p in scene.passes[s]],
        "date": risk_list_dates(),
        "token_id": [
            Value(scene.tokens[k].pk, Owner(user=k))
            for k in ("city_admin", "community_worker", "community_worker@1", "resident", "resident@1")
        ],
        # a gate is its compound's: its guards and the workers above it
        "gate_code": [Value(w.gates[s].code, Owner(s, "compound")) for s in sides],
        # a small venue (and its application) is its community's; a key person is also the person's own
        "venue_id": [Value(venues_walk(scene, s)[0].pk, Owner(s, "community")) for s in sides],
        "application_id": [Value(venues_walk(scene, s)[1].pk, Owner(s, "community")) for s in sides],
        "key_person_id": [Value(kp.pk, Owner(s, person=kp.person_id)) for s in sides
                          for kp in [key_person_walk(scene, s)]],
    }


def query_values(scene: Scene) -> dict[str, list[Value]]:
    w = scene.world
    return {
        "area": area_values(scene),
        "person": [Value(p.pk, Owner(s, person=p.pk)) for s in (0, 1) for p in scene.people[s]],
        "parent": [Value(w.city.code, None)] + [Value(scene.buildings[s].code, None) for s in (0, 1)],
    }


def gate_events(gate_code: str) -> list[dict]:
    """Two decisions of a gate kit an hour ago (events hold pseudonyms, no one's name)."""
    import datetime as dt
    import uuid

    from django.utils import timezone

    moment = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    return [
        {"event_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"walk/{gate_code}/{n}")), "occurred_at": moment,
         "gate": gate_code, "direction": direction, "allowed": allowed, "reason": reason}
        for n, (direction, allowed, reason) in enumerate([("in", True, "admitted"), ("out", False, "red_code")])
    ]


def campaign_inspection() -> dict:
    """Every measure of the seeded catalogue passed (the path's compound says whose it is)."""
    from wuyi.campaign.models import Measure

    measures = Measure.objects.filter(catalogue__code="sz-2020-02").values_list("pk", flat=True)
    return {"catalogue_code": "sz-2020-02", "inspected_on": "2020-03-01",
            "results": [{"measure_id": pk, "result": "passed"} for pk in measures]}


def workforce_worker(scene: Scene, side: int) -> int:
    """A cadre deployed to the side's community (the world has none), for the shift body."""
    from wuyi.workforce.models import Worker

    community = scene.world.communities[side]
    return Worker.objects.get_or_create(name=f"走访干部{side}", kind="cadre", area=community)[0].pk


def local_today() -> str:
    from django.utils import timezone

    return timezone.localdate().isoformat()


def venues_walk(scene: Scene, side: int) -> tuple:
    """A closed venue of the side's community and an application of another one waiting for its inspection."""
    from wuyi.venues import services
    from wuyi.venues.models import ReopeningApplication, Venue

    w = scene.world
    worker = w.users["community_worker" + ("@1" if side else "")]
    found = list(Venue.objects.filter(community=w.communities[side], name__startswith="走访").order_by("pk"))
    if not found:
        found = [services.register_venue(services.VenueInput(
            w.communities[side].code, f"走访小店{n}", "grocery", 50, "走访路 1 号", "走访"), by=worker) for n in (0, 1)]
        services.apply(found[1].pk, services.ApplicationInput("走访", True), by=worker)
    return found[0], ReopeningApplication.objects.get(venue=found[1])


def key_person_walk(scene: Scene, side: int):
    """The side's first resident, a key person of their community since 2020-02-20."""
    import datetime as dt

    from wuyi.care import services
    from wuyi.care.models import KeyPerson

    person = scene.people[side][0]
    worker = scene.world.users["community_worker" + ("@1" if side else "")]
    return KeyPerson.objects.filter(person=person).first() or services.add_key_person(
        person.pk, "from_key_area", dt.date(2020, 2, 20), by=worker)


def resident_code(scene: Scene, side: int) -> str:
    """The signed code of the side's first resident, who holds a pass to the side's compound."""
    from wuyi.access.services import my_code

    return my_code(scene.people[side][0]).text


def bodies(scene: Scene) -> dict[tuple[str, str], list[Body]]:
    """Request bodies of the operations that take one, from both sides where a side means anything."""
    w = scene.world
    sides = (0, 1)
    roster_csv = "building_code,code,room\n{0},{0}0901,901\n"
    return {
        ("POST", "/api/people/declarations"): [
            Body(
                declaration_body(
                    w.households[2 * s].code,
                    "走访申报",
                    make_id_number(w.districts[s].code, "19950101", 90),
                    "13700000009",
                )
            )
            for s in sides
        ],
        ("POST", "/api/people/declarations/{declaration_id}/reject"): [Body({"reason": "walk"})],
        ("POST", "/api/people/register"): [
            Body(
                declaration_body(
                    w.households[2 * s].code,
                    "走访登记",
                    make_id_number(w.districts[s].code, "19450101", 91),
                    "",
                ),
                owner=Owner(s),
            )
            for s in sides
        ],
        ("POST", "/api/accounts/tokens"): [Body({"name": "walk"})],
        ("POST", "/api/health/cases"): [
            Body({"kind": "suspected", "reported_on": "2020-03-01", "household_code": w.households[2 * s].code,
                  "quarantine_household": False}, owner=Owner(s))
            for s in sides
        ],
        ("POST", "/api/health/people/{person_id}/test-results"): [
            Body({"sampled_at": "2020-03-01T09:00:00+08:00", "outcome": "negative"})
        ],
        # A batch names its gate in each event, not in the path: a guard's events for another gate are refused
        # one by one in a 200 (not_your_gate, tests/access/test_api_and_kit.py), so the body has no owner here.
        ("POST", "/api/access/events"): [Body({"events": gate_events(w.gates[s].code)}) for s in sides],
        ("POST", "/api/access/check"): [
            Body({"gate_code": w.gates[s].code, "code": resident_code(scene, s), "direction": "in",
                  "temperature": 36.5}, owner=Owner(s, "compound"))
            for s in sides
        ],
        ("POST", "/api/campaign/compounds/{compound_code}/inspections"): [Body(campaign_inspection())],
        ("POST", "/api/workforce/workers"): [
            Body({"name": "走访工作人员", "kind": "social_worker", "area_code": w.communities[s].code},
                 owner=Owner(s, "community"))
            for s in sides
        ],
        ("POST", "/api/workforce/shifts"): [
            Body({"worker_id": workforce_worker(scene, s), "on": "2020-03-01", "period": "morning",
                  "target_kind": "gate", "target_code": w.gates[s].code}, owner=Owner(s, "community"))
            for s in sides
        ],
        ("POST", "/api/venues/venues"): [
            Body({"community_code": w.communities[s].code, "name": "走访登记店", "trade": "grocery",
                  "floor_area_m2": "40", "address": "走访路 2 号", "operator_name": "走访"},
                 owner=Owner(s, "community"))
            for s in sides
        ],
        ("POST", "/api/venues/venues/{venue_id}/applications"): [
            Body({"pledge_signer": "走访", "pledge_signed": True})
        ],
        ("POST", "/api/venues/applications/{application_id}/inspection"): [
            Body({"outcome": "suspend", "inspected_on": local_today(), "note": "走访"})
        ],
        ("POST", "/api/care/key-persons/{key_person_id}/contacts"): [
            Body({"kind": "call", "at": "2020-03-01T10:00:00+08:00", "note": "走访"})
        ],
        ("POST", "/api/people/roster/import"): [
            Body(
                files={"file": ("roster.csv", roster_csv.format(scene.buildings[s].code).encode())},
                owner=Owner(s, "building"),
            )
            for s in sides
        ],
    }


@dataclass(frozen=True)
class Marker:
    """Text that may appear in an answer only to those who may see its owner."""

    text: str
    owner: Owner
    place: bool = False  # a code of the tree: public on the public routes (the address picker)


def markers(scene: Scene) -> list[Marker]:
    found = []
    resident = ("resident", "resident@1")
    for s in (0, 1):
        for p in scene.people[s]:
            owner = Owner(s, person=p.pk)
            found += [Marker(t, owner) for t in (p.name, p.masked_name, p.id_masked, p.phone) if t]
            if p.phone:
                found.append(Marker(mask_phone(p.phone), owner))
        for p in scene.passes[s]:
            found.append(Marker(p.number, Owner(s, person=p.person_id)))
        d = scene.pending[s]
        owner = Owner(s, submitter=resident[s])
        found += [
            Marker(t, owner) for t in (d.name, d.masked_name, d.id_masked, d.phone, mask_phone(d.phone))
        ]
        found.append(Marker(f"walk probe {s}", Owner(s, person=scene.people[s][0].pk)))
        found.append(Marker(scene.world.districts[s].code, Owner(s, whole_side=True), place=True))
    found += [Marker(t.name, Owner(user=k)) for k, t in scene.tokens.items()]
    return found


@dataclass(frozen=True)
class Op:
    method: str
    path: str
    path_params: tuple[str, ...]
    query: tuple[tuple[str, bool], ...]  # (name, required)
    has_body: bool
    public: bool


def operations(schema: dict) -> list[Op]:
    ops = []
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            params = op.get("parameters", [])
            ops.append(
                Op(
                    method=method.upper(),
                    path=path,
                    path_params=tuple(p["name"] for p in params if p["in"] == "path"),
                    query=tuple((p["name"], bool(p.get("required"))) for p in params if p["in"] == "query"),
                    has_body="requestBody" in op,
                    public=not op.get("security"),
                )
            )
    return ops


@dataclass(frozen=True)
class Request:
    op: Op
    url: str
    query: dict
    body: Body | None
    owners: tuple[Owner, ...]  # of the values in the path and query
    body_owner: Owner | None

    def sent(self) -> str:
        """Everything the caller sent: what comes back of it is no leak."""
        files = (self.body.files or {}) if self.body else {}
        return " ".join(
            [
                self.url,
                json.dumps(self.query, ensure_ascii=False),
                json.dumps(self.body.json if self.body else None, ensure_ascii=False),
                *(content.decode() for _name, content in files.values()),
            ]
        )

    def __str__(self) -> str:
        q = "&".join(f"{k}={v}" for k, v in self.query.items())
        return f"{self.op.method} {self.url}{'?' + q if q else ''}" + (" with a body" if self.body else "")


def requests_of(op: Op, scene: Scene, paths: dict, queries: dict, body_table: dict) -> list[Request]:
    """Every call the walk makes to one operation. An unknown parameter or body is an error naming it."""
    for name in op.path_params:
        if name not in paths:
            raise LookupError(
                f"{op.method} {op.path}: no values for path parameter {name!r}; add them to the walk"
            )
    for name, _required in op.query:
        if name not in queries and name not in NEUTRAL_QUERY:
            raise LookupError(
                f"{op.method} {op.path}: query parameter {name!r} is neither walked nor neutral"
            )
    if op.has_body and (op.method, op.path) not in body_table:
        raise LookupError(f"{op.method} {op.path}: no request body in the walk's table")
    required = [n for n, r in op.query if r and n in queries]
    optional = [n for n, r in op.query if not r and n in queries]
    # Each combination of the required values, alone and with each optional filter set to each of its values.
    query_choices: list[list[tuple[str, Value]]] = []
    for base in itertools.product(*[[(n, v) for v in queries[n]] for n in required]):
        query_choices.append(list(base))
        query_choices += [list(base) + [(n, v)] for n in optional for v in queries[n]]
    path_choices = itertools.product(*[[(n, v) for v in paths[n]] for n in op.path_params])
    body_choices = body_table.get((op.method, op.path), [None])
    out = []
    for path_choice, query_choice, body in itertools.product(list(path_choices), query_choices, body_choices):
        url = op.path
        for name, v in path_choice:
            url = url.replace("{" + name + "}", str(v.value))
        owners = tuple(v.owner for _, v in list(path_choice) + query_choice if v.owner is not None)
        out.append(
            Request(
                op, url, {n: v.value for n, v in query_choice}, body, owners, body.owner if body else None
            )
        )
    return out


def answer_text(content_type: str, content: bytes) -> str:
    """What a reader of the answer would see: JSON without escapes, a workbook's cells, or the text."""
    if content_type.startswith("application/json"):
        return json.dumps(json.loads(content), ensure_ascii=False) if content else ""
    if content_type.startswith(XLSX):
        book = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            str(c)
            for ws in book.worksheets
            for row in ws.iter_rows(values_only=True)
            for c in row
            if c is not None
        )
    return content.decode("utf-8", "replace")


# (user key or None, request) → (status, content type, content)
Call = Callable[[str | None, Request], tuple[int, str, bytes]]


@dataclass
class Walk:
    failures: list[str] = field(default_factory=list)
    visited: set[tuple[str, str]] = field(default_factory=set)
    succeeded: set[tuple[str, str]] = field(default_factory=set)
    same: dict[tuple[str, str], str] = field(default_factory=dict)  # the answer of each SAME_FOR_ALL route
    calls: int = 0


def walk(scene: Scene, ops: list[Op], keys: list[str | None], call: Call) -> Walk:
    """Call every operation as every user; collect each answer that goes beyond the caller's scope."""
    result = Walk()
    paths, queries, body_table, marks = path_values(scene), query_values(scene), bodies(scene), markers(scene)
    for op in ops:
        for request in requests_of(op, scene, paths, queries, body_table):
            for key in keys:
                who = key or "anonymous"
                status, content_type, content = call(key, request)
                result.calls += 1
                result.visited.add((op.method, op.path))
                fail = result.failures.append
                if status >= 500:
                    fail(f"{request} as {who}: {status}")
                    continue
                if 200 <= status < 300:
                    result.succeeded.add((op.method, op.path))
                if key is None and not op.public and status != 401:
                    fail(f"{request} as {who}: {status}, expected 401")
                hidden = [o for o in request.owners if not may_see(scene, key, o)]
                if key is not None and hidden and status not in (403, 404):
                    fail(
                        f"{request} as {who}: {status} for a value outside the caller's scope {hidden[0]}, "
                        "expected 403 or 404"
                    )
                if (
                    key is not None
                    and request.body_owner is not None
                    and not may_see(scene, key, request.body_owner)
                    and not (400 <= status < 500)
                ):
                    fail(
                        f"{request} as {who}: {status} for a body outside the caller's scope, expected a 4xx"
                    )
                text = answer_text(content_type, content)
                if (op.method, op.path) in SAME_FOR_ALL:
                    if 200 <= status < 300 and result.same.setdefault((op.method, op.path), text) != text:
                        fail(f"{request} as {who}: the answer differs from caller to caller")
                    continue
                sent = request.sent()
                for m in marks:
                    if (
                        m.text in text
                        and m.text not in sent
                        and not may_see(scene, key, m.owner)
                        and not (m.place and op.public)
                    ):
                        fail(f"{request} as {who}: {status} shows {m.text!r} of {m.owner}")
    return result

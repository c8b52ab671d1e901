"""The iCalendar feed, parsed back: CRLF lines of at most 75 octets, folding that never splits a character, TEXT
escaping, one VEVENT per live claim with a stable UID and UTC times, cancelled claims gone; the secret URL."""

import datetime as dt
import re

import pytest
from django.db.models import F
from django.urls import include, path, reverse
from django.utils import timezone

from tests.world import add_user, make_id_number
from wuyi.accounts.models import Role
from wuyi.people.models import Person
from wuyi.places.models import ServiceCentre
from wuyi.volunteers import ical, services
from wuyi.volunteers.models import Task, TaskStatus

# The route as volunteers/urls.py includes it (under the app's namespace there; here on its own).
urlpatterns = [path("volunteers/calendar/", include("wuyi.volunteers.ical_urls"))]

NOW = dt.datetime(2020, 3, 2, 0, 0, tzinfo=dt.UTC)


def enlist(community):
    person = Person(name="志愿者", verified=True)
    person.set_id_number(make_id_number("440304", "19900101", 100 + Person.objects.count()))
    person.save()
    add_user(f"v{person.pk}", Role.VOLUNTEER, person=person)
    return services.register_volunteer(person, community.code)


def publish(world, title, start, **place) -> Task:
    return services.publish(services.TaskInput(
        kind="delivery", title=title, community_code=world.communities[0].code, starts_at=start,
        ends_at=start + dt.timedelta(hours=2), capacity=3, description=place.pop("description", ""), **place),
        by=None, now=NOW)


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def parse(feed: str) -> tuple[list[bytes], list[dict[str, str]], dict[str, str]]:
    """The physical lines (bytes), the events (property → unescaped value) and the calendar's own properties."""
    raw = feed.encode()
    assert raw.endswith(b"\r\n")
    physical = raw[:-2].split(b"\r\n")
    unfolded: list[str] = []
    for line in physical:
        text = line.decode()  # each physical line is whole UTF-8: folding split no character
        if text.startswith(" "):
            unfolded[-1] += text[1:]
        else:
            unfolded.append(text)
    events, calendar, current = [], {}, None
    for line in unfolded:
        name, _, value = line.partition(":")
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            current[name] = unescape(value) if name in {"SUMMARY", "LOCATION", "DESCRIPTION"} else value
        else:
            calendar[name] = value
    return physical, events, calendar


@pytest.fixture
def schedule(world):
    volunteer = enlist(world.communities[0])
    centre = ServiceCentre.objects.create(code="SC1", area=world.communities[0], name="园东社区党群服务中心",
                                          address="园岭街道, 百花二路; 1号")
    tasks = {
        "gate": publish(world, "东门值守", NOW + dt.timedelta(days=1), gate_code=world.gates[0].code),
        "centre": publish(world, "物资分拣, 装袋; 登记 \\ 复核", NOW + dt.timedelta(days=2),
                          service_centre_code=centre.code, description="第一行\n第二行, 带逗号; 分号"),
        "long": publish(world, "为居家隔离的住户配送生活物资和药品" * 5, NOW + dt.timedelta(days=3),
                        compound_code=world.compounds[0].code, description="ABC" * 60),
        "cancelled": publish(world, "已取消的认领", NOW + dt.timedelta(days=4)),
        "dropped": publish(world, "任务已撤销", NOW + dt.timedelta(days=5)),
    }
    claims = {name: services.claim(task.pk, volunteer, now=NOW) for name, task in tasks.items()}
    services.cancel(claims["cancelled"].pk, volunteer, now=NOW)
    Task.objects.filter(pk=tasks["dropped"].pk).update(status=TaskStatus.CANCELLED)
    other = enlist(world.communities[0])
    services.claim(tasks["gate"].pk, other, now=NOW)  # someone else's claim is not in this feed
    return volunteer, tasks, claims


def test_lines_end_in_crlf_and_hold_at_most_75_octets(schedule):
    volunteer, *_ = schedule
    feed = ical.feed(volunteer, now=NOW)
    physical, _, calendar = parse(feed)
    assert "\n" not in feed.replace("\r\n", "") and "\r" not in feed.replace("\r\n", "")
    assert max(len(line) for line in physical) <= 75
    assert sum(line.startswith(b" ") for line in physical) > 3  # the long title and description were folded
    assert physical[0] == b"BEGIN:VCALENDAR" and physical[-1] == b"END:VCALENDAR"
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]


def test_one_event_per_live_claim_with_stable_uid_utc_times_place_and_escaping(schedule):
    volunteer, tasks, claims = schedule
    _, events, _ = parse(ical.feed(volunteer, now=NOW))
    assert [e["UID"] for e in events] == [f"claim-{claims[name].pk}@wuyi" for name in ("gate", "centre", "long")]
    gate, centre, long = events
    assert gate["DTSTART"] == "20200303T000000Z" and gate["DTEND"] == "20200303T020000Z"
    assert gate["SUMMARY"] == "东门值守" and gate["LOCATION"] == "百花园东门"
    assert centre["SUMMARY"] == "物资分拣, 装袋; 登记 \\ 复核"
    assert centre["LOCATION"] == "园东社区党群服务中心, 园岭街道, 百花二路; 1号"
    assert centre["DESCRIPTION"].endswith("第一行\n第二行, 带逗号; 分号")
    assert long["SUMMARY"] == tasks["long"].title and long["LOCATION"] == "百花园"
    assert long["DESCRIPTION"].endswith("ABC" * 60)
    assert all(re.fullmatch(r"\d{8}T\d{6}Z", e["DTSTAMP"]) for e in events)
    assert ical.feed(volunteer, now=NOW) == ical.feed(volunteer, now=NOW)  # stable between fetches


def test_escaping_in_the_text_itself():
    assert ical.escape("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"
    assert ical.fold("X" * 75) == "X" * 75
    assert [len(p.encode()) for p in ical.fold("Y" * 200).split("\r\n")] == [75, 75, 52]
    folded = ical.fold("SUMMARY:" + "疫" * 40).split("\r\n")
    assert all(len(p.encode()) <= 75 for p in folded) and "".join(p.lstrip(" ") for p in folded) == "SUMMARY:" + "疫" * 40


def test_a_claim_cancelled_later_leaves_the_feed(schedule):
    volunteer, _, claims = schedule
    services.cancel(claims["gate"].pk, volunteer, now=NOW)
    _, events, _ = parse(ical.feed(volunteer, now=NOW))
    assert f"claim-{claims['gate'].pk}@wuyi" not in {e["UID"] for e in events} and len(events) == 2


def test_done_claims_stay_for_a_month(schedule):
    volunteer, tasks, claims = schedule
    services.confirm(claims["gate"].pk, None, now=tasks["gate"].ends_at)
    assert len(parse(ical.feed(volunteer, now=tasks["gate"].ends_at))[1]) == 3
    month_later = tasks["gate"].ends_at + dt.timedelta(days=30)
    assert [e["UID"] for e in parse(ical.feed(volunteer, now=month_later))[1]] == [
        f"claim-{claims[name].pk}@wuyi" for name in ("centre", "long")]  # the gate duty ended 30 days ago
    assert len(parse(ical.feed(volunteer, now=month_later + dt.timedelta(days=3)))[1]) == 0


def test_the_token_is_an_hmac_of_the_volunteer_and_nothing_else_passes(schedule, settings):
    volunteer, *_ = schedule
    token = ical.token_for(volunteer)
    assert ical.volunteer_id_of(token) == volunteer.pk
    head, mac = token.split("-")
    for forged in (f"{int(head) + 1}-{mac}", f"{head}-{mac[:-1]}0" if mac[-1] != "0" else f"{head}-{mac[:-1]}1",
                   head, "", "-", f"x-{mac}", f"{head}-"):
        assert ical.volunteer_id_of(forged) is None
    settings.SECRET_KEY = "rotated-" + settings.SECRET_KEY
    assert ical.volunteer_id_of(token) is None  # rotating SECRET_KEY revokes every feed


@pytest.mark.urls(__name__)
def test_the_feed_is_served_at_the_secret_url_only(schedule, client):
    volunteer, *_ = schedule
    ahead = dt.timedelta(days=(timezone.now() - NOW).days + 1)  # the view reads the real clock
    Task.objects.update(starts_at=F("starts_at") + ahead, ends_at=F("ends_at") + ahead)
    url = reverse("calendar", args=[ical.token_for(volunteer)])
    assert url.startswith("/volunteers/calendar/") and url.endswith(".ics")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"].startswith("private")
    assert len(parse(response.content.decode())[1]) == 3
    other = ical.token_for(volunteer).replace(f"{volunteer.pk}-", f"{volunteer.pk + 1}-")
    assert client.get(reverse("calendar", args=[other])).status_code == 404
    assert client.get(reverse("calendar", args=["nonsense"])).status_code == 404
    assert client.post(url).status_code == 405

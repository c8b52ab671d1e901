"""The volunteer platform's pages: who may use each, what each shows of whom, a task's contact only for its
claimants until it is done, refused claims as messages (never a 500), bad input as form errors (400), a wish
becoming a task, a daily series, teams, and the audit of personal data read on the workbench."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from tests.world import make_id_number
from wuyi.accounts.models import AuditEntry
from wuyi.errors import DomainError
from wuyi.people.models import Person
from wuyi.volunteers import services, teams
from wuyi.volunteers.forms import MESSAGES, message_for
from wuyi.volunteers.models import (
    Claim,
    ClaimStatus,
    MemberStatus,
    Notification,
    Task,
    TaskStatus,
    TeamMember,
    Volunteer,
    Wish,
    WishStatus,
)

CONTACT_PHONE = "13700001111"
WISH_PHONE = "13911112222"


@pytest.fixture
def vw(world):
    """The world with volunteers: 王芳 (side 0) and her namesake's counterpart on side 1, each signed up at home;
    the side-0 resident 李建国 is not a volunteer."""
    for side, key in ((0, "volunteer"), (1, "volunteer@1")):
        user = world.users[key]
        user.person = world.people[2 * side + 1]
        user.save()
        services.register_volunteer(user.person, world.communities[side].code, skills=["driving"])
    return world


def as_user(client, world, key):
    client.force_login(world.users[key])
    return client


def said(response) -> list[str]:
    """The message this request added (earlier ones wait in the cookie until a page shows them)."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1:]


def a_task(world, side=0, *, starts_in=dt.timedelta(days=1), hours=4, capacity=2, title="东门值守", **extra):
    start = timezone.now() + starts_in
    return services.publish(services.TaskInput(
        kind=extra.pop("kind", "gate_duty"), title=title, community_code=world.communities[side].code,
        starts_at=start, ends_at=start + dt.timedelta(hours=hours), capacity=capacity,
        contact_name="陈主任", contact_phone=CONTACT_PHONE, **extra), by=world.users[
        "community_worker" if side == 0 else "community_worker@1"], now=min(timezone.now(), start))


def volunteer(world, key="volunteer") -> Volunteer:
    return Volunteer.objects.get(person=world.users[key].person)


# ---- who may use which page ------------------------------------------------------------------------------


VOLUNTEER_PAGES = ["/volunteers/", "/volunteers/me/", "/volunteers/team/"]


def test_anonymous_users_are_sent_to_log_in(client, vw):
    t = a_task(vw)
    for url in [*VOLUNTEER_PAGES, "/volunteers/me/profile/", f"/volunteers/tasks/{t.pk}/",
                f"/volunteers/checkin/{t.checkin_token}/", "/volunteers/wishes/", "/volunteers/wishes/new/",
                "/volunteers/community/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    assert client.post(f"/volunteers/tasks/{t.pk}/claim/").status_code == 302
    assert not Claim.objects.exists()


def test_without_a_volunteer_profile_a_resident_is_sent_to_sign_up_and_a_worker_to_the_workbench(client, vw):
    t = a_task(vw)
    as_user(client, vw, "resident")
    for url in [*VOLUNTEER_PAGES, f"/volunteers/tasks/{t.pk}/", f"/volunteers/checkin/{t.checkin_token}/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/volunteers/me/profile/?next="), url
    assert client.post(f"/volunteers/tasks/{t.pk}/claim/").status_code == 302
    as_user(client, vw, "community_worker")
    assert client.get("/volunteers/")["Location"] == "/volunteers/community/"
    assert not Claim.objects.exists()


@pytest.mark.parametrize("key", ["resident", "volunteer", "gate_guard", "health_official"])
def test_the_workbench_is_for_worker_roles_only(client, vw, key):
    wish = services.submit_wish(vw.people[0], "买药", timezone.now() + dt.timedelta(hours=6), WISH_PHONE)
    as_user(client, vw, key)
    assert client.get("/volunteers/community/").status_code == 403
    assert client.post(f"/volunteers/community/wishes/{wish.pk}/approve/").status_code == 403
    assert client.post("/volunteers/community/publish/", {"community": vw.communities[0].code}).status_code == 403
    wish.refresh_from_db()
    assert wish.status == WishStatus.PENDING and not Task.objects.exists()


# ---- sign-up ---------------------------------------------------------------------------------------------


def test_a_verified_resident_signs_up_with_skills_languages_and_a_weekly_grid(client, vw):
    as_user(client, vw, "resident")
    page = client.get("/volunteers/me/profile/?next=/volunteers/me/")
    assert page.status_code == 200
    assert page.context["form"]["community"].value() == vw.communities[0].code  # home community first
    response = client.post("/volunteers/me/profile/", {
        "community": vw.communities[0].code, "skills": ["driving", "medical"], "languages": ["zh", "yue"],
        "availability": ["0-morning", "0-afternoon", "5-evening"], "party_member": "on",
        "next": "/volunteers/me/"})
    assert response.status_code == 302 and response["Location"] == "/volunteers/me/"
    v = Volunteer.objects.get(person=vw.people[0])
    assert (v.community, v.skills, v.languages, v.party_member) == (vw.communities[0], ["driving", "medical"],
                                                                    ["zh", "yue"], True)
    assert v.availability == {"0": [[8, 18]], "5": [[18, 22]]}  # morning and afternoon joined
    again = client.get("/volunteers/me/profile/")
    assert sorted(again.context["form"]["availability"].value()) == ["0-afternoon", "0-morning", "5-evening"]


def test_an_unverified_or_unknown_person_cannot_sign_up(client, vw):
    as_user(client, vw, "volunteer")
    person = vw.users["volunteer"].person
    Volunteer.objects.filter(person=person).delete()
    Person.objects.filter(pk=person.pk).update(verified=False)
    assert client.get("/volunteers/me/profile/").status_code == 403
    assert client.post("/volunteers/me/profile/", {"community": vw.communities[0].code,
                                                   "languages": ["zh"]}).status_code == 403
    as_user(client, vw, "city_admin")
    assert client.get("/volunteers/me/profile/").status_code == 403
    assert not Volunteer.objects.filter(person=person).exists()


@pytest.mark.parametrize("data, field", [
    ({"community": "", "languages": ["zh"]}, "community"),
    ({"community": "440304001999", "languages": ["zh"]}, "community"),
    ({"languages": []}, "languages"),
    ({"skills": ["juggling"]}, "skills"),
    ({"availability": ["9-morning"]}, "availability"),
])
def test_bad_sign_up_input_is_a_form_error_on_its_field(client, vw, data, field):
    as_user(client, vw, "resident")
    response = client.post("/volunteers/me/profile/", {"community": vw.communities[0].code, "languages": ["zh"],
                                                       **data})
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not Volunteer.objects.filter(person=vw.people[0]).exists()


# ---- browsing and claiming -------------------------------------------------------------------------------


def test_browse_shows_open_tasks_from_now_on_with_slots_left_and_no_contact(client, vw):
    shown = a_task(vw, capacity=3)
    a_task(vw, title="昨日值守", starts_in=-dt.timedelta(days=1))  # over
    closed = a_task(vw, title="已关闭")
    Task.objects.filter(pk=closed.pk).update(status=TaskStatus.CLOSED)
    full = a_task(vw, title="已满", capacity=1)
    services.claim(full.pk, volunteer(vw, "volunteer@1"))
    services.claim(shown.pk, volunteer(vw, "volunteer@1"))
    other_side = a_task(vw, side=1, title="海滨配送", kind="delivery")
    as_user(client, vw, "volunteer")
    page = client.get("/volunteers/")
    html = page.content.decode()
    listed = [t.pk for t in page.context["page"]]
    assert listed == [shown.pk, other_side.pk]  # the whole city, by start
    assert 'data-slots-left="2"' in html
    assert CONTACT_PHONE not in html and "陈主任" not in html


def test_browse_filters_by_kind_area_date_and_skills(client, vw):
    gate = a_task(vw)
    medic = a_task(vw, title="上门测温", kind="temperature", skills=["medical"], starts_in=dt.timedelta(days=2))
    far = a_task(vw, side=1, title="海滨配送", kind="delivery", skills=["driving"])
    as_user(client, vw, "volunteer")

    def listed(**query):
        response = client.get("/volunteers/", query)
        assert response.status_code == 200, response.context["form"].errors
        return [t.pk for t in response.context["page"]]

    assert listed(kind="delivery") == [far.pk]
    assert listed(area=vw.streets[0].code) == [gate.pk, medic.pk]
    assert listed(area=vw.communities[1].code) == [far.pk]
    day = timezone.localtime(medic.starts_at).date()
    assert listed(date=day.isoformat()) == [medic.pk]
    assert listed(skills=["medical"]) == [medic.pk]
    assert listed(skills=["medical", "driving"]) == [far.pk, medic.pk]


def test_a_bad_filter_is_shown_on_its_field_and_the_rest_still_applies(client, vw):
    a_task(vw)
    far = a_task(vw, side=1, kind="delivery")
    as_user(client, vw, "volunteer")
    response = client.get("/volunteers/", {"kind": "delivery", "date": "not a date"})
    assert response.status_code == 400 and response.context["form"].errors["date"]
    assert [t.pk for t in response.context["page"]] == [far.pk]


def test_claiming_shows_the_contact_and_refusals_are_messages(client, vw):
    t = a_task(vw, capacity=1)
    spare = a_task(vw, capacity=2)
    as_user(client, vw, "volunteer")
    response = client.post(f"/volunteers/tasks/{t.pk}/claim/", {"next": "/volunteers/?kind=gate_duty"})
    assert response.status_code == 302 and response["Location"] == f"/volunteers/tasks/{t.pk}/"
    assert Claim.objects.filter(task=t, volunteer=volunteer(vw)).count() == 1
    page = client.get(f"/volunteers/tasks/{t.pk}/").content.decode()
    assert 'id="contact"' in page and CONTACT_PHONE in page and "陈主任" in page

    client.post(f"/volunteers/tasks/{spare.pk}/claim/")
    again = client.post(f"/volunteers/tasks/{spare.pk}/claim/", {"next": "/volunteers/?kind=gate_duty"})
    assert again.status_code == 302 and again["Location"] == "/volunteers/?kind=gate_duty"
    assert said(again) == [str(MESSAGES["already_claimed"])]

    as_user(client, vw, "volunteer@1")
    full = client.post(f"/volunteers/tasks/{t.pk}/claim/")
    assert full.status_code == 302 and said(full) == [str(MESSAGES["full"])]
    other = a_task(vw)
    Task.objects.filter(pk=other.pk).update(status=TaskStatus.CLOSED)
    assert said(client.post(f"/volunteers/tasks/{other.pk}/claim/")) == [str(MESSAGES["closed"])]
    missing = client.post("/volunteers/tasks/999999/claim/")
    assert missing.status_code == 302 and said(missing) == [str(MESSAGES["not_found"])]
    evil = client.post(f"/volunteers/tasks/{t.pk}/claim/", {"next": "https://evil.example/"})
    assert evil["Location"] == "/volunteers/"  # never off-site
    t.refresh_from_db()
    assert t.taken == 1


def test_the_contact_is_for_claimants_only_and_only_until_done(client, vw):
    t = a_task(vw, starts_in=-dt.timedelta(hours=1))
    url = f"/volunteers/tasks/{t.pk}/"
    as_user(client, vw, "volunteer@1")
    page = client.get(url).content.decode()
    assert CONTACT_PHONE not in page and 'id="contact-hidden"' in page
    as_user(client, vw, "community_worker")  # the publisher knows it; the page does not spread it
    assert CONTACT_PHONE not in client.get(url).content.decode()

    c = services.claim(t.pk, volunteer(vw))
    as_user(client, vw, "volunteer")
    assert CONTACT_PHONE in client.get(url).content.decode()
    assert CONTACT_PHONE in client.get("/volunteers/me/").content.decode()
    services.confirm(c.pk, vw.users["community_worker"])
    assert CONTACT_PHONE not in client.get(url).content.decode()
    assert CONTACT_PHONE not in client.get("/volunteers/me/").content.decode()

    later = a_task(vw)
    mine = services.claim(later.pk, volunteer(vw))
    services.cancel(mine.pk, volunteer(vw))
    assert CONTACT_PHONE not in client.get(f"/volunteers/tasks/{later.pk}/").content.decode()


# ---- the publisher's side of a task ------------------------------------------------------------------------


def test_the_publisher_sees_claims_the_qr_and_confirms_and_others_cannot(client, vw):
    t = a_task(vw, starts_in=-dt.timedelta(hours=1), hours=3)
    c = services.claim(t.pk, volunteer(vw))
    services.check_in(t.checkin_token, volunteer(vw))
    url = f"/volunteers/tasks/{t.pk}/"
    for key in ("community_worker@1", "street_worker@1", "district_worker@1"):
        as_user(client, vw, key)
        assert client.get(url).status_code == 404, key
        assert client.post(f"/volunteers/claims/{c.pk}/confirm/").status_code == 404, key
    as_user(client, vw, "volunteer@1")  # a volunteer sees the task, not the claims
    page = client.get(url)
    assert page.status_code == 200 and 'id="claims"' not in page.content.decode()
    assert client.post(f"/volunteers/claims/{c.pk}/confirm/").status_code == 404

    as_user(client, vw, "street_worker")
    page = client.get(url)
    html = page.content.decode()
    assert 'id="checkin-qr"' in html and "<svg" in html
    assert f"/volunteers/checkin/{t.checkin_token}/" in html
    assert f'data-claim="{c.pk}"' in html and "138****0001" in html  # a street worker sees the phone masked
    assert AuditEntry.objects.filter(actor=vw.users["street_worker"], person=vw.people[1],
                                     what=f"volunteers of task {t.pk}").exists()
    as_user(client, vw, "community_worker")
    assert vw.people[1].phone in client.get(url).content.decode()
    response = client.post(f"/volunteers/claims/{c.pk}/confirm/", {"present": "yes"})
    assert response.status_code == 302 and response["Location"] == url
    c.refresh_from_db()
    assert c.status == ClaimStatus.DONE and c.hours > 0 and c.participations == 1
    again = client.post(f"/volunteers/claims/{c.pk}/confirm/", {"present": "yes"})
    assert said(again) == [str(MESSAGES["not_active"])]
    thanks = client.post(f"/volunteers/claims/{c.pk}/thank/", {"text": "辛苦了"})
    assert thanks.status_code == 302
    as_user(client, vw, "volunteer")
    assert "辛苦了" in client.get("/volunteers/me/").content.decode()


def test_no_show_and_confirming_before_the_start(client, vw):
    t = a_task(vw)
    c = services.claim(t.pk, volunteer(vw))
    as_user(client, vw, "community_worker")
    early = client.post(f"/volunteers/claims/{c.pk}/confirm/", {"present": "no"})
    assert said(early) == [str(MESSAGES["not_started"])]
    Task.objects.filter(pk=t.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1))
    client.post(f"/volunteers/claims/{c.pk}/confirm/", {"present": "no"})
    c.refresh_from_db()
    assert (c.status, c.hours, c.participations) == (ClaimStatus.NO_SHOW, 0, 0)


# ---- check-in ------------------------------------------------------------------------------------------


def test_check_in_and_out_by_the_tasks_url(client, vw):
    t = a_task(vw, starts_in=dt.timedelta(hours=3))
    url = f"/volunteers/checkin/{t.checkin_token}/"
    as_user(client, vw, "volunteer")
    assert 'data-state="no_claim"' in client.get(url).content.decode()
    assert said(client.post(url, {"action": "in"})) == [str(MESSAGES["no_claim"])]
    services.claim(t.pk, volunteer(vw))
    assert 'data-state="claimed"' in client.get(url).content.decode()
    assert said(client.post(url, {"action": "in"})) == [str(MESSAGES["not_now"])]
    assert said(client.post(url, {"action": "out"})) == [str(MESSAGES["not_checked_in"])]
    Task.objects.filter(pk=t.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=5))
    assert client.post(url, {"action": "in"}).status_code == 302
    assert 'data-state="checked_in"' in client.get(url).content.decode()
    client.post(url, {"action": "out"})
    assert 'data-state="checked_out"' in client.get(url).content.decode()
    c = Claim.objects.get()
    assert c.checked_in_at and c.checked_out_at >= c.checked_in_at
    assert client.get("/volunteers/checkin/not-a-token/").status_code == 404


# ---- my shifts -----------------------------------------------------------------------------------------


def test_my_shifts_cancel_until_the_deadline_then_call_the_publisher(client, vw):
    soon = a_task(vw, starts_in=dt.timedelta(hours=1), title="马上开始")  # cancellable until 2 h before
    later = a_task(vw, title="明天")
    late_claim = services.claim(soon.pk, volunteer(vw))
    early_claim = services.claim(later.pk, volunteer(vw))
    as_user(client, vw, "volunteer")
    page = client.get("/volunteers/me/")
    html = page.content.decode()
    assert [c.pk for c in page.context["upcoming"]] == [late_claim.pk, early_claim.pk]
    assert html.count('class="muted too-late"') == 1
    refused = client.post(f"/volunteers/claims/{late_claim.pk}/cancel/")
    assert refused.status_code == 302 and CONTACT_PHONE in said(refused)[0]
    late_claim.refresh_from_db()
    assert late_claim.status == ClaimStatus.ACTIVE
    client.post(f"/volunteers/claims/{early_claim.pk}/cancel/")
    early_claim.refresh_from_db()
    later.refresh_from_db()
    assert early_claim.status == ClaimStatus.CANCELLED and later.taken == 0
    as_user(client, vw, "volunteer@1")  # nobody cancels another's claim
    assert client.post(f"/volunteers/claims/{late_claim.pk}/cancel/").status_code == 404


def test_a_late_cancel_attempt_tells_the_publisher(client, vw):
    soon = a_task(vw, starts_in=dt.timedelta(hours=1))
    c = services.claim(soon.pk, volunteer(vw))
    as_user(client, vw, "volunteer")
    client.post(f"/volunteers/claims/{c.pk}/cancel/")
    assert Notification.objects.filter(user=vw.users["community_worker"], kind="late_cancel").exists()


def test_my_shifts_show_the_ledger_and_notifications_marked_read(client, vw):
    t = a_task(vw, starts_in=-dt.timedelta(hours=1), hours=2)
    c = services.claim(t.pk, volunteer(vw))
    services.confirm(c.pk, None)  # no check-in: the task's window
    as_user(client, vw, "volunteer")
    page = client.get("/volunteers/me/")
    html = page.content.decode()
    assert page.context["ledger"] == {"hours": Decimal("2.00"), "participations": 1, "tasks": 1}
    assert 'data-hours="2.00"' in html and 'data-participations="1"' in html
    assert page.context["unread"] >= 1 and "/volunteers/calendar/" in html
    note = Notification.objects.filter(user=vw.users["volunteer"], channel="in_app").first()
    client.post("/volunteers/me/notifications/read/", {"id": note.pk})
    note.refresh_from_db()
    assert note.read_at is not None
    client.post("/volunteers/me/notifications/read/")
    assert not Notification.objects.filter(user=vw.users["volunteer"], channel="in_app",
                                            read_at__isnull=True).exists()


# ---- wishes --------------------------------------------------------------------------------------------


def needed_by(hours=6) -> str:
    return timezone.localtime(timezone.now() + dt.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


def test_a_resident_posts_a_wish_and_follows_it(client, vw):
    as_user(client, vw, "resident")
    assert client.get("/volunteers/wishes/new/").status_code == 200
    response = client.post("/volunteers/wishes/new/", {"text": "帮忙买降压药", "kind": "delivery",
                                                       "needed_by": needed_by(), "contact_phone": WISH_PHONE})
    assert response.status_code == 302 and response["Location"] == "/volunteers/wishes/"
    wish = Wish.objects.get()
    assert (wish.person, wish.community, wish.household) == (vw.people[0], vw.communities[0], vw.households[0])
    page = client.get("/volunteers/wishes/").content.decode()
    assert "帮忙买降压药" in page and 'data-status="pending"' in page


@pytest.mark.parametrize("data, field", [
    ({"contact_phone": "12345"}, "contact_phone"),
    ({"needed_by": "2020-02-01T10:00"}, "needed_by"),
    ({"text": ""}, "text"),
    ({"kind": "juggling"}, "kind"),
])
def test_bad_wish_input_is_a_form_error_on_its_field(client, vw, data, field):
    as_user(client, vw, "resident")
    response = client.post("/volunteers/wishes/new/", {"text": "买菜", "kind": "delivery", "needed_by": needed_by(),
                                                       "contact_phone": WISH_PHONE, **data})
    assert response.status_code == 400 and response.context["form"].errors[field]
    assert not Wish.objects.exists()


def test_only_a_resident_with_a_household_posts_wishes(client, vw):
    for key in ("city_admin", "gate_guard"):
        as_user(client, vw, key)
        assert client.get("/volunteers/wishes/").status_code == 403
        assert client.post("/volunteers/wishes/new/", {"text": "x"}).status_code == 403
    assert not Wish.objects.exists()


# ---- the workbench -----------------------------------------------------------------------------------


def wish_of(world, side=0, text="帮忙买降压药"):
    return services.submit_wish(world.people[2 * side], text, timezone.now() + dt.timedelta(hours=6),
                                WISH_PHONE if side == 0 else "13911113333")


def test_a_community_worker_reviews_the_wishes_of_their_community_audited(client, vw):
    mine, theirs = wish_of(vw), wish_of(vw, side=1, text="代取快递")
    as_user(client, vw, "community_worker")
    page = client.get("/volunteers/community/")
    html = page.content.decode()
    assert page.status_code == 200 and page.context["community"] == vw.communities[0]
    assert "帮忙买降压药" in html and WISH_PHONE in html and "代取快递" not in html
    assert AuditEntry.objects.filter(actor=vw.users["community_worker"], person=vw.people[0]).exists()
    assert not AuditEntry.objects.filter(person=vw.people[2]).exists()
    assert client.post(f"/volunteers/community/wishes/{theirs.pk}/approve/").status_code == 404

    response = client.post(f"/volunteers/community/wishes/{mine.pk}/approve/")
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == WishStatus.APPROVED and mine.task.capacity == 1
    assert mine.task.contact_phone == WISH_PHONE and mine.task.community == vw.communities[0]
    assert said(client.post(f"/volunteers/community/wishes/{mine.pk}/approve/")) == [
        str(MESSAGES["already_reviewed"])]
    as_user(client, vw, "volunteer")  # the wish is a task volunteers find, its phone hidden until claimed
    listing = client.get("/volunteers/").content.decode()
    assert f'data-task="{mine.task.pk}"' in listing and WISH_PHONE not in listing


def test_rejecting_a_wish_needs_a_reason(client, vw):
    wish = wish_of(vw)
    as_user(client, vw, "community_worker")
    response = client.post(f"/volunteers/community/wishes/{wish.pk}/reject/", {f"w{wish.pk}-reason": " "})
    assert response.status_code == 400
    assert str(MESSAGES["reason_required"]) in response.content.decode()
    client.post(f"/volunteers/community/wishes/{wish.pk}/reject/", {f"w{wish.pk}-reason": "已由家属代购"})
    wish.refresh_from_db()
    assert (wish.status, wish.reason, wish.task) == (WishStatus.REJECTED, "已由家属代购", None)
    as_user(client, vw, "resident")
    assert "已由家属代购" in client.get("/volunteers/wishes/").content.decode()


def test_a_street_worker_chooses_a_community_beneath_them(client, vw):
    wish_of(vw)
    as_user(client, vw, "street_worker")
    page = client.get("/volunteers/community/")
    assert page.status_code == 200 and page.context["community"] is None
    assert [row["community"] for row in page.context["overview"]] == [vw.communities[0]]
    assert vw.communities[1].code not in page.content.decode()
    assert client.get("/volunteers/community/", {"community": vw.communities[1].code}).status_code == 404
    chosen = client.get("/volunteers/community/", {"community": vw.communities[0].code})
    assert chosen.status_code == 200 and len(chosen.context["pending"]) == 1
    as_user(client, vw, "city_admin")
    rows = client.get("/volunteers/community/").context["overview"]
    assert [row["wishes"] for row in rows] == [1]


def publish_data(world, side=0, **overrides):
    start = timezone.localtime(timezone.now() + dt.timedelta(days=1)).replace(hour=8, minute=0, second=0,
                                                                               microsecond=0)
    data = {"community": world.communities[side].code, "kind": "gate_duty", "title": "东门值守",
            "place": f"gate:{world.gates[side].code}", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + dt.timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"), "days": "1", "capacity": "2",
            "skills": [], "contact_name": "陈主任", "contact_phone": CONTACT_PHONE, "cancel_hours": "2"}
    data.update(overrides)
    return data


def test_publishing_a_task_and_a_fourteen_day_series(client, vw):
    as_user(client, vw, "community_worker")
    response = client.post("/volunteers/community/publish/", publish_data(vw))
    t = Task.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/volunteers/tasks/{t.pk}/"
    assert (t.gate, t.capacity, t.published_by) == (vw.gates[0], 2, vw.users["community_worker"])
    assert timezone.localtime(t.starts_at).hour == 8

    series = client.post("/volunteers/community/publish/", publish_data(vw, days="14", title="东门早班"))
    assert series.status_code == 302
    made = list(Task.objects.filter(title="东门早班").order_by("starts_at"))
    assert len(made) == 14 and len({x.series for x in made}) == 1
    assert [timezone.localtime(x.starts_at).hour for x in made] == [8] * 14
    assert (timezone.localtime(made[-1].starts_at).date() - timezone.localtime(made[0].starts_at).date()).days == 13
    fill = client.get("/volunteers/community/").context["fill"]
    assert len(fill) == 14 and fill[1]["tasks"] == 2 and fill[1]["capacity"] == 4 and fill[0]["tasks"] == 0


@pytest.mark.parametrize("overrides, field", [
    ({"ends_at": "2020-01-01T00:00"}, "ends_at"),
    ({"capacity": "0"}, "capacity"),
    ({"title": ""}, "title"),
    ({"days": "61"}, "days"),
    ({"place": "gate:440306001001001G1"}, "place"),  # the other district's gate
])
def test_bad_task_input_is_a_form_error_on_its_field(client, vw, overrides, field):
    as_user(client, vw, "community_worker")
    response = client.post("/volunteers/community/publish/", publish_data(vw, **overrides))
    assert response.status_code == 400 and response.context["task_form"].errors[field]
    assert not Task.objects.exists()


def test_a_task_longer_than_a_day_is_refused_by_the_service_on_its_field(client, vw):
    as_user(client, vw, "community_worker")
    start = timezone.localtime(timezone.now() + dt.timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    response = client.post("/volunteers/community/publish/", publish_data(
        vw, starts_at=start.strftime("%Y-%m-%dT%H:%M"),
        ends_at=(start + dt.timedelta(hours=30)).strftime("%Y-%m-%dT%H:%M")))
    assert response.status_code == 400
    assert response.context["task_form"].errors["ends_at"] == [message_for(DomainError("task_too_long", ""))]


def test_nobody_publishes_for_a_community_outside_their_area(client, vw):
    as_user(client, vw, "street_worker")
    assert client.post("/volunteers/community/publish/", publish_data(vw, side=1)).status_code == 404
    as_user(client, vw, "community_worker")  # their own community, whatever the form says
    client.post("/volunteers/community/publish/", publish_data(vw, community=vw.communities[1].code,
                                                               place=""))
    assert list(Task.objects.values_list("community", flat=True)) == [vw.communities[0].pk]


def test_the_workbench_lists_tasks_needing_people_and_to_confirm(client, vw):
    needing = a_task(vw, capacity=2)
    started = a_task(vw, starts_in=-dt.timedelta(hours=1), capacity=1, title="进行中")
    services.claim(started.pk, volunteer(vw))
    a_task(vw, side=1, title="海滨")
    as_user(client, vw, "community_worker")
    page = client.get("/volunteers/community/")
    assert [t.pk for t in page.context["needing"]] == [needing.pk]
    assert [t.pk for t in page.context["to_confirm"]] == [started.pk]


# ---- teams and matching ---------------------------------------------------------------------------------


def test_a_team_is_created_invited_by_phone_or_id_joined_and_claims_slots(client, vw):
    neighbour = Person(name="赵强", phone="13600000009", verified=True)
    neighbour.set_id_number(make_id_number("440304", "19880808", 31))
    neighbour.save()
    services.register_volunteer(neighbour, vw.communities[1].code)
    as_user(client, vw, "volunteer")
    assert client.post("/volunteers/team/create/", {"name": ""}).status_code == 400
    client.post("/volunteers/team/create/", {"name": "园东突击队"})
    team = volunteer(vw).led_teams.get()
    bad = client.post(f"/volunteers/team/{team.pk}/invite/", {"who": "13000000000"})
    assert bad.status_code == 400 and bad.context["memberships"][0].invite_form.errors["who"]
    assert client.post(f"/volunteers/team/{team.pk}/invite/", {"who": vw.people[3].phone}).status_code == 302
    by_id = client.post(f"/volunteers/team/{team.pk}/invite/", {"who": make_id_number("440304", "19880808", 31)})
    assert by_id.status_code == 302
    assert set(TeamMember.objects.filter(team=team, status=MemberStatus.INVITED)
               .values_list("volunteer__person", flat=True)) == {vw.people[3].pk, neighbour.pk}

    as_user(client, vw, "volunteer@1")
    page = client.get("/volunteers/team/").content.decode()
    assert "园东突击队" in page and 'data-status="invited"' in page
    client.post(f"/volunteers/team/{team.pk}/accept/")
    assert TeamMember.objects.get(team=team, volunteer=volunteer(vw, "volunteer@1")).status == MemberStatus.ACTIVE
    refused = client.post(f"/volunteers/tasks/{a_task(vw).pk}/claim-team/", {"team": team.pk, "slots": 2})
    assert refused.status_code == 404  # only the leader claims for the team

    as_user(client, vw, "volunteer")
    t = a_task(vw, capacity=5)
    assert said(client.post(f"/volunteers/tasks/{t.pk}/claim-team/", {"team": team.pk, "slots": 3})) == [
        str(MESSAGES["too_many_slots"])]
    client.post(f"/volunteers/tasks/{t.pk}/claim-team/", {"team": team.pk, "slots": 2})
    claim = Claim.objects.get(task=t)
    assert (claim.team, claim.slots) == (team, 2)
    assert f"/volunteers/tasks/{t.pk}/" in client.get("/volunteers/team/").content.decode()
    left = client.post(f"/volunteers/team/{team.pk}/leave/")
    assert said(left) == [str(MESSAGES["leader_cannot_leave"])]


def test_joining_a_team_of_another_community_needs_an_invitation(client, vw):
    team = teams.create_team(volunteer(vw), "园东突击队")
    as_user(client, vw, "volunteer@1")
    assert said(client.post(f"/volunteers/team/{team.pk}/join/")) == [str(MESSAGES["other_community"])]
    assert not TeamMember.objects.filter(volunteer=volunteer(vw, "volunteer@1")).exists()


def test_recommended_tasks_for_the_volunteer_and_suggested_volunteers_for_the_publisher(client, vw):
    t = a_task(vw, skills=["driving"])
    as_user(client, vw, "volunteer")
    page = client.get("/volunteers/")
    recommended = page.context["recommended"]
    assert [m["task"].pk for m in recommended] == [t.pk]
    assert dict(recommended[0]["reasons"])["same_community"]
    assert 'id="recommended"' in page.content.decode()
    assert client.get("/volunteers/", {"kind": "delivery"}).context["recommended"] == []
    as_user(client, vw, "community_worker")
    suggested = client.get(f"/volunteers/tasks/{t.pk}/").context["suggested"]
    assert [m["volunteer"].pk for m in suggested] == [volunteer(vw).pk]


def test_an_approved_wish_is_published_under_a_generic_title_and_its_words_go_only_to_the_claimant(world):
    import datetime as dt

    from django.utils import timezone

    from wuyi.volunteers import services as vs

    resident = world.people[0]
    wish = vs.submit_wish(resident, "母亲糖尿病，胰岛素快用完了", timezone.now() + dt.timedelta(hours=6), "13911112222")
    approved = vs.review_wish(wish.pk, True, world.users["community_worker"])
    task = approved.task
    assert "胰岛素" not in task.title and "胰岛素" not in task.description

"""The outbox: rows made by the operations, reminders made once, delivery by email (Django's locmem backend in
tests), SMS and WeChat adapters, failures retried without blocking the rest, and `wuyi volunteers notify`."""

import datetime as dt
import logging
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from tests.world import add_user, make_id_number
from wuyi.accounts.models import Role
from wuyi.errors import DomainError
from wuyi.people.models import Person
from wuyi.volunteers import notify, services, teams
from wuyi.volunteers.models import Channel, Notification, Task, TaskStatus

NOW = dt.datetime(2020, 3, 2, 0, 0, tzinfo=dt.UTC)  # 08:00 in Beijing
SENT_SMS: list[tuple[str, str]] = []
SENT_WECHAT: list[tuple[str, str]] = []


def record_sms(phone, text):
    SENT_SMS.append((phone, text))


def record_wechat(openid, text):
    SENT_WECHAT.append((openid, text))


def broken_sms(phone, text):
    raise ConnectionError("the SMS gateway is down")


@pytest.fixture(autouse=True)
def adapters(settings):
    SENT_SMS.clear()
    SENT_WECHAT.clear()
    settings.WUYI_SMS_ADAPTER = f"{__name__}.record_sms"
    settings.WUYI_WECHAT_ADAPTER = f"{__name__}.record_wechat"


def enlist(community, name="志愿者", *, email="", phone=""):
    person = Person(name=name, phone=phone, verified=True)
    person.set_id_number(make_id_number("440304", "19900101", 100 + Person.objects.count()))
    person.save()
    user = add_user(f"v{person.pk}", Role.VOLUNTEER, person=person)
    user.email = email
    user.save(update_fields=["email"])
    return services.register_volunteer(person, community.code)


@pytest.fixture
def publisher(world):
    user = world.users["community_worker"]
    user.email = "worker@example.org"
    user.save(update_fields=["email"])
    return user


def publish(world, publisher, start, *, title="东门值守", now=NOW, cancel_hours=2) -> Task:
    return services.publish(services.TaskInput(
        kind="gate_duty", title=title, community_code=world.communities[0].code, starts_at=start,
        ends_at=start + dt.timedelta(hours=4), capacity=5, cancel_hours=cancel_hours), by=publisher, now=now)


def rows(user_or_volunteer, kind):
    person_id = getattr(user_or_volunteer, "person_id", None)
    found = Notification.objects.filter(kind=kind)
    if hasattr(user_or_volunteer, "community_id"):
        found = found.filter(user__person_id=person_id)
    else:
        found = found.filter(user=user_or_volunteer)
    return sorted(found.values_list("channel", flat=True))


def test_a_claim_makes_an_in_app_row_already_delivered_and_an_email_row(world, publisher):
    task = publish(world, publisher, NOW + dt.timedelta(days=1))
    with_email = enlist(world.communities[0], "甲", email="jia@example.org")
    without = enlist(world.communities[0], "乙")
    services.claim(task.pk, with_email, now=NOW)
    services.claim(task.pk, without, now=NOW)
    assert rows(with_email, "claimed") == [Channel.EMAIL, Channel.IN_APP]
    assert rows(without, "claimed") == [Channel.IN_APP]
    in_app = Notification.objects.filter(kind="claimed", channel=Channel.IN_APP)
    assert all(n.sent_at is not None and n.read_at is None for n in in_app)  # on the page, not yet read
    email = Notification.objects.get(kind="claimed", channel=Channel.EMAIL)
    assert email.subject == "已认领：东门值守" and email.body == "03-03 08:00–12:00" and email.sent_at is None


def test_the_window_shows_both_dates_across_midnight(world, publisher):
    task = publish(world, publisher, dt.datetime(2020, 3, 2, 14, 0, tzinfo=dt.UTC))  # 22:00 in Beijing
    assert notify._window(task) == "03-02 22:00–03-03 02:00"


def test_cancel_and_thanks_tell_the_publisher_and_the_volunteer(world, publisher):
    task = publish(world, publisher, NOW + dt.timedelta(days=1))
    volunteer = enlist(world.communities[0], email="jia@example.org")
    claim = services.claim(task.pk, volunteer, now=NOW)
    services.cancel(claim.pk, volunteer, now=NOW)
    assert rows(publisher, "cancelled") == [Channel.EMAIL, Channel.IN_APP]
    claim = services.claim(task.pk, volunteer, now=NOW)
    services.confirm(claim.pk, publisher, now=task.ends_at)
    services.thank(claim.pk, publisher, "谢谢你！")
    assert rows(volunteer, "thanks") == [Channel.EMAIL, Channel.IN_APP]


def test_a_late_cancel_attempt_tells_the_publisher(world, publisher):
    task = publish(world, publisher, NOW + dt.timedelta(hours=1), now=NOW - dt.timedelta(days=1))
    volunteer = enlist(world.communities[0])
    claim = services.claim(task.pk, volunteer, now=NOW - dt.timedelta(days=1))
    with pytest.raises(DomainError):
        services.cancel(claim.pk, volunteer, now=NOW)
    assert rows(publisher, "late_cancel") == [Channel.EMAIL, Channel.IN_APP]


def test_remind_once_per_claim_on_every_channel_only_for_tasks_due_soon(world, publisher):
    soon = publish(world, publisher, NOW + dt.timedelta(hours=3), title="马上开始")
    later = publish(world, publisher, NOW + dt.timedelta(hours=13), title="明天")
    dropped = publish(world, publisher, NOW + dt.timedelta(hours=2), title="取消了")
    reached = enlist(world.communities[0], "甲", email="jia@example.org", phone="13800138000")
    quiet = enlist(world.communities[0], "乙")
    for task in (soon, later, dropped):
        services.claim(task.pk, reached, now=NOW - dt.timedelta(days=1))
    services.claim(soon.pk, quiet, now=NOW - dt.timedelta(days=1))
    gone = services.claim(later.pk, quiet, now=NOW - dt.timedelta(days=1))
    services.cancel(gone.pk, quiet, now=NOW - dt.timedelta(days=1))
    Task.objects.filter(pk=dropped.pk).update(status=TaskStatus.CANCELLED)

    assert notify.remind(now=NOW) == 2
    assert rows(reached, "reminder") == [Channel.EMAIL, Channel.IN_APP, Channel.SMS]
    assert rows(quiet, "reminder") == [Channel.IN_APP]
    assert set(Notification.objects.filter(kind="reminder").values_list("task_id", flat=True)) == {soon.pk}
    sms = Notification.objects.get(kind="reminder", channel=Channel.SMS)
    assert sms.subject == "提醒：马上开始" and sms.body == "03-02 11:00–15:00 开始"

    assert notify.remind(now=NOW + dt.timedelta(minutes=5)) == 0  # once only
    assert notify.remind(now=NOW + dt.timedelta(hours=2)) == 1  # `later` is now due; `quiet` cancelled it
    assert Notification.objects.filter(kind="reminder", channel=Channel.IN_APP).count() == 3


def test_remind_reads_a_fixed_number_of_queries(world, publisher, django_assert_max_num_queries):
    task = publish(world, publisher, NOW + dt.timedelta(hours=3))
    crowd = [enlist(world.communities[0], email=f"v{i}@example.org", phone="13800138000") for i in range(5)]
    Task.objects.filter(pk=task.pk).update(capacity=10)
    for volunteer in crowd:
        services.claim(task.pk, volunteer, now=NOW)
    with django_assert_max_num_queries(6):  # claims (locked), users, reminders made, one insert; a savepoint
        assert notify.remind(now=NOW) == 5
    assert Notification.objects.filter(kind="reminder").count() == 15


def test_send_pending_delivers_email_sms_and_wechat_and_marks_them_sent(world, publisher):
    task = publish(world, publisher, NOW + dt.timedelta(hours=3))
    volunteer = enlist(world.communities[0], email="jia@example.org", phone="13800138000")
    services.claim(task.pk, volunteer, now=NOW)
    notify.remind(now=NOW)
    user = Notification.objects.filter(user__person_id=volunteer.person_id).first().user
    Notification.objects.create(user=user, channel=Channel.WECHAT, kind="news", subject="新任务", body="园东社区")
    mail.outbox.clear()

    assert notify.send_pending(now=NOW) == 4  # claimed + reminder emails, the reminder's SMS, the WeChat one

    assert sorted(m.subject for m in mail.outbox) == ["已认领：东门值守", "提醒：东门值守"]
    assert all(m.to == ["jia@example.org"] for m in mail.outbox)
    assert SENT_SMS == [("13800138000", "提醒：东门值守 03-02 11:00–15:00 开始")]
    assert SENT_WECHAT == [(user.username, "新任务 园东社区")]
    assert not Notification.objects.filter(sent_at__isnull=True).exists()
    assert set(Notification.objects.exclude(channel=Channel.IN_APP).values_list("sent_at", flat=True)) == {NOW}
    assert notify.send_pending(now=NOW) == 0 and len(mail.outbox) == 2  # nothing twice


def test_a_failed_delivery_is_given_back_and_does_not_stop_the_others(world, publisher, settings, caplog):
    settings.WUYI_SMS_ADAPTER = f"{__name__}.broken_sms"
    task = publish(world, publisher, NOW + dt.timedelta(hours=3))
    volunteer = enlist(world.communities[0], email="jia@example.org", phone="13800138000")
    services.claim(task.pk, volunteer, now=NOW)
    notify.remind(now=NOW)
    mail.outbox.clear()
    with caplog.at_level(logging.ERROR, logger="wuyi.volunteers.notify"):
        assert notify.send_pending(now=NOW) == 2
    assert len(mail.outbox) == 2
    assert list(Notification.objects.filter(sent_at__isnull=True).values_list("channel", flat=True)) == [Channel.SMS]
    assert "not delivered" in caplog.text

    settings.WUYI_SMS_ADAPTER = f"{__name__}.record_sms"
    assert notify.send_pending(now=NOW) == 1 and len(SENT_SMS) == 1  # the next run sends it


def test_a_row_with_nobody_to_send_to_is_not_retried(world, publisher):
    user = add_user("nobody", Role.VOLUNTEER)
    Notification.objects.create(user=user, channel=Channel.SMS, kind="news", subject="新任务")
    Notification.objects.create(user=user, channel=Channel.EMAIL, kind="news", subject="新任务")
    assert notify.send_pending(now=NOW) == 0
    assert not Notification.objects.filter(sent_at__isnull=True).exists()
    assert SENT_SMS == [] and mail.outbox == []


def test_the_default_adapters_only_log_with_the_number_masked(world, settings, caplog):
    settings.WUYI_SMS_ADAPTER = None
    settings.WUYI_WECHAT_ADAPTER = ""
    user = add_user("phone", Role.VOLUNTEER, person=world.people[1])
    Notification.objects.create(user=user, channel=Channel.SMS, kind="news", subject="新任务")
    Notification.objects.create(user=user, channel=Channel.WECHAT, kind="news", subject="新任务")
    with caplog.at_level(logging.INFO, logger="wuyi.volunteers.notify"):
        assert notify.send_pending(now=NOW) == 2
    assert "sms to 138****0001: 新任务" in caplog.text
    assert "wechat to phone: 新任务" in caplog.text
    assert world.people[1].phone not in caplog.text


def test_invitations_are_in_the_outbox(world):
    leader = enlist(world.communities[0], "队长", email="lead@example.org")
    guest = enlist(world.communities[1], "客人", email="guest@example.org")
    team = teams.create_team(leader, "突击队")
    teams.accept(teams.invite(team, guest, leader))
    mail.outbox.clear()
    assert notify.send_pending(now=NOW) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["guest@example.org", "lead@example.org"]
    assert next(m for m in mail.outbox if m.to == ["guest@example.org"]).subject == "邀请加入志愿服务队：突击队"


def test_the_notify_command_reminds_then_sends(world, publisher):
    now = timezone.now()
    task = publish(world, publisher, now + dt.timedelta(hours=2), now=now)
    services.claim(task.pk, enlist(world.communities[0], email="jia@example.org"), now=now)
    mail.outbox.clear()
    out = StringIO()
    call_command("volunteers", "notify", stdout=out)
    assert out.getvalue().strip() == "reminders made: 1, notifications sent: 2"
    assert len(mail.outbox) == 2
    out = StringIO()
    call_command("volunteers", "notify", stdout=out)
    assert out.getvalue().strip() == "reminders made: 0, notifications sent: 0"

"""The outbox: what the platform tells people, as Notification rows. ``send_pending`` delivers them: in-app
ones are read on the page (and count as sent when made); email goes through Django's mail; SMS and WeChat go
through adapters whose default only logs (set WUYI_SMS_ADAPTER / WUYI_WECHAT_ADAPTER to a dotted path of a
callable(phone_or_openid, text)).

Rows are written inside the transaction of the operation that causes them, so a rolled-back operation tells
nobody; delivery happens later, outside it (``wuyi volunteers notify``, from cron every few minutes).
Delivery is at most once: a row is taken by a conditional UPDATE of ``sent_at`` before it is sent, so two
overlapping runs never send it twice; a failed delivery gives it back for the next run.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from wuyi.people.identity import mask_phone
from wuyi.volunteers.models import Channel, Notification

log = logging.getLogger("wuyi.volunteers.notify")
REMINDER_BEFORE = dt.timedelta(hours=12)
SEND_BATCH = 1000
SMS_LENGTH = 140  # two 70-character segments of Chinese text


def _to_user(person_id: int | None):
    from wuyi.accounts.models import User

    return User.objects.select_related("person").filter(person_id=person_id).first() if person_id else None


def _rows(user, kind: str, subject: str, body: str = "", task=None, *, sms: bool = False,
          now: dt.datetime | None = None) -> list[Notification]:
    """The rows of one message: in-app (delivered by being on the page), email if the user has an address,
    SMS if asked and the user's person has a phone."""
    if user is None:
        return []
    now = now or timezone.now()
    common = {"user": user, "kind": kind, "subject": subject[:120], "body": body, "task": task}
    rows = [Notification(channel=Channel.IN_APP, sent_at=now, **common)]
    if user.email:
        rows.append(Notification(channel=Channel.EMAIL, **common))
    if sms and user.person_id and user.person.phone:
        rows.append(Notification(channel=Channel.SMS, **common))
    return rows


def _note(user, kind: str, subject: str, body: str = "", task=None, *, sms: bool = False) -> None:
    Notification.objects.bulk_create(_rows(user, kind, subject, body, task, sms=sms))


def _window(task) -> str:
    """03-02 08:00–12:00, or 03-02 22:00–03-03 02:00 across midnight (local time)."""
    start, end = timezone.localtime(task.starts_at), timezone.localtime(task.ends_at)
    if start.date() == end.date():
        return f"{start:%m-%d %H:%M}–{end:%H:%M}"
    return f"{start:%m-%d %H:%M}–{end:%m-%d %H:%M}"


def claimed(claim) -> None:
    task = claim.task
    _note(_to_user(claim.volunteer.person_id), "claimed", f"已认领：{task.title}", _window(task), task)


def cancelled(claim) -> None:
    task = claim.task
    _note(task.published_by, "cancelled", f"志愿者取消认领：{task.title}", "", task)


def late_cancel_attempt(claim) -> None:
    task = claim.task
    _note(task.published_by, "late_cancel", f"志愿者临时无法到岗：{task.title}",
          "志愿者在取消截止时间后尝试取消，请联系志愿者并安排替补。", task)


def thanked(thanks) -> None:
    _note(_to_user(thanks.claim.volunteer.person_id), "thanks", "收到感谢", thanks.text, thanks.claim.task)


@transaction.atomic
def remind(now: dt.datetime | None = None) -> int:
    """One reminder (in-app, email, SMS) per active claim whose task starts within REMINDER_BEFORE, and
    never a second one for the same task and user. The due claims are locked first, so a second run waiting
    on them sees the first run's reminders. A fixed number of queries, whatever the number of claims."""
    from wuyi.accounts.models import User
    from wuyi.volunteers.models import Claim, ClaimStatus, TaskStatus

    now = now or timezone.now()
    due = list(Claim.objects.select_for_update(of=("self",))
               .filter(status=ClaimStatus.ACTIVE, task__starts_at__gt=now,
                       task__starts_at__lte=now + REMINDER_BEFORE)
               .exclude(task__status=TaskStatus.CANCELLED).select_related("task", "volunteer").order_by("pk"))
    if not due:
        return 0
    users = {u.person_id: u for u in User.objects.select_related("person")
             .filter(person_id__in={c.volunteer.person_id for c in due})}
    done = set(Notification.objects.filter(kind="reminder", task_id__in={c.task_id for c in due},
                                           user__in=list(users.values())).values_list("user_id", "task_id"))
    rows: list[Notification] = []
    for c in due:
        user = users.get(c.volunteer.person_id)
        if user is None or (user.pk, c.task_id) in done:
            continue
        done.add((user.pk, c.task_id))
        rows += _rows(user, "reminder", f"提醒：{c.task.title}", f"{_window(c.task)} 开始", c.task,
                      sms=True, now=now)
    Notification.objects.bulk_create(rows)
    return sum(1 for row in rows if row.channel == Channel.IN_APP)


def log_sms(phone: str, text: str) -> None:
    """The default SMS adapter: logs, with the number masked."""
    log.info("sms to %s: %s", mask_phone(phone), text)


def log_wechat(openid: str, text: str) -> None:
    """The default WeChat adapter: logs."""
    log.info("wechat to %s: %s", openid, text)


def _adapter(name: str, default):
    path = getattr(settings, name, None)
    return import_string(path) if path else default


def _deliver(n: Notification) -> bool:
    """Send one row on its channel; False when there is nobody to send it to."""
    user = n.user
    if n.channel == Channel.EMAIL:
        if not user.email:
            return False
        send_mail(n.subject, n.body or n.subject, None, [user.email], fail_silently=False)
    elif n.channel == Channel.SMS:
        phone = user.person.phone if user.person_id else ""
        if not phone:
            return False
        _adapter("WUYI_SMS_ADAPTER", log_sms)(phone, f"{n.subject} {n.body}".strip()[:SMS_LENGTH])
    elif n.channel == Channel.WECHAT:
        # No WeChat openid is stored yet: the username stands for it until the account has one.
        _adapter("WUYI_WECHAT_ADAPTER", log_wechat)(user.username, f"{n.subject} {n.body}".strip())
    else:
        return False
    return True


def send_pending(now: dt.datetime | None = None, limit: int = SEND_BATCH) -> int:
    """Deliver up to ``limit`` unsent notifications of an outside channel, oldest first; the number delivered.

    Each row is taken (``sent_at`` set where it is still empty) before it is sent: a row another run took is
    skipped. A delivery that raises is logged and the row given back (``sent_at`` empty again) for the next
    run; it does not stop the others. A row with nobody to send to (no email, no phone) stays taken."""
    now = now or timezone.now()
    pending = list(Notification.objects.filter(sent_at__isnull=True).exclude(channel=Channel.IN_APP)
                   .select_related("user__person").order_by("pk")[:limit])
    sent = 0
    for n in pending:
        if not Notification.objects.filter(pk=n.pk, sent_at__isnull=True).update(sent_at=now):
            continue
        try:
            delivered = _deliver(n)
        except Exception:
            log.exception("notification %s (%s) not delivered; it will be tried again", n.pk, n.channel)
            Notification.objects.filter(pk=n.pk).update(sent_at=None)
            continue
        if delivered:
            sent += 1
        else:
            log.warning("notification %s (%s): the user has no address on this channel", n.pk, n.channel)
    return sent


# ---- teams: invitations and membership ---------------------------------------------------------------------


def _volunteer_user(volunteer):
    return _to_user(volunteer.person_id)


def invited(member) -> None:
    """Tell a volunteer that a team's leader invited them."""
    team = member.team
    _note(_volunteer_user(member.volunteer), "team_invited", f"邀请加入志愿服务队：{team.name}",
          f"{team.leader}邀请您加入志愿服务队「{team.name}」，请在“我的团队”中接受。")


def invitation_accepted(member) -> None:
    """Tell the leader that an invited volunteer accepted."""
    team = member.team
    _note(_volunteer_user(team.leader), "team_accepted", f"{member.volunteer}接受了邀请：{team.name}")


def joined(member) -> None:
    """Tell the leader that a volunteer of the team's community joined."""
    team = member.team
    _note(_volunteer_user(team.leader), "team_joined", f"{member.volunteer}加入了志愿服务队：{team.name}")


def left(member) -> None:
    """Tell the leader that a member left (or an invitation was declined)."""
    team = member.team
    _note(_volunteer_user(team.leader), "team_left", f"{member.volunteer}离开了志愿服务队：{team.name}")


def mark_read(user, pk: int | None = None, now: dt.datetime | None = None) -> int:
    """Mark the user's in-app notifications (all, or one) read."""
    unread = Notification.objects.filter(user=user, channel=Channel.IN_APP, read_at__isnull=True)
    if pk is not None:
        unread = unread.filter(pk=pk)
    return unread.update(read_at=now or timezone.now())

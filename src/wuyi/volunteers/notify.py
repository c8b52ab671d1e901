"""The outbox: what the platform tells people, as Notification rows. ``send_pending`` delivers them: in-app ones
are read on the page; email goes through Django's mail; SMS and WeChat go through adapters whose default only
logs (set WUYI_SMS_ADAPTER / WUYI_WECHAT_ADAPTER to a dotted path of a callable(phone_or_openid, text))."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.module_loading import import_string

from wuyi.volunteers.models import Channel, Notification

log = logging.getLogger("wuyi.volunteers.notify")
REMINDER_BEFORE = dt.timedelta(hours=12)


def _to_user(person_id: int | None):
    from wuyi.accounts.models import User

    return User.objects.filter(person_id=person_id).first() if person_id else None


def _note(user, kind: str, subject: str, body: str = "", task=None) -> None:
    if user is None:
        return
    Notification.objects.create(user=user, kind=kind, subject=subject[:120], body=body, task=task)
    if user.email:
        Notification.objects.create(user=user, channel=Channel.EMAIL, kind=kind, subject=subject[:120], body=body,
                                    task=task)


def claimed(claim) -> None:
    task = claim.task
    _note(_to_user(claim.volunteer.person_id), "claimed", f"已认领：{task.title}",
          f"{timezone.localtime(task.starts_at):%m-%d %H:%M}–{timezone.localtime(task.ends_at):%H:%M}", task)


def cancelled(claim) -> None:
    task = claim.task
    _note(task.published_by, "cancelled", f"志愿者取消认领：{task.title}", "", task)


def late_cancel_attempt(claim) -> None:
    task = claim.task
    _note(task.published_by, "late_cancel", f"志愿者临时无法到岗：{task.title}",
          "志愿者在取消截止时间后尝试取消，请联系志愿者并安排替补。", task)


def thanked(thanks) -> None:
    _note(_to_user(thanks.claim.volunteer.person_id), "thanks", "收到感谢", thanks.text, thanks.claim.task)


def remind(now: dt.datetime | None = None) -> int:
    """One reminder per live claim whose task starts within REMINDER_BEFORE (run by `wuyi volunteers notify`)."""
    from wuyi.volunteers.models import Claim

    now = now or timezone.now()
    due = (Claim.objects.filter(status="active", task__starts_at__gt=now, task__starts_at__lte=now + REMINDER_BEFORE)
           .select_related("task", "volunteer"))
    made = 0
    for c in due:
        user = _to_user(c.volunteer.person_id)
        if user is None or Notification.objects.filter(user=user, task=c.task, kind="reminder").exists():
            continue
        _note(user, "reminder", f"提醒：{c.task.title}", f"{timezone.localtime(c.task.starts_at):%m-%d %H:%M} 开始",
              c.task)
        made += 1
    return made


def _adapter(name: str):
    path = getattr(settings, name, None)
    if path:
        return import_string(path)
    return lambda to, text: log.info("%s to %s: %s", name, to, text)


def send_pending(now: dt.datetime | None = None) -> int:
    """Deliver every unsent notification of an outside channel; in-app ones count as sent when made."""
    now = now or timezone.now()
    sent = 0
    for n in Notification.objects.filter(sent_at__isnull=True).exclude(channel=Channel.IN_APP).select_related("user"):
        if n.channel == Channel.EMAIL and n.user.email:
            send_mail(n.subject, n.body or n.subject, None, [n.user.email], fail_silently=False)
        elif n.channel == Channel.SMS:
            _adapter("WUYI_SMS_ADAPTER")(getattr(n.user.person, "phone", ""), n.subject)
        elif n.channel == Channel.WECHAT:
            _adapter("WUYI_WECHAT_ADAPTER")(n.user.username, n.subject)
        n.sent_at = now
        n.save(update_fields=["sent_at"])
        sent += 1
    return sent

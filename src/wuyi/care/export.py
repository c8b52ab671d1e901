"""The key persons of an area as an .xlsx: the area and the moment it covers first, then one row a key person,
named as the pages name them (in full for the community worker, masked above)."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from openpyxl import Workbook

from wuyi.accounts.models import Role, User
from wuyi.accounts.scoping import phone_for
from wuyi.care.models import KeyPerson, KeyReason

HEADERS = ["社区代码", "社区", "姓名", "身份证号", "联系电话", "类别", "开始日期", "最近联系", "距最近联系（天）", "来源"]
REASON_ZH = {KeyReason.FROM_KEY_AREA: "重点疫区来深人员", KeyReason.QUARANTINED_HOUSEHOLD: "居家隔离家庭"}


def workbook(user: User, rows: list[KeyPerson], made_at: dt.datetime) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("关心关爱")
    for i, width in enumerate([14, 14, 10, 20, 14, 16, 12, 18, 10, 40]):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    area = user.area
    ws.append(["区域", f"{area.name}（{area.code}）"])
    ws.append(["日期", f"截至 {timezone.localtime(made_at):%Y-%m-%d %H:%M}（北京时间）正在关爱的重点人员"])
    ws.append([])
    ws.append(HEADERS)
    full = user.role == Role.COMMUNITY_WORKER
    for kp in rows:
        p = kp.person
        last = timezone.localtime(kp.last_contact).replace(tzinfo=None) if kp.last_contact else None
        ws.append([kp.community.code, kp.community.name, p.name if full else p.masked_name, p.id_masked,
                   phone_for(user, p.phone), REASON_ZH.get(kp.reason, kp.reason), kp.since, last,
                   kp.due.days_since, kp.source])
    ws.append([])
    ws.append(["合计", len(rows)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

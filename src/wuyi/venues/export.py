"""The registry of small venues as an .xlsx: the area and the moment it covers first, then one row a venue."""

from __future__ import annotations

import datetime as dt
import io

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook

from wuyi.places.models import Area
from wuyi.venues.models import Trade, VenueKind, VenueStatus

HEADERS = ["社区代码", "社区", "名称", "类别", "行业", "建筑面积（㎡）", "层数", "建筑高度（m）", "地址", "经营者",
           "联系电话", "状态", "登记时间"]
KIND_ZH = {VenueKind.SMALL_SHOP: "小档口", VenueKind.SMALL_WORKSHOP: "小作坊", VenueKind.SMALL_ENTERTAINMENT: "小娱乐场所"}
STATUS_ZH = {VenueStatus.CLOSED: "未复工", VenueStatus.APPLIED: "已申请复工", VenueStatus.OPEN: "已复工",
             VenueStatus.SUSPENDED: "暂停营业"}
TRADE_ZH = {
    Trade.GROCERY: "商店", Trade.EATERY: "餐饮", Trade.VEHICLE_REPAIR: "汽车摩托车维修", Trade.LAUNDRY: "洗衣店",
    Trade.APPLIANCE_REPAIR: "家电维修", Trade.HAIR_BEAUTY: "美容美发", Trade.PROCESSING: "加工",
    Trade.MANUFACTURING: "生产制造", Trade.BAR: "酒吧", Trade.INTERNET_CAFE: "网吧", Trade.VIDEO_HALL: "录像厅",
    Trade.GAME_HALL: "游戏厅", Trade.GYM: "健身房", Trade.TEA_HOUSE: "茶艺馆", Trade.FOOT_BATH: "沐足",
    Trade.CARDS_MAHJONG: "棋牌室", Trade.BILLIARDS: "桌球室",
}


def workbook(area: Area, venues: QuerySet, made_at: dt.datetime, status: str = "") -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("三小场所")
    for i, width in enumerate([14, 14, 24, 12, 14, 12, 8, 12, 30, 12, 14, 12, 18]):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    ws.append(["区域", f"{area.name}（{area.code}）"])
    ws.append(["日期", f"截至 {timezone.localtime(made_at):%Y-%m-%d %H:%M}（北京时间）的登记情况"])
    ws.append(["状态", STATUS_ZH.get(status, "全部")])
    ws.append([])
    ws.append(HEADERS)
    n = 0
    for v in venues.select_related("community").iterator(chunk_size=2000):
        ws.append([v.community.code, v.community.name, v.name, KIND_ZH.get(v.kind, v.kind),
                   TRADE_ZH.get(v.trade, v.trade), float(v.floor_area_m2), v.storeys,
                   float(v.height_m) if v.height_m is not None else None, v.address, v.operator_name,
                   v.operator_phone, STATUS_ZH.get(v.status, v.status),
                   timezone.localtime(v.created_at).replace(tzinfo=None)])
        n += 1
    ws.append([])
    ws.append(["合计", n])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

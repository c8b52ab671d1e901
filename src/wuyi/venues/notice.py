"""The printable suspension notice (暂停营业通告): an A5 page drawn with Pillow in Noto Sans CJK, as a one-page
PDF at 300 dpi, like the paper pass (``access.views.paper_pdf``). The notice is in Chinese only: it is posted on
the venue's door."""

from __future__ import annotations

import io

from django.utils import timezone

from wuyi.printing import cjk_font
from wuyi.venues.models import VenueInspection

A5_PX = (1748, 2480)  # 148 × 210 mm at 300 dpi
MARGIN = 150
ITEMS_ZH = {
    "temperature_and_registration": "门口设置体温检测和登记点",
    "regular_disinfection": "定期消毒",
    "staff_protection": "从业人员防护",
    "no_dining_in": "不提供堂食（仅限外卖和无接触服务）",
    "contactless_pickup": "无接触取货",
}


def _wrap(draw, text: str, font, width: int) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` pixels (Chinese breaks between any two characters)."""
    lines, line = [], ""
    for ch in text:
        if draw.textlength(line + ch, font=font) > width and line:
            lines.append(line)
            line = ch
        else:
            line += ch
    return [*lines, line] if line else lines


def notice_page(inspection: VenueInspection, reasons: list[str]):
    """The page: title, number, venue, address, operator, the conditions not met (or the inspector's note), what
    follows, the community and the date."""
    from PIL import Image, ImageDraw

    venue = inspection.application.venue
    community = venue.community
    station = f"{community.name}{'' if community.name.endswith('社区') else '社区'}工作站"
    page = Image.new("RGB", A5_PX, "white")
    draw = ImageDraw.Draw(page)
    width = A5_PX[0] - 2 * MARGIN
    draw.text((A5_PX[0] // 2, 220), "暂停营业通告", fill="black", font=cjk_font(120), anchor="mm")
    draw.text((A5_PX[0] // 2, 360), f"编号：{inspection.notice_number}", fill="black", font=cjk_font(44), anchor="mm")
    body = cjk_font(52)
    y = 500

    def para(text: str, gap: int = 24) -> None:
        nonlocal y
        for line in _wrap(draw, text, body, width):
            draw.text((MARGIN, y), line, fill="black", font=body)
            y += 72
        y += gap

    para(f"{venue.name}（{venue.address}）经营者 {venue.operator_name}：")
    para(f"经{station}于 {inspection.inspected_on:%Y年%m月%d日} 逐一检查，"
         "你场所未落实以下疫情防控措施：", 8)
    for code in reasons:
        para(f"· {ITEMS_ZH[code]}", 0)
    if inspection.note:
        para(f"检查说明：{inspection.note}")
    y += 24
    para("根据疫情防控要求，自即日起暂停营业。整改落实后，可到社区工作站复工咨询点重新申请复工，经检查合格后方可恢复营业。")
    sign = cjk_font(56)
    draw.text((A5_PX[0] - MARGIN, A5_PX[1] - 420), station, fill="black", font=sign, anchor="rm")
    draw.text((A5_PX[0] - MARGIN, A5_PX[1] - 320), f"{inspection.inspected_on:%Y年%m月%d日}", fill="black",
              font=sign, anchor="rm")
    draw.text((A5_PX[0] // 2, A5_PX[1] - 140), f"打印于 {timezone.localtime():%Y-%m-%d %H:%M}", fill="gray",
              font=cjk_font(32), anchor="mm")
    return page


def notice_pdf(inspection: VenueInspection, reasons: list[str]) -> bytes:
    out = io.BytesIO()
    notice_page(inspection, reasons).save(out, "PDF", resolution=300.0)
    return out.getvalue()

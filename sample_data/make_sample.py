"""Rebuild the demo inbox: the sales-manager training deck's example month.

500 leads in October 2026 (110 won, 165 still open, 225 lost), the daily
activity report for the same month and 650,000 RMB of marketing spend
(seeds/003: cost per lead 1,300 RMB, lost share 45 %, lost cost 292,500 RMB).

    python sample_data/make_sample.py        # rewrites the files beside this script

The workbooks are written by openpyxl the way consultants lay them out: a title
row above a merged group row, then the header, dates mostly as Excel dates and
now and then typed as text.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

HERE = Path(__file__).resolve().parent
MONTH_START = dt.date(2026, 10, 1)
DAYS = 31
WON, OPEN, LOST = 110, 165, 225
SPEND = 650_000
CONSULTANTS = ["张伟", "李娜", "王强", "刘洋", "陈静"]
SOURCES = {  # channel → (weight, spend in RMB); spend adds up to 650,000
    "汽车之家": (30, 200_000),
    "懂车帝": (25, 150_000),
    "易车网": (10, 60_000),
    "抖音直播": (15, 140_000),
    "展厅自然到店": (12, 40_000),
    "老客户转介绍": (8, 60_000),
}
MODELS = ["星越L", "博越L", "帝豪L", "银河L7", "缤越"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["先生", "女士", "伟", "芳", "敏", "静", "磊", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超"]
HORIZONS = ["一周内", "半个月内", "1个月内", "3个月内", "两个月内", "半年内", "4至6月", "一年内",
            "一年以上", "2027年3月", "暂不购买"]
LOST_REASONS = ["价格因素", "购买竞品", "贷款未批", "暂缓购车", "距离太远", "失联"]
COMPETITORS = ["比亚迪宋PLUS", "长安CS75", "哈弗H6", "丰田RAV4", ""]

LEAD_HEADER = ["序号", "客户姓名", "联系电话", "销售顾问", "信息来源", "意向车型", "首次接触日期",
               "最近跟进日期", "下次跟进日期", "预计购车时间", "客户级别", "状态", "战败原因", "竞品",
               "交车日期", "备注"]
DAILY_HEADER = ["日期", "销售顾问", "来店批次", "留档数", "电话回访", "邀约到店", "试乘试驾", "订单",
                "交车", "战败"]


def make_leads(rng: random.Random) -> list[dict]:
    statuses = ["won"] * WON + ["open"] * OPEN + ["lost"] * LOST
    rng.shuffle(statuses)
    sources = list(SOURCES)
    weights = [SOURCES[s][0] for s in sources]
    phones: set[str] = set()
    leads = []
    for i, status in enumerate(statuses):
        first = MONTH_START + dt.timedelta(days=rng.randrange(DAYS))
        while True:
            phone = f"1{rng.choice('3589')}{rng.randrange(10)}{rng.randrange(10**8):08d}"
            if phone not in phones:
                phones.add(phone)
                break
        end = dt.date(2026, 10, 31)
        gap = (end - first).days
        last = first + dt.timedelta(days=rng.randint(0, gap)) if gap else first
        lead = {
            "no": i + 1,
            "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
            "phone": phone,
            "consultant": rng.choice(CONSULTANTS),
            "source": rng.choices(sources, weights)[0],
            "model": rng.choice(MODELS),
            "first": first,
            "last": last,
            "next": None,
            "horizon": rng.choice(HORIZONS),
            "grade": rng.choice("ABCD"),
            "status": {"won": "已成交", "open": "跟进中", "lost": "战败"}[status],
            "lost_reason": "",
            "competitor": "",
            "delivery": None,
        }
        if status == "won":
            lead["grade"] = "O"
            if last + dt.timedelta(days=3) <= end:
                lead["delivery"] = last + dt.timedelta(days=rng.randint(1, 3))
        elif status == "lost":
            lead["grade"] = "F"
            reason = rng.choice(LOST_REASONS)
            lead["lost_reason"] = reason
            if reason == "购买竞品":
                lead["competitor"] = rng.choice(COMPETITORS[:-1])
        else:
            if rng.random() < 0.6:
                lead["next"] = last + dt.timedelta(days=rng.randint(1, 20))
            if rng.random() < 0.05:
                lead["status"] = "休眠"
        leads.append(lead)
    leads.sort(key=lambda r: (r["first"], r["no"]))
    for i, lead in enumerate(leads, 1):
        lead["no"] = i
    return leads


def write_leads(leads: list[dict], path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "意向客户管理卡"
    ws["A1"] = "XX汽车4S店 意向客户管理卡 (2026年10月)"
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(LEAD_HEADER))
    ws["A2"] = "制表: 销售部    说明: 每次跟进后更新最近跟进日期、预计购车时间和客户级别"
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(LEAD_HEADER))
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    for col, word in enumerate(LEAD_HEADER, 1):
        cell = ws.cell(row=3, column=col, value=word)
        cell.font = Font(bold=True)
        cell.fill = head_fill
        cell.alignment = Alignment(horizontal="center")
    for r, lead in enumerate(leads, 4):
        first = lead["first"]
        # Now and then a consultant types the date as text instead of an Excel date.
        first_cell: object = first
        if lead["no"] % 17 == 0:
            first_cell = f"{first.year}年{first.month}月{first.day}日"
        elif lead["no"] % 23 == 0:
            first_cell = f"{first.year}.{first.month}.{first.day}"
        values = [lead["no"], lead["name"], lead["phone"], lead["consultant"], lead["source"],
                  lead["model"], first_cell, lead["last"], lead["next"], lead["horizon"],
                  lead["grade"], lead["status"], lead["lost_reason"], lead["competitor"],
                  lead["delivery"], ""]
        for col, value in enumerate(values, 1):
            cell = ws.cell(row=r, column=col, value=value)
            if isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    widths = [6, 10, 14, 10, 14, 10, 13, 13, 13, 13, 9, 9, 10, 14, 12, 16]
    for col, width in enumerate(widths, 1):
        ws.column_dimensions[ws.cell(row=3, column=col).column_letter].width = width
    ws.freeze_panes = "C4"
    guide = wb.create_sheet("填表说明")
    guide["A1"] = "客户级别: A 3个月内购车, B 6个月内, C 12个月内, D 一年以上或暂无需求"
    guide["A2"] = "状态: 跟进中 / 已成交 / 战败 / 休眠 / 无效"
    wb.save(path)


def write_daily(leads: list[dict], path: Path, rng: random.Random) -> None:
    kept = Counter((lead["consultant"], lead["first"]) for lead in leads)
    orders = Counter((lead["consultant"], lead["last"]) for lead in leads if lead["status"] == "已成交")
    lost = Counter((lead["consultant"], lead["last"]) for lead in leads if lead["status"] == "战败")
    wb = Workbook()
    ws = wb.active
    ws.title = "销售活动日报表"
    ws["A1"] = "XX汽车4S店 销售活动日报表 2026年10月"
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(DAILY_HEADER))
    for col, word in enumerate(DAILY_HEADER, 1):
        ws.cell(row=2, column=col, value=word).font = Font(bold=True)
    r = 3
    for day in range(DAYS):
        date = MONTH_START + dt.timedelta(days=day)
        for who in CONSULTANTS:
            k = kept[(who, date)]
            traffic = k + rng.randint(1, 4)  # not every visitor leaves a card
            values = [date, who, traffic, k, rng.randint(3, 12), rng.randint(0, 3),
                      rng.randint(0, 3), orders[(who, date)], orders[(who, date)] // 2,
                      lost[(who, date)]]
            for col, value in enumerate(values, 1):
                cell = ws.cell(row=r, column=col, value=value)
                if col == 1:
                    cell.number_format = "yyyy-mm-dd"
            r += 1
    ws.freeze_panes = "C3"
    wb.save(path)


CONFIG = f"""# The demo store's configuration (see README: Configuration).
store = "XX汽车4S店"

[grading]
scheme = "4s"
stale_factor = 3

[marketing]
spend = {SPEND}   # RMB per calendar month (the training deck's 每月65万)

[marketing.by_source]
{chr(10).join(f'"{name}" = {spend}' for name, (_, spend) in SOURCES.items())}
"""


def main() -> None:
    rng = random.Random(20261031)
    leads = make_leads(rng)
    write_leads(leads, HERE / "意向客户管理卡_2026-10.xlsx")
    write_daily(leads, HERE / "销售活动日报表_2026-10.xlsx", rng)
    (HERE / "leadbook.toml").write_text(CONFIG, encoding="utf-8")
    assert sum(spend for _, spend in SOURCES.values()) == SPEND


if __name__ == "__main__":
    main()

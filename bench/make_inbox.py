"""Generate the benchmark inboxes: a dealer group's year and one store's week.

    python bench/make_inbox.py                 # both cases into bench/data/
    python bench/make_inbox.py --case week     # one case

Cases (each a folder under bench/data/ holding what leadbook reads):

- ``group``: 意向客户管理卡 of 100,000 leads first contacted 2025-11-23 …
  2026-11-22 by 100 consultants in five stores, the 销售活动日报表 of the same
  year (100 consultants × 365 days = 36,500 rows) and a leadbook.toml.
- ``week``: one store's lead book of 5,000 leads (10 consultants, same year,
  same layout), the daily report of its last week (7 days × 10 consultants)
  and a leadbook.toml.

The values are what consultants type (domain.md §6): phones as 11-digit text
with about 2 % repeated across rows (same consultant: duplicate; another one:
撞单), dates mostly Excel dates and now and then text ("2026年3月5日",
"2026.3.5"), purchase horizons in relative and absolute forms, grades A–D with
"a", "Ａ", "B级" among them, statuses in shares that depend on the lead's age.
The 留档数 of the daily report matches the lead cards created that day except
for a few rows, as in real stores.

Output is seeded and byte-identical between runs (fixed document date). The
workbooks are written with XlsxWriter's constant_memory mode, row by row.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

from leadbook.spend import month_overlaps

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
AS_OF = dt.date(2026, 11, 22)
YEAR_START = dt.date(2025, 11, 23)  # 365 days up to and including AS_OF
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 0 of the 1900 date system
DOC_DATE = dt.datetime(2026, 11, 22, 18, 0, 0)  # fixed, so the bytes repeat
LEAD_FILE = "意向客户管理卡.xlsx"
DAILY_FILE = "销售活动日报表.xlsx"


@dataclass(frozen=True)
class Case:
    name: str
    leads: int
    stores: tuple[str, ...]
    consultants_per_store: int
    daily_days: int  # the daily report covers the last N days up to AS_OF
    seed: int
    store_label: str


CASES = {
    "group": Case("group", 100_000, ("城东店", "城西店", "高新店", "江北店", "开发区店"), 20, 365,
                  20261122, "XX汽车集团 (5 家门店)"),
    "week": Case("week", 5_000, ("城东店",), 10, 7, 20261116, "XX汽车城东4S店"),
}

LEAD_HEADER = ["客户姓名", "联系电话", "销售顾问", "信息来源", "意向车型", "首次接触日期",
               "最近跟进日期", "下次跟进日期", "预计购车时间", "客户级别", "状态", "战败原因",
               "交车日期", "备注"]
DAILY_HEADER = ["日期", "销售顾问", "来店批次", "留档数", "电话回访", "邀约到店", "试乘试驾",
                "订单", "交车", "战败"]
LEAD_WIDTHS = [10, 13, 9, 13, 10, 12, 12, 12, 12, 8, 8, 10, 12, 18]

# Lead channels and their share of leads; cost per lead differs by channel.
SOURCES = {"汽车之家": 24, "懂车帝": 20, "易车网": 8, "抖音直播": 16, "展厅自然到店": 14,
           "老客户转介绍": 8, "400来电": 6, "车展": 4}
SOURCE_COST = {"汽车之家": 1500, "懂车帝": 1400, "易车网": 1200, "抖音直播": 1700,
               "展厅自然到店": 600, "老客户转介绍": 800, "400来电": 1000, "车展": 2200}
MODELS = {"星越L": 18, "博越L": 22, "帝豪L": 16, "银河L7": 14, "银河E8": 8, "缤越": 10,
          "豪越L": 6, "领克08": 6}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳敏静磊洋勇艳杰娟涛明超秀霞平刚桂英华建国文军斌波辉鹏飞婷雪琳浩宇晨欣怡"

# Purchase horizons as consultants write them, with the months they stand for
# (None: no need) and their weight among answers; "" is a missing answer.
HORIZONS = [("一周内", 0.25, 4), ("半个月内", 0.5, 4), ("1个月内", 1, 8), ("两个月内", 2, 6),
            ("3个月内", 3, 14), ("三个月内", 3, 3), ("半年内", 6, 12), ("4至6月", 6, 4),
            ("3-6个月", 6, 4), ("一年内", 12, 8), ("一年以上", 18, 6), ("1年后", 18, 2),
            ("暂不购买", None, 4), ("不确定", None, 2), ("", None, 5)]
ABSOLUTE_HORIZON_WEIGHT = 8  # "2027年3月": a month 1 … 14 months after the contact

# Status shares by age of the lead (days since first contact): older leads are
# more often won, lost or asleep.
STATUS_BY_AGE = [  # (up to age, {status: weight})
    (30, {"跟进中": 70, "已成交": 6, "战败": 14, "休眠": 2, "无效": 8}),
    (90, {"跟进中": 45, "已成交": 12, "战败": 30, "休眠": 6, "无效": 7}),
    (180, {"跟进中": 25, "已成交": 15, "战败": 44, "休眠": 10, "无效": 6}),
    (10_000, {"跟进中": 12, "已成交": 16, "战败": 52, "休眠": 14, "无效": 6}),
]
LOST_REASONS = {"价格因素": 30, "购买竞品": 25, "贷款未批": 8, "暂缓购车": 14, "距离太远": 5,
                "失联": 12, "": 6}
NOTES = ["试驾后考虑", "关注置换补贴", "等年底优惠", "需要和家人商量", "对比比亚迪宋PLUS",
         "要求上门试驾", "已报价, 等回复", "贷款方案待定", "老客户介绍", "周末到店"]
MOBILE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
                   "152", "155", "158", "159", "166", "177", "180", "181", "182", "186", "187",
                   "188", "189", "191", "198", "199"]
REPEATED_PHONE_SHARE = 0.02
SAME_CONSULTANT_SHARE = 0.35  # of the repeats: plain duplicates; the rest are 撞单
TEXT_DATE_SHARE = (0.025, 0.015)  # "2026年3月5日", "2026.3.5"


@dataclass(slots=True)
class Lead:
    """One row of the lead workbook, fields in the order of LEAD_HEADER."""

    name: str
    phone: str
    consultant: str
    source: str
    model: str
    first: dt.date
    last: dt.date | None
    next_contact: dt.date | None
    horizon: str
    grade: str
    status: str
    lost_reason: str
    delivery: dt.date | None
    note: str

    def cells(self) -> tuple[str | dt.date | None, ...]:
        return (self.name, self.phone, self.consultant, self.source, self.model, self.first,
                self.last, self.next_contact, self.horizon, self.grade, self.status,
                self.lost_reason, self.delivery, self.note)


def consultant_names(rng: random.Random, n: int) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < n:
        given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
        name = rng.choice(SURNAMES) + given
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def pick(rng: random.Random, table: dict[str, int], k: int) -> list[str]:
    return rng.choices(list(table), list(table.values()), k=k)


def months_later(day: dt.date, months: float) -> dt.date:
    return day + dt.timedelta(days=round(months * 30.4))


def make_leads(case: Case, rng: random.Random, consultants: list[str]) -> list[Lead]:
    n = case.leads
    days = [YEAR_START + dt.timedelta(days=i) for i in range((AS_OF - YEAR_START).days + 1)]
    day_weights = [1.6 if d.weekday() >= 5 else 1.0 for d in days]  # weekends bring more visitors
    busy = [rng.uniform(0.6, 1.4) for _ in consultants]  # some consultants take more leads
    firsts = rng.choices(days, day_weights, k=n)
    owners = rng.choices(consultants, busy, k=n)
    sources = pick(rng, SOURCES, n)
    models = pick(rng, MODELS, n)
    horizon_words = [h[0] for h in HORIZONS] + ["<month>"]
    horizon_weights = [h[2] for h in HORIZONS] + [ABSOLUTE_HORIZON_WEIGHT]
    horizon_months = {h[0]: h[1] for h in HORIZONS}
    suffixes = rng.sample(range(10**8), n)
    leads: list[Lead] = []
    for i in range(n):
        first = firsts[i]
        age = (AS_OF - first).days
        status = pick(rng, next(t for limit, t in STATUS_BY_AGE if age <= limit), 1)[0]
        last: dt.date | None
        if status == "跟进中":
            last = AS_OF - dt.timedelta(days=min(age, int(rng.expovariate(1 / 20))))
        elif status == "无效":
            last = first if rng.random() < 0.3 else None
        else:
            mean = {"已成交": 25, "战败": 30, "休眠": 40}[status]
            last = first + dt.timedelta(days=min(age, int(rng.expovariate(1 / mean))))
        if status == "跟进中" and rng.random() < 0.15:
            last = None  # taken on the card, never called back
        latest = last or first
        nxt = None
        if (status == "跟进中" and rng.random() < 0.7) or (status == "休眠" and rng.random() < 0.3):
            nxt = latest + dt.timedelta(days=rng.randint(1, 30))
        word = rng.choices(horizon_words, horizon_weights)[0]
        if word == "<month>":
            target = months_later(latest, rng.randint(1, 14))
            word = f"{target.year}年{target.month}月"
            months: float | None = (target - latest).days / 30.4
        else:
            months = horizon_months[word]
        grade = recorded_grade(rng, months, status)
        lost_reason = pick(rng, LOST_REASONS, 1)[0] if status == "战败" else ""
        delivery = None
        if status == "已成交" and rng.random() < 0.85:
            day = latest + dt.timedelta(days=rng.randint(0, 10))
            delivery = day if day <= AS_OF else None
        name = rng.choice(SURNAMES) + (rng.choice(("先生", "女士")) if rng.random() < 0.3
                                       else rng.choice(GIVEN) + (rng.choice(GIVEN)
                                                                 if rng.random() < 0.5 else ""))
        leads.append(Lead(
            name=name, phone=rng.choice(MOBILE_PREFIXES) + f"{suffixes[i]:08d}",
            consultant=owners[i], source=sources[i], model=models[i], first=first, last=last,
            next_contact=nxt, horizon=word, grade=grade, status=status, lost_reason=lost_reason,
            delivery=delivery, note=rng.choice(NOTES) if rng.random() < 0.2 else "",
        ))
    # The book grows by date; rows of one day stay in the order they were taken.
    leads.sort(key=lambda lead: lead.first)
    repeat_phones(leads, rng)
    return leads


def recorded_grade(rng: random.Random, months: float | None, status: str) -> str:
    """The grade on the card: from the horizon, with consultants' slips and spellings."""
    if status == "已成交" and rng.random() < 0.4:
        return "O"
    if status == "战败" and rng.random() < 0.5:
        return "F"
    if rng.random() < 0.03:
        return ""
    if months is None:
        grade = "D"
    else:
        grade = "A" if months <= 3 else "B" if months <= 6 else "C" if months <= 12 else "D"
    if rng.random() < 0.15:  # not re-graded after the last call
        grade = "ABCD"[min(3, max(0, "ABCD".index(grade) + rng.choice((-1, 1))))]
    spelling = rng.random()
    if spelling < 0.03:
        return grade.lower()
    if spelling < 0.05:
        return chr(ord(grade) + 0xFEE0)  # full-width Ａ … Ｄ
    if spelling < 0.08:
        return grade + "级"
    return grade


def repeat_phones(leads: list[Lead], rng: random.Random) -> None:
    """About 2 % of rows carry the phone of an earlier row: duplicates and 撞单."""
    by_consultant: dict[str, list[int]] = {}
    for i, lead in enumerate(leads):
        earlier = by_consultant.setdefault(lead.consultant, [])
        if i > 0 and rng.random() < REPEATED_PHONE_SHARE:
            if earlier and rng.random() < SAME_CONSULTANT_SHARE:
                j = rng.choice(earlier)
            else:
                j = rng.randrange(i)
            lead.phone = leads[j].phone
        earlier.append(i)


def date_cell(rng: random.Random, day: dt.date) -> str | int:
    """Mostly an Excel date serial; now and then the date typed as text."""
    r = rng.random()
    if r < TEXT_DATE_SHARE[0]:
        return f"{day.year}年{day.month}月{day.day}日"
    if r < TEXT_DATE_SHARE[0] + TEXT_DATE_SHARE[1]:
        return f"{day.year}.{day.month}.{day.day}"
    return (day - EXCEL_EPOCH).days


def new_workbook(path: Path) -> xlsxwriter.Workbook:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    wb.set_properties({"title": path.stem, "author": "销售部", "created": DOC_DATE})
    return wb


def write_leads(case: Case, leads: list[Lead], path: Path, rng: random.Random) -> None:
    wb = new_workbook(path)
    title = wb.add_format({"bold": True, "font_size": 14})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "align": "center", "border": 1})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet("意向客户管理卡")
    for col, width in enumerate(LEAD_WIDTHS):
        ws.set_column(col, col, width)
    ws.freeze_panes(2, 2)
    ws.merge_range(0, 0, 0, len(LEAD_HEADER) - 1,
                   f"{case.store_label} 意向客户管理卡 ({YEAR_START} 至 {AS_OF})", title)
    for col, word in enumerate(LEAD_HEADER):
        ws.write_string(1, col, word, head)
    ws.autofilter(1, 0, len(leads) + 1, len(LEAD_HEADER) - 1)
    write_string, write_number = ws.write_string, ws.write_number
    for r, lead in enumerate(leads, 2):
        for col, value in enumerate(lead.cells()):
            cell = date_cell(rng, value) if isinstance(value, dt.date) else value
            if isinstance(cell, int):
                write_number(r, col, cell, date_fmt)
            elif cell:
                write_string(r, col, cell)
    guide = wb.add_worksheet("填表说明")
    guide.write_string(0, 0, "客户级别: A 3个月内购车, B 6个月内, C 12个月内, D 一年以上或暂无需求")
    guide.write_string(1, 0, "状态: 跟进中 / 已成交 / 战败 / 休眠 / 无效")
    wb.close()


def write_daily(case: Case, leads: list[Lead], consultants: list[str], path: Path,
                rng: random.Random) -> None:
    kept = Counter((lead.consultant, lead.first) for lead in leads)
    won = Counter((lead.consultant, lead.last or lead.first)
                  for lead in leads if lead.status == "已成交")
    delivered = Counter((lead.consultant, lead.delivery) for lead in leads if lead.delivery)
    lost = Counter((lead.consultant, lead.last or lead.first)
                   for lead in leads if lead.status == "战败")
    wb = new_workbook(path)
    title = wb.add_format({"bold": True, "font_size": 14})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "align": "center", "border": 1})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet("销售活动日报表")
    ws.set_column(0, 0, 12)
    ws.set_column(1, 1, 9)
    ws.freeze_panes(2, 2)
    first_day = AS_OF - dt.timedelta(days=case.daily_days - 1)
    ws.merge_range(0, 0, 0, len(DAILY_HEADER) - 1,
                   f"{case.store_label} 销售活动日报表 ({first_day} 至 {AS_OF})", title)
    for col, word in enumerate(DAILY_HEADER):
        ws.write_string(1, col, word, head)
    r = 2
    for d in range(case.daily_days):
        day = first_day + dt.timedelta(days=d)
        for who in consultants:
            k = kept[(who, day)]
            if rng.random() < 0.02:  # the report and the cards disagree now and then
                k = max(0, k + rng.choice((-1, 1)))
            traffic = k + rng.randint(0, 3)  # not every visitor leaves a card
            ws.write_number(r, 0, (day - EXCEL_EPOCH).days, date_fmt)
            ws.write_string(r, 1, who)
            counts = (traffic, k, rng.randint(2, 15), rng.randint(0, 3),
                      rng.randint(0, min(3, traffic)), won[(who, day)], delivered[(who, day)],
                      lost[(who, day)])
            for col, value in enumerate(counts, 2):
                ws.write_number(r, col, value)
            r += 1
    wb.close()


def write_config(case: Case, leads: list[Lead], path: Path, scheme: str = "4s") -> None:
    """The store's config: spend per calendar month (what the period's channels cost,
    spread over the months the daily report spans), by channel too."""
    first_day = AS_OF - dt.timedelta(days=case.daily_days - 1)
    in_period = [lead for lead in leads if first_day <= lead.first <= AS_OF]
    by_source = Counter(lead.source for lead in in_period)
    months = sum(days / length for _, days, length in month_overlaps(first_day, AS_OF))
    spend = {s: round(n * SOURCE_COST[s] / months, -3) for s, n in sorted(by_source.items())}
    lines = [
        f"# Benchmark inbox '{case.name}': {case.leads:,} leads,"
        f" daily report {first_day} … {AS_OF}.",
        f'store = "{case.store_label}"',
        "",
        "[grading]",
        f'scheme = "{scheme}"',
        "stale_factor = 3",
        "",
        "[marketing]",
        f"spend = {sum(spend.values()):.0f}   # RMB per calendar month",
        "",
        "[marketing.by_source]",
        *(f'"{s}" = {v:.0f}' for s, v in spend.items()),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def make_case(name: str, root: Path = DATA) -> list[Path]:
    case = CASES[name]
    rng = random.Random(case.seed)
    folder = root / case.name
    folder.mkdir(parents=True, exist_ok=True)
    consultants = consultant_names(rng, len(case.stores) * case.consultants_per_store)
    leads = make_leads(case, rng, consultants)
    paths = [folder / LEAD_FILE, folder / DAILY_FILE, folder / "leadbook.toml"]
    write_leads(case, leads, paths[0], rng)
    write_daily(case, leads, consultants, paths[1], rng)
    write_config(case, leads, paths[2])
    return paths


def lead_workbook(name: str, root: Path = DATA) -> Path:
    return root / name / LEAD_FILE


def is_complete(name: str, root: Path = DATA) -> bool:
    folder = root / name
    return all((folder / f).is_file()
               for f in (LEAD_FILE, DAILY_FILE, "leadbook.toml"))


def size(n: int) -> str:
    return f"{n / 1e6:.2f} MB" if n >= 1e6 else f"{n / 1e3:.1f} kB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=[*CASES, "all"], default="all")
    parser.add_argument("--out", type=Path, default=DATA, help="root folder (default bench/data)")
    args = parser.parse_args(argv)
    for name in CASES if args.case == "all" else [args.case]:
        start = time.perf_counter()
        paths = make_case(name, args.out)
        took = time.perf_counter() - start
        print(f"{name}: generated in {took:.1f} s")
        for p in paths:
            print(f"  {size(p.stat().st_size):>9}  {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Marketing spend for the period (domain.md §5).

Dealers budget spend per calendar month (the training deck's 每月65万, seeds/003),
so ``[marketing] spend`` and ``[marketing.by_source]`` are RMB per month, and a
period gets each month's share by days: a week of November 7/30 of it, a
period across two months each month's part. A spend sheet's rows name a day
(counted when the day is in the period), a month (prorated like the config) or
nothing (a monthly figure, like the config). The parts are kept so that the
report can say how the period's spend was made up.

Pure: amounts and the period in, figures out.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

SpendKind = Literal["monthly", "month", "day"]

# A month written as text in a spend sheet's 月份 column: 2026年11月, 2026-11, 2026/11, 2026.11.
_MONTH_TEXT = re.compile(r"^\s*(\d{4})\s*(?:年|[-/.])\s*(\d{1,2})\s*月?份?\s*$")


@dataclass(frozen=True)
class SpendItem:
    """One amount: per month (``monthly``), for one month, or for one day."""

    amount: float
    kind: SpendKind = "monthly"
    month: tuple[int, int] | None = None  # (year, month) for kind "month"
    day: dt.date | None = None  # for kind "day"
    source: str | None = None


@dataclass(frozen=True)
class SpendPart:
    """How much of one amount the period gets: ``amount × days / month_days``
    for a month (``month_days`` = 0 for a day's amount, counted whole)."""

    amount: float
    days: int
    month_days: int
    month: tuple[int, int] | None
    origin: str  # "config" | "sheet"
    kind: SpendKind

    @property
    def share(self) -> float:
        if self.kind == "day":
            return self.amount
        return self.amount * self.days / self.month_days


def month_overlaps(start: dt.date, end: dt.date) -> list[tuple[tuple[int, int], int, int]]:
    """((year, month), days of [start, end] in it, days in the month), month by month."""
    out = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        length = calendar.monthrange(year, month)[1]
        first, last = dt.date(year, month, 1), dt.date(year, month, length)
        days = (min(end, last) - max(start, first)).days + 1
        out.append(((year, month), days, length))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def parts_of(item: SpendItem, start: dt.date, end: dt.date, origin: str) -> list[SpendPart]:
    """The period's parts of one amount (empty when none of it falls in the period)."""
    if item.kind == "day":
        if item.day is not None and start <= item.day <= end:
            return [SpendPart(item.amount, 1, 0, None, origin, "day")]
        return []
    overlaps = month_overlaps(start, end)
    if item.kind == "month":
        overlaps = [o for o in overlaps if o[0] == item.month]
    return [SpendPart(item.amount, days, length, month, origin, item.kind)
            for month, days, length in overlaps]


def period_spend(
    monthly: float | None,
    by_source_monthly: dict[str, float],
    sheet: Sequence[SpendItem],
    start: dt.date,
    end: dt.date,
) -> tuple[float | None, list[SpendPart], dict[str, float]]:
    """(the period's spend, its parts, the period's spend by channel).

    The config's monthly figure wins over a spend sheet (as it always has);
    channels of the config win over the sheet's.
    """
    if monthly is not None:
        parts = parts_of(SpendItem(monthly), start, end, "config")
    elif sheet:
        parts = [p for item in sheet for p in parts_of(item, start, end, "sheet")]
    else:
        parts = []
    total = None if monthly is None and not sheet else sum(p.share for p in parts)
    by_source: dict[str, float] = {}
    for item in sheet:
        if item.source:
            share = sum(p.share for p in parts_of(item, start, end, "sheet"))
            by_source[item.source] = by_source.get(item.source, 0.0) + share
    for channel, amount in by_source_monthly.items():
        by_source[channel] = sum(p.share for p in parts_of(SpendItem(amount), start, end, "config"))
    return total, parts, by_source


def spend_item(amount: float, when: Any, header: str | None, source: str | None,
               parse_day: Any) -> SpendItem:
    """One spend-sheet row → a SpendItem. ``when`` is the row's 日期 / 月份 cell:
    a month text or, under a 月份 header, any date names a month; otherwise a
    date names a day; blank means a monthly figure. ``parse_day`` reads a date
    cell (ValueError when it cannot)."""
    if when is None or (isinstance(when, str) and not when.strip()):
        return SpendItem(amount, source=source)
    if isinstance(when, str):
        m = _MONTH_TEXT.match(when)
        if m and 1 <= int(m.group(2)) <= 12:
            return SpendItem(amount, "month", (int(m.group(1)), int(m.group(2))), source=source)
    day = parse_day(when)
    if day is None:
        return SpendItem(amount, source=source)
    if header is not None and "月" in header:
        return SpendItem(amount, "month", (day.year, day.month), source=source)
    return SpendItem(amount, "day", day=day, source=source)


def spend_text(parts: Iterable[SpendPart], lab: Any) -> str:
    """How the period's spend was made up, in the labels' language:
    "650,000 元/月 × 7/30 天", parts joined by " + "."""
    words = []
    days_total = 0.0
    day_count = 0
    for p in parts:
        if p.kind == "day":
            days_total += p.amount
            day_count += 1
            continue
        month = f"{p.month[0]}-{p.month[1]:02d}" if p.month else ""
        key = "spend.monthly" if p.kind == "monthly" else "spend.month"
        words.append(lab.fmt(key, amount=f"{p.amount:,.0f}", days=p.days,
                             month_days=p.month_days, month=month))
    if day_count:
        words.append(lab.fmt("spend.days", amount=f"{days_total:,.0f}", n=day_count))
    return " + ".join(words)

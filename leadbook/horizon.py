"""The purchase horizon (预计购车时间) → when the customer means to buy.

A horizon is relative ("3个月内": counted from the lead's latest contact),
absolute ("2027年3月": by the end of that month; or a date), beyond ("一年以上":
later than the span) or no need ("暂不购买"). domain.md §2 says how each
grades; this module only reads the text and turns it into an expected
purchase date.

Pure: the as-of date is a parameter. Text is read once per distinct cell text
(cached); the as-of date and the date system apply afterwards.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import math
import re
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from .texts import Problem, Words
from .value_words import Why
from .values import (
    TEXT_YEARS,
    date_text,
    is_blank,
    is_no_need,
    normalize_text,
    parse_date,
    year_outside,
)

HorizonKind = Literal["relative", "absolute", "beyond", "no_need"]


@dataclass(frozen=True)
class Horizon:
    """A purchase horizon as read.

    relative: ``days`` or ``months`` from the base date (latest contact);
    beyond: later than that span; absolute: by ``date``; no_need: none.
    ``text`` is the normalised cell text it was read from.
    """

    kind: HorizonKind
    days: int | None = None
    months: int | None = None
    date: dt.date | None = None
    text: str = ""


# --------------------------------------------------------------------------
# Tables. Source: domain.md §2 ("Horizon text to read") and the forms dealers
# write in the 预计购车时间 column of the 意向客户管理卡 (seeds/002); numerals
# are the ordinary Chinese counting numerals.
# --------------------------------------------------------------------------

CHINESE_DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}
CHINESE_TEN = "十"

# Unit word → (what it counts, how many of that). Weeks count as days, years
# as months.
UNITS: dict[str, tuple[str, int]] = {
    "天": ("days", 1), "日": ("days", 1),
    "周": ("days", 7), "星期": ("days", 7), "礼拜": ("days", 7),
    "月": ("months", 1),
    "年": ("months", 12),
}
DAYS_PER_MONTH = 30  # a fraction of a month ("半个月", "1.5个月") is counted in days
MAX_SPAN_DAYS = 3660  # a horizon further than 10 years is not a purchase plan

# Words after a span: within it (relative) or later than it (beyond).
WITHIN_WORDS = ("以内", "之内", "内", "里")
BEYOND_WORDS = ("以上", "以后", "之后", "开外", "往后", "以外", "后")
BEYOND_PREFIXES = ("超过", "大于", "多于", "至少")
RANGE_WORDS = ("至", "到", "-", "~", "或", "—", "–", "〜")

# Soon words → relative days.
SOON_WORDS: dict[str, int] = {
    "马上": 7, "立即": 7, "立刻": 7, "近期": 7, "本周": 7, "这周": 7, "这星期": 7,
    "本星期": 7, "这个星期": 7, "这礼拜": 7, "这个礼拜": 7, "尽快": 7, "随时": 7,
    "最近": 7, "近日": 7, "这几天": 7,
    "下周": 14, "下星期": 14, "下个星期": 14, "下礼拜": 14, "下个礼拜": 14,
    "今天": 0, "今日": 0, "当天": 0, "明天": 1, "明日": 1, "后天": 2,
}
# Month words relative to the as-of month → month offset.
MONTH_WORDS: dict[str, int] = {
    "本月": 0, "这个月": 0, "这月": 0, "当月": 0, "上个月": -1, "上月": -1,
    "下个月": 1, "下月": 1, "下下个月": 2, "下下月": 2,
}
# Year words relative to the as-of year → year offset.
YEAR_WORDS: dict[str, int] = {
    "今年": 0, "本年": 0, "明年": 1, "来年": 1, "下年": 1, "后年": 2,
}
# Part of a month → day of the month (the rest mean the month's last day).
MONTH_PART_DAYS: dict[str, int] = {"初": 10, "上旬": 10, "中": 20, "中旬": 20}
MONTH_PARTS = ("上旬", "中旬", "下旬", "份", "底", "末", "初", "中")
# Part of a year → month (the rest mean December).
YEAR_PART_MONTHS: dict[str, int] = {"初": 1, "中": 6, "上半年": 6, "下半年": 12}

HORIZON_HINT = Why.HORIZON_HINT


def chinese_number(text: str) -> float | None:
    """Arabic or Chinese numerals → the number: "12", "1.5", "十二", "二十",
    "两"; two neighbouring numerals ("两三", "三五") give the larger. None when
    the text is not a number."""
    if not text:
        return None
    if text[0].isdigit():
        try:
            return float(text)
        except ValueError:
            return None
    if CHINESE_TEN in text:
        tens, _, ones = text.partition(CHINESE_TEN)
        if len(tens) > 1 or len(ones) > 1 or CHINESE_TEN in ones:
            return None
        if (tens and tens not in CHINESE_DIGITS) or (ones and ones not in CHINESE_DIGITS):
            return None
        return float(CHINESE_DIGITS.get(tens, 1) * 10 + CHINESE_DIGITS.get(ones, 0))
    if len(text) == 1:
        value = CHINESE_DIGITS.get(text)
        return None if value is None else float(value)
    if len(text) == 2 and all(ch in CHINESE_DIGITS for ch in text):
        low, high = CHINESE_DIGITS[text[0]], CHINESE_DIGITS[text[1]]
        return float(high) if 0 < low < high else None
    return None


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months, the day clipped to the month's end (01-31 + 1 month = 02-28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expected_date(h: Horizon, base: dt.date) -> dt.date | None:
    """The expected purchase date of a horizon.

    relative: ``base`` + days or calendar months; beyond: one day after that;
    absolute: the horizon's date. A no-need horizon has no purchase date: None.
    The caller picks ``base``: the latest contact, else first contact, else as-of.
    """
    if h.kind == "no_need":
        return None
    if h.kind == "absolute":
        if h.date is None:
            raise Problem(Why.HORIZON_NO_DATE)
        return h.date
    try:
        if h.months is not None:
            day = add_months(base, h.months)
        else:
            day = base + dt.timedelta(days=h.days or 0)
        if h.kind == "beyond":
            day += dt.timedelta(days=1)
    except (OverflowError, ValueError):
        raise Problem(Why.HORIZON_BEYOND_CALENDAR) from None
    return day


# --------------------------------------------------------------------------
# Reading the text
# --------------------------------------------------------------------------


class _Dated(NamedTuple):
    """A form whose date needs the as-of date or the date system.

    kind "month": ``month`` of a year given by ``year_mode`` — "abs" (``year``),
    "offset" (as-of year + ``year``) or "infer" (the next such month on or
    after the as-of month); ``day`` 0 = the month's last day.
    kind "month_offset": the as-of month + ``month``. kind "serial": an Excel
    serial written as text. kind "error": ``error`` says why.
    """

    kind: str
    year_mode: str = "infer"
    year: int = 0
    month: int = 0
    day: int = 0
    serial: float = 0.0
    error: Words | None = None


_Rule = Horizon | _Dated | None

_NUM = r"(?:\d{1,3}(?:\.\d{1,2})?|[零〇一二两三四五六七八九十]{1,3})"
_MONTH_NUM = r"(?:\d{1,2}|[一二三四五六七八九十]{1,2})"
_UNIT = "|".join(sorted(UNITS, key=len, reverse=True))
_PARTS = "|".join(MONTH_PARTS)
_YEAR_WORD = "|".join(YEAR_WORDS)
_AFTER = "|".join(WITHIN_WORDS + BEYOND_WORDS)


def _quantity(tag: str) -> str:
    return (
        rf"(?:(?P<{tag}n>{_NUM})个?(?P<{tag}h1>半|多)?|(?P<{tag}h0>半))个?"
        rf"(?P<{tag}u>{_UNIT})(?P<{tag}h2>半|多)?"
    )


_SUFFIX = rf"(?P<sfx>{_AFTER})?"
_BETWEEN = "|".join(map(re.escape, RANGE_WORDS))
_YMD = re.compile(
    r"(?<!\d)(?P<y>\d{4})(?:年|[-/.])(?P<m>\d{1,2})(?:月|[-/.])(?P<d>\d{1,2})[日号]?(?!\d)"
)
_MD = re.compile(
    rf"(?<![\d年.])(?P<m>{_MONTH_NUM})月(?P<d>\d{{1,2}}|[一二三四五六七八九十]{{1,3}})[日号]"
)
_YEAR = rf"(?:(?P<y>\d{{4}})年|(?P<rel>{_YEAR_WORD}))?"
_MONTH_RANGE = re.compile(
    rf"{_YEAR}(?<![\d.])(?P<m1>{_MONTH_NUM})月份?(?:{_BETWEEN})"
    rf"(?:(?P<y2>\d{{4}})年|(?P<rel2>{_YEAR_WORD}))?(?P<m>{_MONTH_NUM})月(?P<part>{_PARTS})?"
)
_YEAR_MONTH = re.compile(
    rf"(?<!\d)(?:(?P<y>\d{{4}})(?:年|[-/.])|(?P<yy>\d{{2}})年)(?P<m>{_MONTH_NUM})月?(?P<part>{_PARTS})?"
    r"(?![\d.个])"
)
_HALF_YEAR = re.compile(rf"{_YEAR}(?P<half>上半年|下半年)")
_YEAR_ONLY = re.compile(r"(?<!\d)(?P<y>\d{4})年(?P<part>初|中|底|末|内)?")
_MONTH = re.compile(
    rf"(?:(?P<rel>{_YEAR_WORD}))?(?<![\d.个至到~\-—–或])(?P<m>{_MONTH_NUM})月(?P<part>{_PARTS})?"
    rf"(?!{_AFTER})"
)
_RANGE = re.compile(
    rf"(?<![\d.])(?:{_quantity('a')}|(?P<abare>{_NUM}|半))"
    rf"(?:{_BETWEEN}){_quantity('b')}{_SUFFIX}"
)
_SPAN = re.compile(
    rf"(?P<over>{'|'.join(BEYOND_PREFIXES)})?(?<![\d.]){_quantity('q')}{_SUFFIX}"
)
_MONTH_WORD = re.compile(
    rf"(?P<w>{'|'.join(sorted(MONTH_WORDS, key=len, reverse=True))})(?P<part>{_PARTS}|内)?"
    rf"|(?<![\d个])月(?P<part2>底|末|内|初|中|上旬|中旬|下旬)"
)
_YEAR_WORD_RE = re.compile(
    rf"(?P<w>{_YEAR_WORD})(?P<part>年底|年初|年中|初|中|底|末|内)?|年(?P<part2>底|末|内)"
)
_SOON = re.compile("|".join(sorted(SOON_WORDS, key=len, reverse=True)))


def _month_number(text: str) -> int | None:
    """A month name's number: 1–12, written without 两 (两月 is two months)."""
    if "两" in text:
        return None
    value = chinese_number(text)
    if value is None or not value.is_integer() or not 1 <= value <= 12:
        return None
    if not text[0].isdigit() and len(text) == 2 and CHINESE_TEN not in text:
        return None  # "三四" is a range, not a month
    return int(value)


def _year_of(
    match: re.Match[str], year_group: str = "y", rel_group: str = "rel"
) -> tuple[str, int]:
    if match.group(year_group):
        return "abs", int(match.group(year_group))
    if match.group(rel_group):
        return "offset", YEAR_WORDS[match.group(rel_group)]
    return "infer", 0


def _month_rule(mode: str, year: int, month: int, part: str | None) -> _Dated:
    if mode == "abs" and not TEXT_YEARS[0] <= year <= TEXT_YEARS[1]:
        return _Dated("error", error=year_outside(year))
    return _Dated("month", mode, year, month, MONTH_PART_DAYS.get(part or "", 0))


def _on_ymd(m: re.Match[str]) -> _Rule:
    year, month, day = int(m.group("y")), int(m.group("m")), int(m.group("d"))
    if not TEXT_YEARS[0] <= year <= TEXT_YEARS[1]:
        return _Dated("error", error=year_outside(year))
    try:
        return Horizon("absolute", date=dt.date(year, month, day))
    except ValueError:
        return _Dated("error", error=Why.NO_SUCH_DAY(date=f"{year}-{month:02d}-{day:02d}"))


def _on_md(m: re.Match[str]) -> _Rule:
    month, day = _month_number(m.group("m")), chinese_number(m.group("d"))
    if month is None or day is None or not day.is_integer() or not 1 <= day <= 31:
        return None
    return _Dated("month", "infer", 0, month, int(day))


def _on_month_range(m: re.Match[str]) -> _Rule:
    if _month_number(m.group("m1")) is None:
        return None
    month = _month_number(m.group("m"))
    if month is None:
        return None
    mode, year = _year_of(m, "y2", "rel2")
    if mode == "infer":
        mode, year = _year_of(m)
    return _month_rule(mode, year, month, m.group("part"))


def _on_year_month(m: re.Match[str]) -> _Rule:
    month = _month_number(m.group("m"))
    if month is None:
        return None
    year = int(m.group("y")) if m.group("y") else 2000 + int(m.group("yy"))  # "27年3月"
    return _month_rule("abs", year, month, m.group("part"))


def _on_half_year(m: re.Match[str]) -> _Rule:
    mode, year = _year_of(m)
    return _month_rule(mode, year, YEAR_PART_MONTHS[m.group("half")], None)


def _on_year(m: re.Match[str]) -> _Rule:
    month = YEAR_PART_MONTHS.get(m.group("part") or "", 12)
    return _month_rule("abs", int(m.group("y")), month, None)


def _on_month(m: re.Match[str]) -> _Rule:
    month = _month_number(m.group("m"))
    if month is None:
        return None
    mode, year = ("offset", YEAR_WORDS[m.group("rel")]) if m.group("rel") else ("infer", 0)
    return _month_rule(mode, year, month, m.group("part"))


def _span_of(m: re.Match[str], tag: str) -> tuple[float, str] | None:
    """One quantity of a span → (amount, "days" | "months")."""
    base = 0.0
    if m.group(f"{tag}n"):
        number = chinese_number(m.group(f"{tag}n"))
        if number is None:
            return None
        base = number
    for group in (f"{tag}h0", f"{tag}h1", f"{tag}h2"):
        extra = m.group(group)
        if extra == "半":
            base += 0.5
        elif extra == "多":  # "一个多月" → 1.5 months; "20多天" → up to 29 days
            base += 0.5 if base < 10 else (9 if base % 10 == 0 else 0)
    what, factor = UNITS[m.group(f"{tag}u")]
    return base * factor, what


def _span_rule(amount: float, what: str, beyond: bool) -> _Rule:
    approx = amount if what == "days" else amount * 30.44
    if approx > MAX_SPAN_DAYS:
        return _Dated("error", error=Why.HORIZON_TOO_FAR)
    kind: HorizonKind = "beyond" if beyond else "relative"
    if what == "months" and float(amount).is_integer():
        return Horizon(kind, months=int(amount))
    days = amount if what == "days" else amount * DAYS_PER_MONTH
    return Horizon(kind, days=math.ceil(days - 1e-9))


def _is_beyond(m: re.Match[str]) -> bool:
    over = "over" in m.re.groupindex and m.group("over")
    return bool(over) or (m.group("sfx") or "") in BEYOND_WORDS


def _on_range(m: re.Match[str]) -> _Rule:
    high = _span_of(m, "b")
    if high is None:
        return None
    if m.group("abare"):
        number = 0.5 if m.group("abare") == "半" else chinese_number(m.group("abare"))
        if number is None:
            return None
        factor = UNITS[m.group("bu")][1]
        low: tuple[float, str] | None = (number * factor, high[1])
    else:
        low = _span_of(m, "a")
    if low is None:
        return None

    def size(span: tuple[float, str]) -> float:
        return span[0] if span[1] == "days" else span[0] * 30.44

    upper = max(low, high, key=size)
    return _span_rule(upper[0], upper[1], _is_beyond(m))


def _on_span(m: re.Match[str]) -> _Rule:
    number = m.group("qn") or ""
    if (
        m.group("qu") == "月"
        and "个" not in m.group(0)
        and not m.group("sfx")
        and not m.group("qh0")
        and "两" not in number
    ):
        return None  # "3月" is March, not three months
    span = _span_of(m, "q")
    if span is None:
        return None
    return _span_rule(span[0], span[1], _is_beyond(m))


def _on_month_word(m: re.Match[str]) -> _Rule:
    offset = MONTH_WORDS[m.group("w")] if m.group("w") else 0
    part = m.group("part") or m.group("part2")
    return _Dated("month_offset", month=offset, day=MONTH_PART_DAYS.get(part or "", 0))


def _on_year_word(m: re.Match[str]) -> _Rule:
    offset = YEAR_WORDS[m.group("w")] if m.group("w") else 0
    part = (m.group("part") or m.group("part2") or "").removeprefix("年")
    return _month_rule("offset", offset, YEAR_PART_MONTHS.get(part, 12), None)


def _on_soon(m: re.Match[str]) -> _Rule:
    return Horizon("relative", days=SOON_WORDS[m.group(0)])


# Searched in this order; the first form found decides. Longer, more specific
# forms come first ("明年3月" before "明年", "半年内" before "年内").
_FORMS: tuple[tuple[re.Pattern[str], Any], ...] = (
    (_YMD, _on_ymd),
    (_MD, _on_md),
    (_MONTH_RANGE, _on_month_range),
    (_YEAR_MONTH, _on_year_month),
    (_HALF_YEAR, _on_half_year),
    (_YEAR_ONLY, _on_year),
    (_MONTH, _on_month),
    (_RANGE, _on_range),
    (_SPAN, _on_span),
    (_MONTH_WORD, _on_month_word),
    (_YEAR_WORD_RE, _on_year_word),
    (_SOON, _on_soon),
)


@functools.lru_cache(maxsize=1 << 14)
def _read(text: str) -> _Rule:
    """Normalised horizon text → a Horizon, or what is still needed to date it."""
    if is_no_need(text):
        return Horizon("no_need", text=text)
    form = date_text(text)
    if form.kind == "ymd":
        return Horizon("absolute", date=dt.date(form.year, form.month, form.day), text=text)
    if form.kind == "md":
        return _Dated("month", "infer", 0, form.month, form.day)
    if form.kind == "serial":
        return _Dated("serial", serial=form.serial)
    if form.kind == "error":
        return _Dated("error", error=form.error)
    compact = "".join(text.lower().split())
    for pattern, handler in _FORMS:
        for match in pattern.finditer(compact):
            rule: _Rule = handler(match)
            if isinstance(rule, Horizon):
                return Horizon(rule.kind, rule.days, rule.months, rule.date, text)
            if rule is not None:
                return rule
    return _Dated("error", error=Why.UNKNOWN_HORIZON(hint=HORIZON_HINT))


def _month_end(year: int, month: int, day: int) -> dt.date:
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day, last) if day else last)


def _date_of(rule: _Dated, as_of: dt.date, date1904: bool) -> dt.date:
    if rule.kind == "serial":
        day = parse_date(rule.serial, as_of=as_of, date1904=date1904)
        assert day is not None
        return day
    if rule.kind == "month_offset":
        first = add_months(as_of.replace(day=1), rule.month)
        return _month_end(first.year, first.month, rule.day)
    if rule.kind == "month":
        if rule.year_mode == "abs":
            year = rule.year
        elif rule.year_mode == "offset":
            year = as_of.year + rule.year
        else:  # the next such month on or after the as-of month
            year = as_of.year if rule.month >= as_of.month else as_of.year + 1
        if rule.day > calendar.monthrange(year, rule.month)[1]:
            raise Problem(Why.NO_SUCH_DAY_WRITTEN(year=year, month=rule.month, day=rule.day))
        return _month_end(year, rule.month, rule.day)
    raise Problem(rule.error or Why.UNKNOWN_HORIZON(hint=HORIZON_HINT))


def _number_horizon(number: float, as_of: dt.date, date1904: bool) -> Horizon | None:
    if math.isnan(number):
        return None
    try:
        day = parse_date(number, as_of=as_of, date1904=date1904)
    except ValueError:
        day = None
    if day is not None:
        return Horizon("absolute", date=day, text=day.isoformat())
    # 2027.3 typed into a cell becomes a number: year.month.
    if math.isfinite(number) and TEXT_YEARS[0] <= number < TEXT_YEARS[1] + 1:
        year, hundredths = int(number), round((number - int(number)) * 100)
        if abs(number - year - hundredths / 100) < 1e-6:
            if hundredths == 10:
                raise Problem(Why.AMBIGUOUS_MONTH(number=f"{number:g}", year=year))
            month = hundredths if hundredths in (11, 12) else hundredths // 10
            if hundredths in (11, 12) or (hundredths % 10 == 0 and 1 <= month <= 9):
                return Horizon("absolute", date=_month_end(year, month, 0), text=f"{number:g}")
    raise Problem(Why.NUMBER_NOT_HORIZON(hint=HORIZON_HINT))


def parse_horizon(value: Any, *, as_of: dt.date, date1904: bool = False) -> Horizon | None:
    """A 预计购车时间 cell → Horizon, None when blank, ValueError when unreadable.

    Dates (cells, serials, any text form of parse_date) are absolute; month-day
    text takes the next such month on or after the as-of month, like "3月份".
    """
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        day = parse_date(value, as_of=as_of, date1904=date1904)
        return None if day is None else Horizon("absolute", date=day, text=day.isoformat())
    if isinstance(value, bool):
        raise Problem(Why.UNKNOWN_HORIZON(hint=HORIZON_HINT))
    if isinstance(value, (int, float)):
        number = float(value) if isinstance(value, float) or abs(value) < 10**300 else math.inf
        return _number_horizon(number, as_of, date1904)
    if is_blank(value):
        return None
    text = normalize_text(value if isinstance(value, str) else str(value))
    rule = _read(text)
    if rule is None or isinstance(rule, Horizon):
        return rule
    return Horizon("absolute", date=_date_of(rule, as_of, date1904), text=text)

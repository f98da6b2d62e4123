"""Purchase horizon (预计购车时间) text → Horizon → expected purchase date (domain.md §2)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadbook.horizon import Horizon, add_months, chinese_number, expected_date, parse_horizon

D = dt.date.fromisoformat
AS_OF = D("2026-11-22")


def rel(days: int | None = None, months: int | None = None) -> tuple[object, ...]:
    return ("relative", days, months, None)


def beyond(days: int | None = None, months: int | None = None) -> tuple[object, ...]:
    return ("beyond", days, months, None)


def absolute(day: str) -> tuple[object, ...]:
    return ("absolute", None, None, D(day))


# (cell text, what it reads as) at AS_OF = 2026-11-22
CASES = [
    # N天内 / N日内
    ("7天内", rel(days=7)),
    ("15日内", rel(days=15)),
    ("0天内", rel(days=0)),
    ("二十天内", rel(days=20)),
    ("20多天", rel(days=29)),
    # N周内 / N星期内 / N个星期内 / N礼拜内 → 7N days
    ("2周内", rel(days=14)),
    ("一周内", rel(days=7)),
    ("两星期内", rel(days=14)),
    ("3个星期内", rel(days=21)),
    ("2礼拜内", rel(days=14)),
    ("两个礼拜", rel(days=14)),
    # N个月内 / N月内 / N个月 → N months
    ("3个月内", rel(months=3)),
    ("3月内", rel(months=3)),
    ("3个月", rel(months=3)),
    ("十二个月内", rel(months=12)),
    ("两个月", rel(months=2)),
    ("两月", rel(months=2)),  # 两 is never a month name
    ("1个月以内", rel(months=1)),
    ("3个月左右", rel(months=3)),
    # Halves and "more than"
    ("半个月内", rel(days=15)),
    ("半月", rel(days=15)),
    ("一个半月", rel(days=45)),
    ("一个多月", rel(days=45)),
    ("1.5个月", rel(days=45)),
    ("半年内", rel(months=6)),
    ("预计半年", rel(months=6)),
    ("一年半", rel(months=18)),
    # Years
    ("一年内", rel(months=12)),
    ("1年内", rel(months=12)),
    ("一年之内", rel(months=12)),
    ("一年", rel(months=12)),
    ("2年内", rel(months=24)),
    ("10年内", rel(months=120)),
    # Beyond: later than the span
    ("一年以上", beyond(months=12)),
    ("1年后", beyond(months=12)),
    ("一年后", beyond(months=12)),
    ("一年以后", beyond(months=12)),
    ("2年以上", beyond(months=24)),
    ("超过一年", beyond(months=12)),
    ("半年以上", beyond(months=6)),
    ("3个月以上", beyond(months=3)),
    ("6个月后", beyond(months=6)),
    # Ranges: the upper bound counts
    ("4至6月", rel(months=6)),  # months, not calendar months
    ("1-3月", rel(months=3)),
    ("3-6个月", rel(months=6)),
    ("3~6个月", rel(months=6)),
    ("3～6个月", rel(months=6)),
    ("3到6个月", rel(months=6)),
    ("3至6个月内", rel(months=6)),
    ("3个月-6个月", rel(months=6)),
    ("1-2周", rel(days=14)),
    ("2-3天", rel(days=3)),
    ("半年到一年", rel(months=12)),
    ("3个月到半年", rel(months=6)),
    ("6个月-1年", rel(months=12)),
    ("一到两个月", rel(months=2)),
    ("两三个月", rel(months=3)),
    ("三四个月", rel(months=4)),
    ("1~2个月内", rel(months=2)),
    # Soon words → 7 days
    ("马上", rel(days=7)),
    ("立即", rel(days=7)),
    ("近期", rel(days=7)),
    ("本周", rel(days=7)),
    ("这周", rel(days=7)),
    ("本周内", rel(days=7)),
    ("下周", rel(days=14)),
    ("今天", rel(days=0)),
    # Dates in any form → absolute
    ("2026-12-01", absolute("2026-12-01")),
    ("2026/12/1", absolute("2026-12-01")),
    ("2026.12.1", absolute("2026-12-01")),
    ("2026年12月1日", absolute("2026-12-01")),
    ("20261201", absolute("2026-12-01")),
    ("2026-12-01 10:00", absolute("2026-12-01")),
    ("46357", absolute("2026-12-01")),
    ("预计2026年12月1日前", absolute("2026-12-01")),
    # Month-day text: the next such month on or after the as-of month
    ("12月5日", absolute("2026-12-05")),
    ("11月3日", absolute("2026-11-03")),  # this month: passed, flagged by the rules
    ("1月3日", absolute("2027-01-03")),
    ("三月五号", absolute("2027-03-05")),
    ("1/3", absolute("2027-01-03")),
    # A month: by the end of it
    ("2027年3月", absolute("2027-03-31")),
    ("2027年3月份", absolute("2027-03-31")),
    ("2027年三月", absolute("2027-03-31")),
    ("2027.3", absolute("2027-03-31")),
    ("2027-03", absolute("2027-03-31")),
    ("2027/3", absolute("2027-03-31")),
    ("27年3月", absolute("2027-03-31")),
    ("2027年2月", absolute("2027-02-28")),
    ("3月", absolute("2027-03-31")),
    ("3月份", absolute("2027-03-31")),
    ("3月底", absolute("2027-03-31")),
    ("3月初", absolute("2027-03-10")),
    ("3月中旬", absolute("2027-03-20")),
    ("明年3月", absolute("2027-03-31")),
    ("今年3月", absolute("2026-03-31")),  # passed: flagged by the rules
    ("11月", absolute("2026-11-30")),  # the as-of month itself
    ("10月", absolute("2027-10-31")),  # the month before the as-of month: next year
    ("12月", absolute("2026-12-31")),
    ("十二月", absolute("2026-12-31")),
    ("11月到12月", absolute("2026-12-31")),
    ("预计2026年12月底前提车", absolute("2026-12-31")),
    # This / next month, this / next year
    ("本月", absolute("2026-11-30")),
    ("本月内", absolute("2026-11-30")),
    ("月底", absolute("2026-11-30")),
    ("这个月底", absolute("2026-11-30")),
    ("下个月", absolute("2026-12-31")),
    ("下月", absolute("2026-12-31")),
    ("下个月初", absolute("2026-12-10")),
    ("下下个月", absolute("2027-01-31")),
    ("年底", absolute("2026-12-31")),
    ("年内", absolute("2026-12-31")),
    ("今年", absolute("2026-12-31")),
    ("今年内", absolute("2026-12-31")),
    ("今年年底", absolute("2026-12-31")),
    ("明年", absolute("2027-12-31")),
    ("明年初", absolute("2027-01-31")),
    ("明年年中", absolute("2027-06-30")),
    ("上半年", absolute("2027-06-30")),
    ("下半年", absolute("2026-12-31")),
    ("明年上半年", absolute("2027-06-30")),
    ("2027年", absolute("2027-12-31")),
    ("2027年底", absolute("2027-12-31")),
    # Traditional, full-width and surrounding words
    ("3個月內", rel(months=3)),
    ("兩週內", rel(days=14)),
    ("兩個月內", rel(months=2)),
    ("半年內", rel(months=6)),
    ("一年以上", beyond(months=12)),
    ("預計3個月內購車", rel(months=3)),
    ("１２个月内", rel(months=12)),
    ("２０２７年３月", absolute("2027-03-31")),
    ("预计3个月内购车", rel(months=3)),
    ("大约两个月", rel(months=2)),
    (" 3 个月 内 ", rel(months=3)),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_parse_horizon(text: str, expected: tuple[object, ...]) -> None:
    h = parse_horizon(text, as_of=AS_OF)
    assert h is not None
    assert (h.kind, h.days, h.months, h.date) == expected


@pytest.mark.parametrize("text", ["暂不购买", "暫不購買", "无需求", "不买了", "不确定", "暂无需求",
                                  "客户说暂不购买, 一年后再看"])
def test_no_need(text: str) -> None:
    h = parse_horizon(text, as_of=AS_OF)
    assert h is not None and h.kind == "no_need"
    assert expected_date(h, AS_OF) is None


@pytest.mark.parametrize("value", [None, "", "  ", "-", "—", "/", "无", float("nan")])
def test_blank(value: object) -> None:
    assert parse_horizon(value, as_of=AS_OF) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "无法识别"),
        ("很快吧", "无法识别"),
        ("个月内", "无法识别"),  # the number is missing
        ("13月", "无法识别"),
        ("3", "无法识别"),
        ("年后", "无法识别"),
        ("11年内", "超过 10 年"),
        ("100年以上", "超过 10 年"),
        ("2026-02-30", "不是日历上存在的日期"),
        ("2月30日", "不是日历上存在的日期"),
        ("0900年3月", "年份"),
        (3, "单独的数字"),
        (2027.1, "1 月也可能是 10 月"),
        (2027.45, "单独的数字"),
        (True, "无法识别"),
        (dt.time(10, 0), "只有时间"),
    ],
)
def test_errors(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_horizon(value, as_of=AS_OF)


@pytest.mark.parametrize(
    ("value", "date1904", "expected"),
    [
        (dt.date(2027, 1, 15), False, "2027-01-15"),
        (dt.datetime(2027, 1, 15, 9, 30), False, "2027-01-15"),
        (46402, False, "2027-01-15"),
        (46402.5, False, "2027-01-15"),
        (44940, True, "2027-01-15"),
        ("44940", True, "2027-01-15"),
        (20270115, False, "2027-01-15"),
        (2027.3, False, "2027-03-31"),  # 2027.3 typed into a cell is a number
        (2027.12, False, "2027-12-31"),
        (2027.11, False, "2027-11-30"),
    ],
)
def test_cells(value: object, date1904: bool, expected: str) -> None:
    h = parse_horizon(value, as_of=AS_OF, date1904=date1904)
    assert h is not None and (h.kind, h.date) == ("absolute", D(expected))


@pytest.mark.parametrize(
    ("text", "as_of", "expected"),
    [
        ("1月", "2026-12-15", "2027-01-31"),
        ("12月", "2026-12-15", "2026-12-31"),
        ("本月", "2026-02-03", "2026-02-28"),
        ("下个月", "2026-12-31", "2027-01-31"),
        ("下个月", "2026-01-31", "2026-02-28"),
        ("年底", "2027-01-05", "2027-12-31"),
        ("12月28日", "2027-01-05", "2027-12-28"),
        ("1月3日", "2026-12-31", "2027-01-03"),
        ("2月29日", "2027-11-22", "2028-02-29"),
    ],
)
def test_as_of_dependence(text: str, as_of: str, expected: str) -> None:
    h = parse_horizon(text, as_of=D(as_of))
    assert h is not None and h.date == D(expected)


def test_relative_forms_do_not_depend_on_as_of() -> None:
    assert parse_horizon("3个月内", as_of=AS_OF) == parse_horizon("3个月内", as_of=D("2020-01-01"))


def test_text_is_the_normalised_source() -> None:
    h = parse_horizon(" 預計3個月內購車 ", as_of=AS_OF)
    assert h == Horizon("relative", months=3, text="预计3个月内购车")


@pytest.mark.parametrize(
    ("horizon", "base", "expected"),
    [
        (Horizon("relative", days=7), "2026-11-22", "2026-11-29"),
        (Horizon("relative", days=0), "2026-11-22", "2026-11-22"),
        (Horizon("relative", months=3), "2026-11-22", "2027-02-22"),
        (Horizon("relative", months=1), "2026-01-31", "2026-02-28"),  # clipped to month end
        (Horizon("relative", months=1), "2028-01-31", "2028-02-29"),
        (Horizon("relative", months=12), "2028-02-29", "2029-02-28"),
        (Horizon("relative", months=6), "2026-08-31", "2027-02-28"),
        (Horizon("beyond", months=12), "2026-11-22", "2027-11-23"),  # later than 12 months
        (Horizon("beyond", days=14), "2026-11-22", "2026-12-07"),
        (Horizon("absolute", date=D("2027-03-31")), "2026-11-22", "2027-03-31"),
        (Horizon("absolute", date=D("2027-03-31")), "2020-01-01", "2027-03-31"),
    ],
)
def test_expected_date(horizon: Horizon, base: str, expected: str) -> None:
    assert expected_date(horizon, D(base)) == D(expected)


def test_expected_date_no_need_is_none() -> None:
    assert expected_date(Horizon("no_need"), AS_OF) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("3", 3), ("12", 12), ("1.5", 1.5), ("一", 1), ("两", 2), ("二", 2), ("十", 10),
     ("十二", 12), ("二十", 20), ("二十四", 24), ("两三", 3), ("三五", 5), ("零", 0)],
)
def test_chinese_number(text: str, expected: float) -> None:
    assert chinese_number(text) == expected


@pytest.mark.parametrize("text", ["", "三二", "十十", "一二三", "百", "二十十", "x"])
def test_chinese_number_rejects(text: str) -> None:
    assert chinese_number(text) is None


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [("2026-01-31", 1, "2026-02-28"), ("2026-11-30", 3, "2027-02-28"),
     ("2026-03-31", -1, "2026-02-28"), ("2026-11-22", 0, "2026-11-22"),
     ("2026-11-22", 14, "2028-01-22")],
)
def test_add_months(day: str, months: int, expected: str) -> None:
    assert add_months(D(day), months) == D(expected)


# --------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------

HORIZON_ALPHABET = [
    *"0123456789０１２-~/.年月日号天周个内以上后至到半一二两三十個內週兩底初份明今本下",
    "星期", "礼拜", "以内", "以上", "暂不购买", "马上",
]
HORIZON_TEXT = st.lists(st.sampled_from(HORIZON_ALPHABET), max_size=8).map("".join)
MIXED = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.datetimes(), st.dates(),
    st.times(), st.decimals(), st.text(), HORIZON_TEXT,
)


@pytest.mark.slow
@settings(max_examples=500)
@given(MIXED, st.booleans())
def test_only_value_error(value: object, date1904: bool) -> None:
    try:
        h = parse_horizon(value, as_of=AS_OF, date1904=date1904)
    except ValueError as exc:
        assert str(exc)
        return
    if h is not None:
        assert h.kind in ("relative", "absolute", "beyond", "no_need")
        expected_date(h, AS_OF)


@pytest.mark.slow
@settings(max_examples=500)
@given(st.one_of(HORIZON_TEXT, st.sampled_from([c[0] for c in CASES])),
       st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_reading_the_text_again_gives_the_same_horizon(text: str, as_of: dt.date) -> None:
    try:
        h = parse_horizon(text, as_of=as_of)
    except ValueError:
        return
    if h is not None:
        assert parse_horizon(h.text, as_of=as_of) == h
        if h.kind != "no_need":
            day = expected_date(h, as_of)
            assert day is not None and (h.kind == "absolute" or day >= as_of)

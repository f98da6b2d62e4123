"""Cell value parsers: dates, phones, grades, statuses, counts, money (domain.md §6).

Each table lists values on both sides of a boundary; the Hypothesis tests prove
that any text or mixed cell value gives a value, None or a ValueError, never
another exception.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadbook.model import Status
from leadbook.values import (
    is_blank,
    is_no_need,
    mask_phone,
    mask_text,
    normalize_text,
    parse_count,
    parse_date,
    parse_grade,
    parse_money,
    parse_phone,
    parse_status,
    serial_to_date,
)

D = dt.date.fromisoformat
AS_OF = D("2026-11-22")

# Cells as a reader may hand them over: text and every Python cell type.
DATE_ALPHABET = "0123456789０１２-/.年月日号號:T 时点分周星期()"
MIXED = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(),
    st.dates(),
    st.times(),
    st.decimals(),
    st.text(),
    st.text(alphabet=DATE_ALPHABET, max_size=20),
)


# --------------------------------------------------------------------------
# Normalisation and blanks
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  A級客戶 ", "A级客户"),
        ("１２３４５", "12345"),
        ("Ａ", "A"),
        ("\u3000已訂車\u3000", "已订车"),
        ("個月內", "个月内"),
        ("plain", "plain"),
    ],
)
def test_normalize_text(text: str, expected: str) -> None:
    assert normalize_text(text) == expected


@given(st.text())
def test_normalizing_twice_changes_nothing(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


@pytest.mark.parametrize(
    ("value", "blank"),
    [
        (None, True), ("", True), ("   ", True), ("-", True), ("—", True), ("/", True),
        ("无", True), ("N/A", True), (float("nan"), True), ("－", True),
        ("0", False), (0, False), ("无效", False), ("A", False),
    ],
)
def test_is_blank(value: object, blank: bool) -> None:
    assert is_blank(value) is blank


# --------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # Excel date cells
        (dt.datetime(2026, 11, 3, 14, 30), "2026-11-03"),
        (dt.date(2026, 11, 3), "2026-11-03"),
        # Serial numbers (1900 system), a time part ignored
        (46329, "2026-11-03"),
        (46329.0, "2026-11-03"),
        (46329.99, "2026-11-03"),
        (32874, "1990-01-01"),  # first accepted serial
        (73415, "2100-12-31"),  # last accepted serial
        # yyyymmdd stored as a number
        (20261103, "2026-11-03"),
        # Text forms
        ("2026-11-03", "2026-11-03"),
        ("2026/11/3", "2026-11-03"),
        ("2026.11.3", "2026-11-03"),
        ("2026年11月3日", "2026-11-03"),
        ("2026年11月3号", "2026-11-03"),
        ("2026 年 11 月 3 日", "2026-11-03"),
        ("20261103", "2026-11-03"),
        ("46329", "2026-11-03"),
        ("46329.5", "2026-11-03"),
        ("11月3日", "2026-11-03"),
        ("11月3号", "2026-11-03"),
        ("11-03", "2026-11-03"),
        ("11/3", "2026-11-03"),
        ("11.3", "2026-11-03"),
        # With a time or a weekday
        ("2026-11-03 14:30", "2026-11-03"),
        ("2026/11/3 9:05:00", "2026-11-03"),
        ("2026-11-03T14:30:00", "2026-11-03"),
        ("2026-11-03T14:30:00.000Z", "2026-11-03"),
        ("2026-11-03 00:00:00", "2026-11-03"),
        ("2026年11月3日 14:30", "2026-11-03"),
        ("2026年11月3日14时30分", "2026-11-03"),
        ("11月3日(周二)", "2026-11-03"),
        ("2026-11-03 星期二", "2026-11-03"),
        # Full-width and traditional
        ("２０２６－１１－０３", "2026-11-03"),
        ("２０２６年１１月３日", "2026-11-03"),
        ("2026年11月3號", "2026-11-03"),
        ("  2026-11-03  ", "2026-11-03"),
        # Leap days
        ("2028-02-29", "2028-02-29"),
        # Birthdays are dates too
        ("1985-06-01", "1985-06-01"),
    ],
)
def test_parse_date(value: object, expected: str) -> None:
    assert parse_date(value, as_of=AS_OF) == D(expected)


@pytest.mark.parametrize("value", [None, "", "   ", "-", "—", "/", "无", float("nan")])
def test_parse_date_blank(value: object) -> None:
    assert parse_date(value, as_of=AS_OF) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-02-30", "不是日历上存在的日期"),
        ("2027-02-29", "不是日历上存在的日期"),
        ("2026-13-01", "不是日历上存在的日期"),
        ("13月3日", "不是日历上存在的日期"),
        ("2026-11-03 25:00", "时间"),
        ("2026-11-03 14:60", "时间"),
        ("2026-11", "应为日期"),
        ("下周一", "应为日期"),
        ("03/11/26", "应为日期"),
        ("abc", "应为日期"),
        ("1234", "应为日期"),
        ("0800-01-01", "年份"),
        ("12345678", "年份"),
        (32873, "1990–2100"),  # 1989-12-31: outside the serial window
        (73416, "1990–2100"),  # 2101-01-01
        (5, "1990–2100"),
        (-3, "1990–2100"),
        (13812345678, "1990–2100"),
        (float("inf"), "不是日期"),
        (20260230, "不是日历上存在的日期"),
        (dt.time(14, 30), "只有时间"),
        (dt.datetime(1899, 12, 30, 14, 30), "只有时间"),
        (True, "应为日期"),
    ],
)
def test_parse_date_errors(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_date(value, as_of=AS_OF)


@pytest.mark.parametrize(
    ("text", "as_of", "expected"),
    [
        # Same year as the as-of date...
        ("11月3日", "2026-11-22", "2026-11-03"),
        ("1月3日", "2026-11-22", "2026-01-03"),  # earlier in the year: same year
        ("12月28日", "2026-11-22", "2026-12-28"),  # shortly after: same year
        # ...unless more than 183 days after it: then the year before.
        ("12月28日", "2027-01-05", "2026-12-28"),
        ("7月3日", "2026-01-01", "2026-07-03"),  # exactly 183 days after
        ("7月4日", "2026-01-01", "2025-07-04"),  # 184 days after
        ("7-3", "2026-01-01", "2026-07-03"),
        ("7/4", "2026-01-01", "2025-07-04"),
        ("2月29日", "2028-03-01", "2028-02-29"),
    ],
)
def test_month_day_year_inference(text: str, as_of: str, expected: str) -> None:
    assert parse_date(text, as_of=D(as_of)) == D(expected)


def test_month_day_in_a_year_without_it() -> None:
    with pytest.raises(ValueError, match="2027年2月29日"):
        parse_date("2月29日", as_of=D("2027-03-01"))


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (1, "1900-01-01"),
        (59, "1900-02-28"),
        (61, "1900-03-01"),  # the day after Excel's fake 1900-02-29
        (61.75, "1900-03-01"),
        (46329, "2026-11-03"),
    ],
)
def test_serial_1900(serial: float, expected: str) -> None:
    assert serial_to_date(serial) == D(expected)


@pytest.mark.parametrize(("serial", "message"), [(60, "1900-02-29"), (0, "只有时间"),
                                                 (0.5, "只有时间"), (-1, "负数")])
def test_serial_1900_errors(serial: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        serial_to_date(serial)


@pytest.mark.parametrize(
    ("serial", "expected"),
    [(0, "1904-01-01"), (1, "1904-01-02"), (44867, "2026-11-03"), (44867.5, "2026-11-03")],
)
def test_serial_1904(serial: float, expected: str) -> None:
    assert serial_to_date(serial, date1904=True) == D(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(44867, "2026-11-03"), ("44867", "2026-11-03"), (31412, "1990-01-01")],
)
def test_parse_date_1904(value: object, expected: str) -> None:
    assert parse_date(value, as_of=AS_OF, date1904=True) == D(expected)


def test_parse_date_1904_window() -> None:
    with pytest.raises(ValueError, match="1990–2100"):
        parse_date(31411, as_of=AS_OF, date1904=True)


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_date_text_round_trip(day: dt.date) -> None:
    for text in (day.isoformat(), f"{day.year}年{day.month}月{day.day}日",
                 f"{day.year}/{day.month}/{day.day}", day.strftime("%Y%m%d")):
        assert parse_date(text, as_of=AS_OF) == day
    serial = (day - dt.date(1899, 12, 30)).days
    assert parse_date(serial, as_of=AS_OF) == day
    assert parse_date(serial - 1462, as_of=AS_OF, date1904=True) == day


# --------------------------------------------------------------------------
# Phones
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (13812345678, "13812345678"),
        (13812345678.0, "13812345678"),
        (1.3812345678e10, "13812345678"),
        (8613812345678, "13812345678"),
        ("13812345678", "13812345678"),
        ("13812345678.0", "13812345678"),
        ("1.3812345678E+10", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("138.1234.5678", "13812345678"),
        ("(138)12345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("0086-13812345678", "13812345678"),
        ("008613812345678", "13812345678"),
        ("86 13812345678", "13812345678"),
        ("８６１３８１２３４５６７８", "13812345678"),
        ("010-12345678", "01012345678"),
        ("(010) 1234-5678", "01012345678"),
        ("0755 1234 5678", "075512345678"),
        ("0755-1234567", "07551234567"),
        ("+86 10 1234 5678", "01012345678"),
        ("010-12345678转8001", "01012345678"),
        ("12345678", "12345678"),  # local number, 8 digits
        ("1234567", "1234567"),  # local number, 7 digits
        ("400-123-4567", "4001234567"),
        # Two numbers in one cell: the first
        ("13812345678/13987654321", "13812345678"),
        ("13812345678, 13987654321", "13812345678"),
        ("13812345678、13987654321", "13812345678"),
        ("13812345678；13987654321", "13812345678"),
        ("13812345678 13987654321", "13812345678"),
        ("138 1234 5678 139 8765 4321", "13812345678"),
    ],
)
def test_parse_phone(value: object, expected: str) -> None:
    assert parse_phone(value) == expected


@pytest.mark.parametrize("value", [None, "", "  ", "-", "—", "/", "无", "暂无", float("nan")])
def test_parse_phone_blank(value: object) -> None:
    assert parse_phone(value) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("138abc5678", "字母或文字"),
        ("手机13812345678", "字母或文字"),
        ("不详", "字母或文字"),
        ("123456", "6 位"),  # one digit short of the shortest local number
        ("1381234567890", "13 位"),  # one digit past the longest
        ("1.38E+10", "科学计数法"),
        ("1.38123E+10", "科学计数法"),
        ("+1 415 555 1234", "+86"),
        (123456, "6 位"),
        (13812345678.5, "小数"),
        (-13812345678, "位数"),
        (float("inf"), "位数"),
        (10**40, "位数"),
        (True, "手机号"),
        (dt.date(2026, 11, 3), "日期"),
    ],
)
def test_parse_phone_errors(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_phone(value)


def test_phone_errors_never_show_the_number() -> None:
    with pytest.raises(ValueError) as caught:
        parse_phone("1381234567890")
    assert "1381234567890" not in str(caught.value)


PHONE_TEXT = st.text(alphabet="0123456789 -+().86/,转x", max_size=30)


@given(st.one_of(PHONE_TEXT, st.integers(), st.floats(), st.text()))
def test_parse_phone_idempotent(value: object) -> None:
    try:
        phone = parse_phone(value)
    except ValueError:
        return
    if phone is not None:
        assert phone.isascii() and phone.isdigit() and 7 <= len(phone) <= 12
        assert parse_phone(phone) == phone


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("01012345678", "010****5678"),
        ("075512345678", "075*****5678"),
        ("12345678", "123*5678"),
        ("1234567", "*****67"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(phone: str | None, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("13812345678", "138****5678"),
        ("客户 13812345678 已到店", "客户 138****5678 已到店"),
        ("电话: +86 138 1234 5678", "电话: +86 138 **** 5678"),
        ("0086-13812345678", "0086-138****5678"),
        ("138-1234-5678", "138-****-5678"),
        ("座机 010-12345678", "座机 010-****5678"),
        ("13812345678/13987654321", "138****5678/139****4321"),
        ("138 1234 5678 139 8765 4321", "138 **** **** *** **** 4321"),
        # Dates, times and short numbers stay readable.
        ("2026-11-03 14:30", "2026-11-03 14:30"),
        ("20261103", "20261103"),
        ("13812345678 2026-11-03", "138****5678 2026-11-03"),
        ("来店 12 批, 金额 1,200 元", "来店 12 批, 金额 1,200 元"),
        ("123456", "123456"),
        ("", ""),
    ],
)
def test_mask_text(text: str, masked: str) -> None:
    assert mask_text(text) == masked


NO_DIGITS = st.text(st.characters(blacklist_categories=("Nd", "Cs")))


@given(NO_DIGITS, st.integers(min_value=13000000000, max_value=19999999999), NO_DIGITS)
def test_mask_text_hides_every_mobile(before: str, number: int, after: str) -> None:
    digits = str(number)
    masked = mask_text(f"{before} {digits} {after}")
    assert re.sub(r"\D", "", masked) == digits[:3] + digits[-4:]


# --------------------------------------------------------------------------
# Grades
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("A", "A"), ("a", "A"), ("Ａ", "A"), ("ａ", "A"), (" h ", "H"),
        ("A级", "A"), ("A級", "A"), ("A类", "A"), ("A類", "A"), ("A级客户", "A"),
        ("A級客戶", "A"), ("B类客户", "B"), ("C 级", "C"), ("O", "O"), ("F", "F"),
        ("N", "N"), ("E", "E"), ("H级", "H"),
    ],
)
def test_parse_grade(value: str, expected: str) -> None:
    assert parse_grade(value) == expected


@pytest.mark.parametrize("value", [None, "", " ", "-", "/", "无", float("nan")])
def test_parse_grade_blank(value: object) -> None:
    assert parse_grade(value) is None


@pytest.mark.parametrize("value", ["AB", "A+", "1", "高", "A级B", "级", 1, 2.5, True,
                                   dt.date(2026, 1, 1)])
def test_parse_grade_errors(value: object) -> None:
    with pytest.raises(ValueError, match="客户级别"):
        parse_grade(value)


# --------------------------------------------------------------------------
# Statuses
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("跟进中", Status.ACTIVE), ("意向", Status.ACTIVE), ("潜在", Status.ACTIVE),
        ("有望", Status.ACTIVE), ("意向客户", Status.ACTIVE),
        ("已成交", Status.WON), ("成交", Status.WON), ("已订车", Status.WON),
        ("订单", Status.WON), ("已交车", Status.WON), ("保有", Status.WON),
        ("战败", Status.LOST), ("流失", Status.LOST), ("已战败", Status.LOST),
        ("无效", Status.INVALID), ("失效", Status.INVALID), ("重复线索", Status.INVALID),
        ("休眠", Status.DORMANT), ("冷冻", Status.DORMANT),
        # Traditional and full-width
        ("戰敗", Status.LOST), ("已訂車", Status.WON), ("冷凍", Status.DORMANT),
        ("跟進中", Status.ACTIVE), (" 已成交 ", Status.WON),
        # A negation directly before a word: still being worked
        ("未成交", Status.ACTIVE), ("没有成交", Status.ACTIVE), ("没成交", Status.ACTIVE),
        ("不成交", Status.ACTIVE), ("尚未成交", Status.ACTIVE), ("未能成交", Status.ACTIVE),
        ("非意向", Status.ACTIVE), ("未战败", Status.ACTIVE), ("未 成交", Status.ACTIVE),
        # A negation not directly before the word does not count
        ("不久前成交", Status.WON),
        # The longest word decides; equal lengths: the more final state
        ("已成交(原意向)", Status.WON),
        ("未成交, 战败", Status.LOST),
        ("跟进中 已订车", Status.WON),
        ("意向无效", Status.INVALID),
    ],
)
def test_parse_status(value: str, expected: Status) -> None:
    assert parse_status(value) is expected


@pytest.mark.parametrize("value", [None, "", "-", "无", float("nan")])
def test_parse_status_blank(value: object) -> None:
    assert parse_status(value) is None


@pytest.mark.parametrize("value", ["abc", "待定", "交车", "1", 1, True, dt.date(2026, 1, 1)])
def test_parse_status_errors(value: object) -> None:
    with pytest.raises(ValueError, match="客户状态"):
        parse_status(value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("暂不购买", True), ("暫不購買", True), ("客户说无需求", True), ("不买了", True),
     ("不确定", True), ("3个月内", False), ("", False), (None, False), (3, False)],
)
def test_is_no_need(text: object, expected: bool) -> None:
    assert is_no_need(text) is expected


# --------------------------------------------------------------------------
# Counts and money
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, 0.0), (12, 12.0), (12.0, 12.0), (2.5, 2.5), ("12", 12.0), ("０", 0.0),
        ("１２", 12.0), ("1,200", 1200.0), ("1，200", 1200.0), ("1,234,567", 1234567.0),
        ("12.5", 12.5), (" 7 ", 7.0), ("12批", 12.0), ("3人", 3.0), ("5 批次", 5.0),
        ("0.5", 0.5),
    ],
)
def test_parse_count(value: object, expected: float) -> None:
    assert parse_count(value) == expected


@pytest.mark.parametrize("value", [None, "", "-", "—", "/", "无", float("nan")])
def test_parse_count_blank(value: object) -> None:
    assert parse_count(value) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [(-1, "负数"), ("-1", "负数"), ("-1,200", "负数"), (-0.5, "负数"), ("abc", "数量"),
     ("1,20", "数量"), ("12万", "数量"), ("1.2.3", "数量"), (float("inf"), "有限"),
     (True, "数字"), (dt.date(2026, 1, 1), "数字"), (10**400, "有限")],
)
def test_parse_count_errors(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_count(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (650000, 650000.0), (1200.5, 1200.5), ("1200", 1200.0), ("1,200元", 1200.0),
        ("¥1200", 1200.0), ("￥1,200", 1200.0), ("12万", 120000.0), ("1.2万元", 12000.0),
        ("65万元", 650000.0), ("RMB 1200", 1200.0), ("人民币1200元", 1200.0),
        ("12w", 120000.0), ("12W", 120000.0), ("5k", 5000.0), ("１２００元", 1200.0),
    ],
)
def test_parse_money(value: object, expected: float) -> None:
    assert parse_money(value) == pytest.approx(expected)


@pytest.mark.parametrize("value", ["-1200", "-1,200元", "abc", "万", "12万万", "元"])
def test_parse_money_errors(value: object) -> None:
    with pytest.raises(ValueError, match="金额"):
        parse_money(value)


# --------------------------------------------------------------------------
# Never any exception but ValueError
# --------------------------------------------------------------------------

PARSERS = {
    "date": lambda v: parse_date(v, as_of=AS_OF),
    "date1904": lambda v: parse_date(v, as_of=AS_OF, date1904=True),
    "phone": parse_phone,
    "grade": parse_grade,
    "status": parse_status,
    "count": parse_count,
    "money": parse_money,
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PARSERS))
@settings(max_examples=300)
@given(value=MIXED)
def test_parsers_only_raise_value_error(name: str, value: object) -> None:
    try:
        PARSERS[name](value)
    except ValueError as exc:
        assert str(exc)


@given(MIXED)
def test_helpers_never_raise(value: object) -> None:
    assert isinstance(mask_text(str(value)), str)
    assert isinstance(is_no_need(value), bool)
    assert isinstance(is_blank(value), bool)
    if isinstance(value, str):
        assert isinstance(mask_phone(value), str)


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=0, max_value=1e6))
def test_counts_of_numbers_are_the_numbers(number: float) -> None:
    assert parse_count(number) == number
    assert not math.isnan(parse_money(number) or 0.0)

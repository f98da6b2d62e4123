"""Why a cell's value cannot be read, in Chinese and English (leadbook.values, leadbook.horizon).

The parsers raise :class:`leadbook.texts.Problem` carrying one of these; the
reader puts it into the Issue's message after the column's header
("下次跟进日期: 无法识别的日期; 应为日期, 如 …"). The hints name the forms
domain.md §6 lists.
"""

from __future__ import annotations

from .texts import Phrase


class Why(Phrase):
    """Why a value cannot be read (``NAME = code, zh, en``)."""

    # Dates (values.parse_date)
    DATE_FORMS = (
        "date_forms",
        "应为日期, 如 2026-11-03、2026/11/3、2026.11.3、2026年11月3日、20261103 或 11月3日",
        "expected a date, such as 2026-11-03, 2026/11/3, 2026.11.3, 2026年11月3日, 20261103 "
        "or 11月3日")
    UNKNOWN_DATE = "unknown_date", "无法识别的日期; {hint}", "not a date leadbook can read; {hint}"
    NOT_A_SERIAL = "not_a_serial", "不是有效的 Excel 日期序号", "not a valid Excel date number"
    SERIAL_TOO_LARGE = (
        "serial_too_large", "数字 {number} 太大, 不是 Excel 日期",
        "the number {number} is too large to be an Excel date")
    NEGATIVE_SERIAL = (
        "negative_serial", "负数不是 Excel 日期", "a negative number is not an Excel date")
    TIME_ONLY = "time_only", "只有时间, 没有日期", "a time without a date"
    FAKE_LEAP_DAY = (
        "fake_leap_day", "Excel 序号 60 是不存在的 1900-02-29",
        "Excel's day number 60 is 1900-02-29, a day that never was")
    NUMBER_NOT_DATE = "number_not_date", "数字不是日期", "the number is not a date"
    SERIAL_OUT_OF_RANGE = (
        "serial_out_of_range", "数字 {number} 不是 {low}–{high} 年之间的 Excel 日期; {hint}",
        "the number {number} is not an Excel date of the years {low}–{high}; {hint}")
    YEAR_OUT_OF_RANGE = (
        "year_out_of_range", "年份 {year} 不在 {low}–{high} 之间",
        "the year {year} is not between {low} and {high}")
    NO_SUCH_DAY = (
        "no_such_day", "{date} 不是日历上存在的日期", "{date} is not a day of the calendar")
    NO_SUCH_DAY_WRITTEN = (
        "no_such_day_written", "{year}年{month}月{day}日 不是日历上存在的日期",
        "{year}年{month}月{day}日 is not a day of the calendar")
    NO_SUCH_MONTH_DAY = (
        "no_such_month_day", "{month}月{day}日 不是日历上存在的日期",
        "{month}月{day}日 is not a day of the calendar")
    BAD_TIME = (
        "bad_time", "时间部分不对 (应为 0:00–23:59)", "the time is wrong (it should be 0:00–23:59)")
    # Phones (values.parse_phone)
    PHONE_HINT = (
        "phone_hint", "应为手机号 (11 位) 或带区号的固定电话, 可带 +86、空格或横线",
        "expected a mobile number (11 digits) or a landline with its area code; +86, spaces "
        "and dashes are fine")
    FOREIGN_PHONE = "foreign_phone", "只识别中国号码 (+86)", "only Chinese numbers (+86) are read"
    PHONE_LENGTH = (
        "phone_length", "电话号码位数不对 ({digits} 位, 应为 {low}–{high} 位); {hint}",
        "the phone number has {digits} digits, not {low}–{high}; {hint}")
    PHONE_DIGITS = (
        "phone_digits", "电话号码位数不对; {hint}",
        "the phone number has the wrong number of digits; {hint}")
    PHONE_SCIENTIFIC = (
        "phone_scientific", "号码以科学计数法显示, 已丢失位数; 请把该列设为文本格式后重新填写",
        "the number is shown in scientific notation and has lost digits; format the column "
        "as text and type the numbers again")
    PHONE_LETTERS = (
        "phone_letters", "电话号码含有字母或文字; {hint}",
        "the phone number holds letters or words; {hint}")
    PHONE_FRACTION = (
        "phone_fraction", "电话号码不应有小数; {hint}", "a phone number has no decimals; {hint}")
    PHONE_IS_DATE = (
        "phone_is_date", "这是日期或时间, 不是电话号码; {hint}",
        "this is a date or a time, not a phone number; {hint}")
    # Grades and statuses (values.parse_grade, values.parse_status)
    UNKNOWN_GRADE = (
        "unknown_grade", "无法识别的客户级别, 应为一个字母, 如 A、B、C、H 或 A级",
        "not a grade leadbook can read: expected one letter, such as A, B, C, H or A级")
    STATUS_HINT = (
        "status_hint", "应为 跟进中、意向、已成交、已订车、已交车、战败、流失、无效、重复线索、休眠 等",
        "expected a status such as 跟进中, 意向, 已成交, 已订车, 已交车, 战败, 流失, 无效, "
        "重复线索 or 休眠")
    UNKNOWN_STATUS = (
        "unknown_status", "无法识别的客户状态; {hint}", "not a status leadbook can read; {hint}")
    # Counts and money (values.parse_count, values.parse_money): {what} is AMOUNT or COUNT.
    AMOUNT = "amount", "金额", "an amount"
    COUNT = "count", "数量", "a count"
    EXAMPLE_MONEY = "example_money", "1200、1,200元、¥1200 或 12万", "1200, 1,200元, ¥1200 or 12万"
    EXAMPLE_COUNT = "example_count", "12 或 1,200", "12 or 1,200"
    NEGATIVE = "negative", "{what}不能为负数", "{what} cannot be negative"
    UNKNOWN_AMOUNT = (
        "unknown_amount", "无法识别的{what}, 应为非负数字, 如 {example}",
        "not {what} leadbook can read: expected a number of 0 or more, such as {example}")
    NOT_A_NUMBER = "not_a_number", "{what}应为数字", "{what} must be a number"
    NOT_FINITE = "not_finite", "{what}应为有限的数字", "{what} must be a finite number"
    # Purchase horizons (horizon.parse_horizon)
    HORIZON_HINT = (
        "horizon_hint",
        "应为 3个月内、半年内、一年以上、4至6月、2027年3月、本月、明年、暂不购买 或一个日期",
        "expected 3个月内, 半年内, 一年以上, 4至6月, 2027年3月, 本月, 明年, 暂不购买 or a date")
    UNKNOWN_HORIZON = (
        "unknown_horizon", "无法识别的预计购车时间; {hint}",
        "not a purchase horizon leadbook can read; {hint}")
    HORIZON_NO_DATE = "horizon_no_date", "预计购车时间缺少日期", "the purchase horizon has no date"
    HORIZON_BEYOND_CALENDAR = (
        "horizon_beyond_calendar", "预计购车日期超出日历范围",
        "the expected purchase date is beyond the calendar")
    HORIZON_TOO_FAR = (
        "horizon_too_far", "预计购车时间超过 10 年, 不是购车计划",
        "a purchase horizon of more than 10 years is no purchase plan")
    AMBIGUOUS_MONTH = (
        "ambiguous_month", "{number} 可能是 1 月也可能是 10 月; 请写成 {year}年1月 或 {year}年10月",
        "{number} may be January or October; write {year}年1月 or {year}年10月")
    NUMBER_NOT_HORIZON = (
        "number_not_horizon", "单独的数字不是预计购车时间; {hint}",
        "a number alone is not a purchase horizon; {hint}")


__all__ = ["Why"]

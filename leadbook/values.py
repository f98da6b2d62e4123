"""Cell values as dealers write them → dates, phones, grades, statuses, numbers.

Every parser is pure (no I/O, no clock: the as-of date is a parameter) and
answers in one of three ways: the value; ``None`` for a blank cell; or a
``ValueError`` whose message says in plain words what was expected (the reader
turns it into an Issue naming file, sheet, row and column). No other exception
escapes, whatever the cell holds.

Text is normalised first (:func:`normalize_text`): trimmed, NFKC (full-width →
half-width) and traditional → simplified Chinese. Text parsing is cached, so a
100,000-row sheet costs one parse per distinct cell text.

Source of the value forms: domain.md §6 ("Values").
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import math
import numbers
import re
import unicodedata
from typing import Any, NamedTuple

from .model import Status
from .texts import Problem, Words
from .value_words import Why
from .vocab import NO_NEED_WORDS, STATUS_NEGATIONS, STATUS_WORDS

# --------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------

# Cell text that means "nothing recorded" in any column (compared after
# normalisation, case-insensitively). "无" is blank for every field leadbook
# reads: no phone, no grade, no status, no count, no horizon.
BLANK_TEXTS = frozenset({
    "", "-", "--", "---", "—", "——", "–", "/", "//", "\\", "无", "暂无", "空",
    "n/a", "na", "#n/a", "none", "null", "nan", "nat",
})

# Years a date may have. Serial numbers are held to the narrower window so a
# stray count or phone in a date column is not read as a date (domain.md §6).
TEXT_YEARS = (1900, 2100)
SERIAL_YEARS = (1990, 2100)
# Month-day text ("11月3日") falls in the as-of year unless that puts it more
# than this many days after the as-of date; then it is the year before.
MONTH_DAY_AHEAD_DAYS = 183

# Excel's day zero in each date system. In the 1900 system serial 1 is
# 1900-01-01 and serial 60 is the fake 1900-02-29 that Excel keeps from Lotus
# 1-2-3; from serial 61 (1900-03-01) on, day zero is 1899-12-30.
EXCEL_1900_EARLY = dt.date(1899, 12, 31)
EXCEL_1900 = dt.date(1899, 12, 30)
EXCEL_1904 = dt.date(1904, 1, 1)
EXCEL_FAKE_LEAP_DAY = 60

# Phones (Chinese numbering plan): 11-digit mobiles starting with 1, landlines
# with a 3–4 digit area code starting with 0, local numbers of 7–8 digits.
PHONE_DIGITS = (7, 12)
MOBILE_DIGITS = 11
COUNTRY_PREFIXES = ("+86", "0086")
# Several numbers in one cell are split on these; the first one counts.
PHONE_SEPARATORS = "/,;、|\n\\"
# Words before an extension ("010-12345678转8001"): the extension is dropped.
PHONE_EXTENSION_WORDS = ("转", "分机", "ext", "x")

# Grade cells: a letter, optionally followed by one of these words ("A级客户").
GRADE_SUFFIXES = ("级客户", "类客户", "客户", "级", "类", "等", "档")

# What a negated status word means. A word in vocab.STATUS_NEGATIONS directly
# before a status word (optionally with one NEGATION_FILLERS character between,
# "未能成交") turns the word's status into this one: a deal not made (未成交),
# a lead not lost (未战败), not invalid, not dormant, or "not a prospect"
# (非意向) all leave a lead that is still being worked, so all read as active.
NEGATED_STATUS: dict[Status, Status] = {
    Status.WON: Status.ACTIVE,
    Status.ACTIVE: Status.ACTIVE,
    Status.LOST: Status.ACTIVE,
    Status.INVALID: Status.ACTIVE,
    Status.DORMANT: Status.ACTIVE,
}
NEGATION_FILLERS = ("能", "曾", "再")
# When two different status words of the same length are in one cell
# ("未成交, 战败"), the one earlier in this list wins: the more final state.
STATUS_PRIORITY = (Status.INVALID, Status.LOST, Status.WON, Status.DORMANT, Status.ACTIVE)

# Measure words after a count in the daily report ("12批", "3人").
COUNT_UNITS = ("批次", "个", "人", "批", "次", "台", "辆", "组", "位", "单", "户", "条")
# Money: currency words before or after the amount, and multipliers.
MONEY_PREFIXES = ("人民币", "rmb", "¥")
MONEY_SUFFIXES = ("人民币", "rmb", "元", "圆", "块", "¥")
MONEY_MULTIPLIERS = {"亿": 1e8, "万": 1e4, "w": 1e4, "千": 1e3, "k": 1e3}

# --------------------------------------------------------------------------
# Text normalisation
# --------------------------------------------------------------------------

_opencc: Any = None


def _t2s(text: str) -> str:
    global _opencc
    if _opencc is None:
        import opencc

        _opencc = opencc.OpenCC("t2s")
    try:
        return str(_opencc.convert(text))
    except (UnicodeError, RuntimeError, TypeError):
        # Lone surrogates cannot pass to the converter: replace them first.
        safe = text.encode("utf-8", "replace").decode("utf-8")
        return str(_opencc.convert(safe))


@functools.lru_cache(maxsize=1 << 16)
def normalize_text(text: str) -> str:
    """Trim, NFKC (full-width → half-width), traditional → simplified.

    Applying it twice changes nothing.
    """
    if text.isascii():
        return text.strip()
    current = text
    for _ in range(4):  # repeat until stable, so the result is a fixed point
        step = _t2s(unicodedata.normalize("NFKC", current)).strip()
        if step == current:
            break
        current = step
    return current


def _text(value: Any) -> str:
    """A text cell (or any other non-number value) as normalised text."""
    return normalize_text(value if isinstance(value, str) else str(value))


def is_blank(value: Any) -> bool:
    """Is the cell empty for leadbook: None, NaN, or text like "", "-", "/", "无"."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, str):
        return normalize_text(value).lower() in BLANK_TEXTS
    try:  # pandas' NaT and other missing-value markers are not equal to themselves
        return bool(value != value)
    except Exception:
        return False


def _real(value: Any) -> float | None:
    """A plain number cell as a float (bool excluded), else None."""
    if isinstance(value, bool) or not isinstance(value, numbers.Number):
        return None
    if isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real):
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (OverflowError, ValueError, TypeError):
        return math.inf


# --------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------

DATE_FORMS_HINT = Why.DATE_FORMS


def serial_to_date(serial: float, *, date1904: bool = False) -> dt.date:
    """An Excel serial number → its date; a fractional time part is ignored.

    1900 system: serial 1 = 1900-01-01, 59 = 1900-02-28, 60 = Excel's fake
    1900-02-29 (ValueError), 61 = 1900-03-01. 1904 system: serial 0 = 1904-01-01.
    No year window here: :func:`parse_date` applies it.
    """
    if not math.isfinite(serial):
        raise Problem(Why.NOT_A_SERIAL)
    day = math.floor(serial)
    if day > (dt.date.max - EXCEL_1904).days:
        raise Problem(Why.SERIAL_TOO_LARGE(number=day))
    if date1904:
        if day < 0:
            raise Problem(Why.NEGATIVE_SERIAL)
        return EXCEL_1904 + dt.timedelta(days=day)
    if day < 1:
        raise Problem(Why.TIME_ONLY if serial >= 0 else Why.NEGATIVE_SERIAL)
    if day == EXCEL_FAKE_LEAP_DAY:
        raise Problem(Why.FAKE_LEAP_DAY)
    if day < EXCEL_FAKE_LEAP_DAY:
        return EXCEL_1900_EARLY + dt.timedelta(days=day)
    return EXCEL_1900 + dt.timedelta(days=day)


class DateText(NamedTuple):
    """What date text says, before the as-of date and the date system apply.

    ``kind`` is "ymd" (year, month, day), "md" (month and day, year to infer),
    "serial" (an Excel serial written as text), "none" (not a date form) or
    "error" (a date form that is wrong: ``error`` says why).
    """

    kind: str
    year: int = 0
    month: int = 0
    day: int = 0
    serial: float = 0.0
    error: Words | None = None


_TIME = (
    r"(?:(?:\s*t\s*|\s+|(?<=[日号]))"
    r"(?:(?P<hh>\d{1,2}):(?P<mi>\d{2})(?::(?P<ss>\d{2})(?:\.\d+)?)?"
    r"(?:\s*(?:z|[+-]\d{2}:?\d{2}))?"
    r"|(?P<ch>\d{1,2})[时点](?:(?P<cm>\d{1,2})分?(?:(?P<cs>\d{1,2})秒)?)?))?"
)
_WEEKDAY = r"(?:\s*\(?(?:星期|周|礼拜)[一二三四五六日天1-7]\)?)?"
_TAIL = _WEEKDAY + _TIME + r"\s*"
_DATE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern + _TAIL, re.IGNORECASE))
    for kind, pattern in (
        ("ymd", r"(?P<y>\d{4})\s*(?P<sep>[-/.])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<d>\d{1,2})"),
        ("ymd", r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]?"),
        ("ymd", r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),
        ("md", r"(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]?"),
        ("md", r"(?P<m>\d{1,2})\s*(?P<sep>[-/.])\s*(?P<d>\d{1,2})"),
    )
)
_SERIAL_TEXT = re.compile(r"\d{5}(?:\.\d+)?")


def _check_time(match: re.Match[str]) -> Words | None:
    hour = match.group("hh") or match.group("ch")
    minute = match.group("mi") or match.group("cm") or "0"
    second = match.group("ss") or match.group("cs") or "0"
    if hour is not None and (int(hour) > 23 or int(minute) > 59 or int(second) > 59):
        return Why.BAD_TIME
    return None


def _valid_day(year: int, month: int, day: int) -> Words | None:
    try:
        dt.date(year, month, day)
    except ValueError:
        return Why.NO_SUCH_DAY(date=f"{year}-{month:02d}-{day:02d}")
    return None


@functools.lru_cache(maxsize=1 << 14)
def date_text(text: str) -> DateText:
    """Read normalised text as one of the date forms of domain.md §6 (cached)."""
    for kind, pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        error = _check_time(match)
        if error:
            return DateText("error", error=error)
        month, day = int(match.group("m")), int(match.group("d"))
        if kind == "md":
            if not (1 <= month <= 12 and 1 <= day <= 31):
                return DateText("error", error=Why.NO_SUCH_MONTH_DAY(month=month, day=day))
            return DateText("md", month=month, day=day)
        year = int(match.group("y"))
        if not TEXT_YEARS[0] <= year <= TEXT_YEARS[1]:
            return DateText("error", error=year_outside(year))
        error = _valid_day(year, month, day)
        if error:
            return DateText("error", error=error)
        return DateText("ymd", year, month, day)
    if _SERIAL_TEXT.fullmatch(text):
        return DateText("serial", serial=float(text))
    return DateText("none")


def year_outside(year: int) -> Words:
    """Why a year cannot be a date's: outside TEXT_YEARS."""
    return Why.YEAR_OUT_OF_RANGE(year=year, low=TEXT_YEARS[0], high=TEXT_YEARS[1])


def infer_year(month: int, day: int, as_of: dt.date) -> dt.date:
    """Month-day text → a date: the as-of year, unless that puts it more than
    183 days after the as-of date; then the year before. So at 2027-01-05
    "12月28日" is 2026-12-28, and at 2026-11-22 "1月3日" is 2026-01-03."""
    year = as_of.year
    # 29 February, and a day the month never has (11月31日), are placed by the
    # month's last day; the latter is then said to be no day of the calendar.
    last = 28 if month == 2 else calendar.monthrange(year, month)[1]
    probe = dt.date(year, month, min(day, last))
    if (probe - as_of).days > MONTH_DAY_AHEAD_DAYS:
        year -= 1
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise Problem(Why.NO_SUCH_DAY_WRITTEN(year=year, month=month, day=day)) from None


def _serial_date(serial: float, date1904: bool) -> dt.date:
    if not math.isfinite(serial):
        raise Problem(Why.NUMBER_NOT_DATE)
    if 19_000_101 <= serial <= 21_001_231 and float(serial).is_integer():
        # yyyymmdd stored as a number (some exports write dates this way).
        number = int(serial)
        year, month, day = number // 10_000, number // 100 % 100, number % 100
        error = _valid_day(year, month, day)
        if error:
            raise Problem(error)
        return dt.date(year, month, day)
    low, high = SERIAL_YEARS
    try:
        date = serial_to_date(serial, date1904=date1904)
    except ValueError:
        date = None
    if date is None or not low <= date.year <= high:
        raise Problem(Why.SERIAL_OUT_OF_RANGE(number=f"{serial:g}", low=low, high=high,
                           hint=DATE_FORMS_HINT))
    return date


def parse_date(value: Any, *, as_of: dt.date, date1904: bool = False) -> dt.date | None:
    """A date cell → the date (any time of day dropped), None when blank.

    Reads Excel dates, serial numbers of either date system (years 1990–2100),
    yyyymmdd numbers and the text forms of domain.md §6, with or without a time.
    Month-day text takes its year from ``as_of`` (:func:`infer_year`).
    """
    if isinstance(value, dt.datetime):
        if value != value:  # NaT
            return None
        value = value.date()
    if isinstance(value, dt.date):
        if not TEXT_YEARS[0] <= value.year <= TEXT_YEARS[1]:
            if value.year < TEXT_YEARS[0]:
                raise Problem(Why.TIME_ONLY)
            raise Problem(year_outside(value.year))
        return dt.date(value.year, value.month, value.day)
    if isinstance(value, dt.time):
        raise Problem(Why.TIME_ONLY)
    if isinstance(value, bool):
        raise Problem(DATE_FORMS_HINT)
    number = _real(value)
    if number is not None:
        if math.isnan(number):
            return None
        return _serial_date(number, date1904)
    if is_blank(value):
        return None
    form = date_text(_text(value))
    if form.kind == "ymd":
        return dt.date(form.year, form.month, form.day)
    if form.kind == "md":
        return infer_year(form.month, form.day, as_of)
    if form.kind == "serial":
        return _serial_date(form.serial, date1904)
    if form.kind == "error" and form.error is not None:
        raise Problem(form.error)
    raise Problem(Why.UNKNOWN_DATE(hint=DATE_FORMS_HINT))


# --------------------------------------------------------------------------
# Phones
# --------------------------------------------------------------------------

PHONE_HINT = Why.PHONE_HINT
_PHONE_CHARS = re.compile(r"[0-9\s\-.()+]*")
_SCIENTIFIC = re.compile(r"([0-9])(?:\.([0-9]+))?e\+?([0-9]{1,2})")
_PLAIN_FLOAT = re.compile(r"([0-9]+)\.0+")


def _phone_digits(number_text: str) -> str:
    """Digits of one number → the normalised number (country code handled)."""
    explicit = number_text.startswith(COUNTRY_PREFIXES)
    if number_text.startswith("+") and not explicit:
        raise Problem(Why.FOREIGN_PHONE)
    digits = "".join(ch for ch in number_text if "0" <= ch <= "9")
    if explicit:
        while digits.startswith(("0086", "86")):
            digits = digits[4:] if digits.startswith("0086") else digits[2:]
        if not (len(digits) == MOBILE_DIGITS and digits.startswith("1")):
            digits = digits if digits.startswith("0") else "0" + digits  # +86 10… → 010…
    elif len(digits) == MOBILE_DIGITS + 2 and digits.startswith("861"):
        digits = digits[2:]
    elif len(digits) == MOBILE_DIGITS + 4 and digits.startswith("00861"):
        digits = digits[4:]
    low, high = PHONE_DIGITS
    if not low <= len(digits) <= high:
        raise Problem(Why.PHONE_LENGTH(digits=len(digits), low=low, high=high,
                           hint=PHONE_HINT))
    return digits


def _first_number(segment: str) -> str:
    """One segment of a phone cell → the number; two numbers side by side
    ("13812345678 13987654321") give the first."""
    try:
        return _phone_digits(segment)
    except ValueError:
        tokens = segment.split()
        if len(tokens) < 2:
            raise
    for end in range(1, len(tokens)):
        head, rest = " ".join(tokens[:end]), "".join(tokens[end:])
        digits = "".join(ch for ch in head if "0" <= ch <= "9")
        rest_digits = sum("0" <= ch <= "9" for ch in rest)
        if len(digits) >= MOBILE_DIGITS and rest_digits >= PHONE_DIGITS[0]:
            return _phone_digits(head)
    return _phone_digits(segment)


@functools.lru_cache(maxsize=1 << 16)
def _phone_text(text: str) -> str | None:
    low = text.lower()
    if low in BLANK_TEXTS:
        return None
    for word in PHONE_EXTENSION_WORDS:  # "010-12345678转8001" → the main number
        head, sep, tail = low.partition(word)
        if sep and head.strip() and tail.strip().isdigit():
            low = head
            break
    scientific = _SCIENTIFIC.fullmatch(low)
    if scientific:
        whole, fraction, exponent = scientific.group(1, 2, 3)
        fraction = fraction or ""
        significant = len((whole + fraction).rstrip("0"))
        size = int(exponent) + 1
        if size > PHONE_DIGITS[1] + 1 or significant < size - 1 or len(fraction) > int(exponent):
            raise Problem(Why.PHONE_SCIENTIFIC)
        return _phone_digits((whole + fraction).ljust(size, "0"))
    plain_float = _PLAIN_FLOAT.fullmatch(low)
    if plain_float:  # "13812345678.0" from a number exported as text
        low = plain_float.group(1)
    segments = [s.strip() for s in re.split(f"[{re.escape(PHONE_SEPARATORS)}]", low)]
    segments = [s for s in segments if s and s.lower() not in BLANK_TEXTS]
    if not segments:
        return None
    first = segments[0]
    if not _PHONE_CHARS.fullmatch(first) or not any(ch.isdigit() for ch in first):
        raise Problem(Why.PHONE_LETTERS(hint=PHONE_HINT))
    return _first_number(first)


def parse_phone(value: Any) -> str | None:
    """A phone cell → its digits ("13812345678", "01012345678"), None when blank.

    Numbers stored as int or float (1.3812345678e10), +86 / 0086 / 86 before a
    mobile, spaces, dashes, dots and parentheses are fine; landlines keep their
    leading 0. Of two numbers in one cell the first is taken. Idempotent: a
    result read again gives itself.
    """
    if type(value) is str and len(value) == 11 and value[0] == "1" and value.isascii() \
            and value.isdigit():
        return value  # the common case: a mobile number typed as text
    if isinstance(value, bool):
        raise Problem(PHONE_HINT)
    number = _real(value)
    if number is not None:
        if math.isnan(number):
            return None
        if not math.isfinite(number) or number < 0 or number >= 10 ** (PHONE_DIGITS[1] + 4):
            raise Problem(Why.PHONE_DIGITS(hint=PHONE_HINT))
        if not float(number).is_integer():
            raise Problem(Why.PHONE_FRACTION(hint=PHONE_HINT))
        return _phone_digits(str(int(number)))
    if isinstance(value, (dt.date, dt.time)):
        raise Problem(Why.PHONE_IS_DATE(hint=PHONE_HINT))
    if value is None:
        return None
    return _phone_text(_text(value))


def _mask_chars(chars: list[str]) -> list[str]:
    """Mask the digits of a number in place: keep the first 3 and last 4 when
    there are 8 or more digits, else only the last 2."""
    where = [i for i, ch in enumerate(chars) if ch.isdigit()]
    count = len(where)
    for rank, i in enumerate(where):
        keep = (rank < 3 or rank >= count - 4) if count >= 8 else rank >= count - 2
        if not keep:
            chars[i] = "*"
    return chars


def mask_phone(phone: str | None) -> str:
    """138****5678 for a mobile; other numbers keep their first 3 and last 4
    digits when 8 digits or longer, else all but the last 2 are masked."""
    if not phone:
        return ""
    if phone.isdigit():  # the common case, as _mask_chars would mask it
        n = len(phone)
        return phone[:3] + "*" * (n - 7) + phone[-4:] if n >= 8 else \
            "*" * max(n - 2, 0) + phone[-2:]
    if not any(ch.isdigit() for ch in phone):
        return "*" * len(phone)
    return "".join(_mask_chars(list(phone)))


_DIGIT_RUN = re.compile(r"(?:\+[ \-]?)?\d(?:[ \-]?\d)*")
_COUNTRY_HEAD = re.compile(r"(?:\+[ \-]?|00)?86[ \-]?(?=(?:\d[ \-]?){11})")
_DATE_TOKEN = re.compile(
    r"(?:19|20)\d{2}-\d{1,2}-\d{1,2}|(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
)


def _mask_run(match: re.Match[str]) -> str:
    run = match.group(0)
    if len(run) < PHONE_DIGITS[0] or _DATE_TOKEN.fullmatch(run):
        return run  # too short to hold a phone number, or a date alone
    # Dates inside the run ("2026-11-03 14") stay; the rest is masked in pieces.
    pieces = re.split(r"( )", run)
    result: list[str] = []
    chunk: list[str] = []

    def flush() -> None:
        if chunk:
            result.append(_mask_number("".join(chunk)))
            chunk.clear()

    for piece in pieces:
        if _DATE_TOKEN.fullmatch(piece):
            flush()
            result.append(piece)
        else:
            chunk.append(piece)
    flush()
    return "".join(result)


def _mask_number(text: str) -> str:
    if sum(ch.isdigit() for ch in text) < PHONE_DIGITS[0]:
        return text
    head = _COUNTRY_HEAD.match(text)
    prefix = head.group(0) if head else ""
    return prefix + "".join(_mask_chars(list(text[len(prefix):])))


def mask_text(text: str) -> str:
    """Mask every phone-like run of 7 or more digits (+86, spaces and dashes
    allowed inside) in free text; dates like 2026-11-03 stay readable."""
    if not isinstance(text, str):
        text = str(text)
    return _DIGIT_RUN.sub(_mask_run, text)


# --------------------------------------------------------------------------
# Grades and statuses
# --------------------------------------------------------------------------

_GRADE = re.compile(r"([A-Z])\s*(?:" + "|".join(GRADE_SUFFIXES) + r")?")


@functools.lru_cache(maxsize=4096)
def _grade_text(text: str) -> str | None:
    if text.lower() in BLANK_TEXTS:
        return None
    match = _GRADE.fullmatch(text.upper())
    if match is None:
        raise Problem(Why.UNKNOWN_GRADE)
    return match.group(1)


def parse_grade(value: Any) -> str | None:
    """A grade cell → the upper-case letter ("A级客户" → "A"), None when blank."""
    if value is None:
        return None
    if not isinstance(value, str):
        if is_blank(value):
            return None
        raise Problem(Why.UNKNOWN_GRADE)
    return _grade_text(normalize_text(value))


_STATUS_BY_LENGTH = sorted(STATUS_WORDS, key=len, reverse=True)
STATUS_HINT = Why.STATUS_HINT


def _negated(before: str) -> bool:
    for negation in STATUS_NEGATIONS:
        if before.endswith(negation):
            return True
        if any(before.endswith(negation + filler) for filler in NEGATION_FILLERS):
            return True
    return False


@functools.lru_cache(maxsize=4096)
def _status_text(text: str) -> Status | None:
    if text.lower() in BLANK_TEXTS:
        return None
    compact = "".join(text.split())
    best: tuple[int, int, Status] | None = None
    for word in _STATUS_BY_LENGTH:
        start = compact.find(word)
        while start >= 0:
            status = STATUS_WORDS[word]
            if _negated(compact[:start]):
                status = NEGATED_STATUS[status]
            rank = (len(word), -STATUS_PRIORITY.index(status), status)
            if best is None or rank[:2] > best[:2]:
                best = rank
            start = compact.find(word, start + 1)
    if best is None:
        raise Problem(Why.UNKNOWN_STATUS(hint=STATUS_HINT))
    return best[2]


def parse_status(value: Any) -> Status | None:
    """A status cell → Status, None when blank.

    Rule: every word of vocab.STATUS_WORDS found in the cell is a candidate;
    a negation (vocab.STATUS_NEGATIONS) directly before it maps its status
    through NEGATED_STATUS ("未成交", "没有成交" → active). The longest word
    decides ("已成交" beats "成交"; "重复线索" is invalid); between words of
    equal length STATUS_PRIORITY decides.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        if is_blank(value):
            return None
        raise Problem(Why.UNKNOWN_STATUS(hint=STATUS_HINT))
    return _status_text(normalize_text(value))


def is_no_need(text: Any) -> bool:
    """Does the text say the customer has no need (暂不购买, 无需求, 不买了…)?"""
    if not isinstance(text, str):
        return False
    compact = "".join(normalize_text(text).split())
    return any(word in compact for word in NO_NEED_WORDS)


# --------------------------------------------------------------------------
# Counts and money
# --------------------------------------------------------------------------

_NUMBER = re.compile(r"(?P<int>\d{1,3}(?:,\d{3})+|\d+)?(?:\.(?P<frac>\d+))?")


def _plain_number(text: str) -> float | None:
    match = _NUMBER.fullmatch(text)
    if match is None or not (match.group("int") or match.group("frac")):
        return None
    whole = (match.group("int") or "0").replace(",", "")
    return float(f"{whole}.{match.group('frac') or '0'}")


def _strip_words(text: str, prefixes: tuple[str, ...], suffixes: tuple[str, ...]) -> str:
    for word in prefixes:
        if text.startswith(word):
            text = text[len(word):].strip()
            break
    for word in suffixes:
        if text.endswith(word):
            text = text[: -len(word)].strip()
            break
    return text


@functools.lru_cache(maxsize=4096)
def _amount_text(text: str, money: bool) -> float | None:
    what = Why.AMOUNT if money else Why.COUNT
    low = "".join(text.lower().split())
    if low in BLANK_TEXTS:
        return None
    if low.startswith("-") and _amount_or_none(low[1:], money) is not None:
        raise Problem(_text_of(Why.NEGATIVE, what))
    value = _amount_or_none(low, money)
    if value is None:
        example = Why.EXAMPLE_MONEY if money else Why.EXAMPLE_COUNT
        raise Problem(_unknown_amount(what, example))
    return value


def _text_of(why: Why, what: Why) -> Words:
    return why(what=what)


def _unknown_amount(what: Why, example: Why) -> Words:
    return Why.UNKNOWN_AMOUNT(what=what, example=example)


def _amount_or_none(text: str, money: bool) -> float | None:
    if money:
        text = _strip_words(text, MONEY_PREFIXES, MONEY_SUFFIXES)
        for word, factor in MONEY_MULTIPLIERS.items():
            if text.endswith(word):
                number = _plain_number(text[: -len(word)])
                return None if number is None else number * factor
        return _plain_number(text)
    return _plain_number(_strip_words(text, (), COUNT_UNITS))


def _amount(value: Any, money: bool) -> float | None:
    what = Why.AMOUNT if money else Why.COUNT
    if isinstance(value, bool) or isinstance(value, (dt.date, dt.time)):
        raise Problem(_text_of(Why.NOT_A_NUMBER, what))
    number = _real(value)
    if number is not None:
        if math.isnan(number):
            return None
        if not math.isfinite(number):
            raise Problem(_text_of(Why.NOT_FINITE, what))
        if number < 0:
            raise Problem(_text_of(Why.NEGATIVE, what))
        return number
    if value is None:
        return None
    return _amount_text(_text(value), money)


def parse_count(value: Any) -> float | None:
    """A count of the daily report → a non-negative number, None when blank."""
    if type(value) is float and 0 <= value < math.inf or type(value) is int and 0 <= value < 10**15:
        return float(value)  # the common case: a number cell
    return _amount(value, money=False)


def parse_money(value: Any) -> float | None:
    """An amount of money → yuan ("1,200元", "¥1200", "12万" = 120000), None when blank."""
    return _amount(value, money=True)

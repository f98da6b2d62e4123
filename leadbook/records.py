"""Sheets as read → lead and activity records, every unreadable value an Issue.

Pure: takes the reader's SheetData, gives plain records. A value that cannot be
read keeps its row; the field is treated as missing and an Issue names file,
sheet, Excel row and column (domain.md §6).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from operator import itemgetter
from typing import Any

from .grade_words import GradeWords
from .grid_activity import choose_activity, grid_activity
from .horizon import parse_horizon
from .issue_codes import BAD_VALUE, MISSING_VALUE, IssueCode
from .model import Issue, Severity, SheetData, SheetKind, SourceFile, Status
from .record_types import Records as Records
from .record_types import activity_table, lead_table
from .spend import spend_item
from .texts import Values, Words, said, why_of
from .values import (
    mask_text,
    parse_count,
    parse_date,
    parse_grade,
    parse_money,
    parse_phone,
    parse_status,
)
from .vocab import ACTIVITY_COUNT_FIELDS, LEAD_DATE_FIELDS

# What each problem is called (stable codes, for scripts and for the 数据问题 sheet).
BAD_CODES = BAD_VALUE


class _Row:
    """Reads the fields of one row, turning each unreadable value into an Issue."""

    __slots__ = ("file", "sheet", "row", "values", "headers", "issues", "hints")

    def __init__(
        self, src: SourceFile, sheet: SheetData, row: int, cells: list[Any], issues: list[Issue]
    ) -> None:
        self.file = src.name
        self.sheet = sheet.name
        self.row = row
        width = len(cells)
        # field → the cell's value, for the fields whose column the row reaches
        self.values = {fld: cells[col] for fld, col in sheet.columns.items() if col < width}
        self.headers = sheet.headers
        self.issues = issues
        self.hints: list[Words | str] = []

    def raw(self, fld: str) -> Any:
        return self.values.get(fld)

    def text(self, fld: str) -> str | None:
        value = self.values.get(fld)
        if value is None:
            return None
        if type(value) is str:
            return value.strip() or None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
        return text or None

    def parse(self, fld: str, kind: str, parser: Callable[[Any], Any]) -> Any:
        value = self.values.get(fld)
        if value is None:
            return None
        try:
            return parser(value)
        except ValueError as exc:
            self.report(fld, BAD_CODES[kind],
                        said(column=self.headers.get(fld, fld), reason=why_of(exc)), value)
            return None

    def report(
        self,
        fld: str | None,
        code: IssueCode,
        values: Values = (),
        value: Any = None,
        severity: Severity = Severity.WARNING,
    ) -> None:
        column = self.headers.get(fld, fld) if fld else None
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a number cell as the user sees it: 100, not 100.0
        shown = None if value is None else mask_text(str(value))
        issue = Issue(self.file, self.sheet, self.row, column, shown, code, values, severity)
        self.issues.append(issue)
        self.hints.append(issue.words)



class Ahead:
    """Records worked out while the inbox is still being read (:func:`leadbook.run.
    run_store` gives :meth:`take` and :meth:`take_rows` to the reader): the daily
    reports' as each file comes in, and a large lead sheet's part by part as its
    reading child sends it. :func:`read_records` then takes them as they are,
    with the same issues in the same order. A sheet taken lets its raw rows go."""

    def __init__(self, as_of: dt.date, grade_aliases: Mapping[str, str] | None = None) -> None:
        self.as_of = as_of
        self.grade_aliases = grade_aliases or {}
        # id of the sheet → (the sheet, its columns, its issues in order, and for a lead
        # sheet the grade words it could not map)
        self.done: dict[int, tuple[SheetData, dict[str, list[Any]], list[Issue],
                                   GradeWords | None]] = {}

    def take(self, src: SourceFile) -> None:
        if src.status != "ok":
            return
        for sheet in src.sheets:
            if sheet.kind is not SheetKind.ACTIVITY:
                continue
            issues: list[Issue] = []
            if sheet.grid is not None:
                columns = grid_activity(src, sheet, self.as_of, issues)
            else:
                rows, sheet.rows = sheet.rows, []
                columns = _activity_sheet(src, sheet, rows, self.as_of, issues)
            self.done[id(sheet)] = (sheet, columns, issues, None)

    def take_rows(self, src: SourceFile, sheet: SheetData,
                  rows: list[tuple[int, list[Any]]]) -> None:
        """The next rows of a lead sheet, in order: its records so far, extended (a
        lead sheet's rows are read row by row, each distinct value of a part once)."""
        if sheet.kind is not SheetKind.LEADS:
            raise ValueError(f"{sheet.name}: only a lead sheet's rows come in parts")
        found = self.done.get(id(sheet))
        if found is None:
            found = self.done[id(sheet)] = (sheet, {}, [], GradeWords(self.grade_aliases))
        _, columns, issues, grades = found
        _extend(columns, _lead_sheet(src, sheet, rows, self.as_of, issues, grades))

    def get(self, sheet: SheetData) -> tuple[dict[str, list[Any]], list[Issue],
                                             GradeWords | None] | None:
        """The sheet's columns, issues and (a lead sheet's) unmapped grade words, if it
        was taken (held here until then, so that no other sheet can have its id)."""
        found = self.done.pop(id(sheet), None)
        return None if found is None else found[1:]


def read_records(files: Iterable[SourceFile], as_of: dt.date, release: bool = False,
                 grade_aliases: Mapping[str, str] | None = None,
                 ahead: Ahead | None = None) -> Records:
    """Every lead, activity and spend row of the files, in file and row order.

    With ``release`` each sheet's raw rows are let go as they are read, so that
    the records are built in the memory the cells leave (at 100,000 leads the
    cells take about as much as the records). ``ahead`` holds the daily reports
    already worked out (for the same ``as_of``).
    """
    out = Records()
    grades = GradeWords(grade_aliases or {})
    leads: dict[str, list[Any]] = {}  # the lead sheets' columns, one after the other
    count = 0
    activity: dict[str, list[Any]] = {}  # the daily reports' and the grids' columns
    days = 0
    for src in files:
        if src.status != "ok":
            continue
        for sheet in src.sheets:
            if sheet.kind is SheetKind.LEADS and ahead is not None and (
                    taken := ahead.get(sheet)) is not None:
                out.issues.extend(taken[1])
                assert taken[2] is not None
                grades.unmapped.update(taken[2].unmapped)  # in file order, as if read here
                count += _extend(leads, taken[0])
            elif sheet.kind is SheetKind.LEADS:
                rows = sheet.rows
                if release:
                    sheet.rows = []
                count += _extend(leads, _lead_sheet(src, sheet, rows, as_of, out.issues, grades))
                del rows
            elif sheet.kind is SheetKind.ACTIVITY and ahead is not None and (
                    taken := ahead.get(sheet)) is not None:
                out.issues.extend(taken[1])
                days += _extend(activity, taken[0])
            elif sheet.kind is SheetKind.ACTIVITY and sheet.grid is not None:
                grid = grid_activity(src, sheet, as_of, out.issues)
                days += _extend(activity, grid)
            elif sheet.kind is SheetKind.ACTIVITY:
                rows = sheet.rows
                if release:
                    sheet.rows = []
                days += _extend(activity, _activity_sheet(src, sheet, rows, as_of, out.issues))
                del rows
            elif sheet.kind is SheetKind.SPEND:
                date_of = _readers(as_of, src.date1904)[0]
                for row, cells in _rows(sheet, release):
                    r = _Row(src, sheet, row, cells, out.issues)
                    amount = r.parse("amount", "money", parse_money)
                    if amount is not None:
                        out.spend.append(spend_item(
                            amount, r.raw("date"), sheet.headers.get("date"), r.text("source"),
                            lambda _v, r=r, d=date_of: r.parse("date", "date", d)))
    out.leads = lead_table(leads, count)
    out.issues.extend(grades.issues())
    out.activity, overlaps = choose_activity(activity_table(activity, days))
    out.issues.extend(overlaps)
    return out


def _extend(columns: dict[str, list[Any]], more: dict[str, list[Any]]) -> int:
    """A sheet's columns (every sheet of a kind gives the same ones) put after the
    earlier sheets'; how many rows it adds."""
    for name, values in more.items():
        columns.setdefault(name, []).extend(values)
    return len(more["row"])


def _rows(sheet: SheetData, release: bool) -> Iterator[tuple[int, list[Any]]]:
    if not release:
        yield from sheet.rows
        return
    rows, sheet.rows = sheet.rows, []
    for i in range(len(rows)):
        item = rows[i]
        rows[i] = None  # type: ignore[call-overload]
        yield item


@functools.lru_cache(maxsize=8)
def _readers(as_of: dt.date, date1904: bool) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """The date and horizon readers for one as-of date and date system, made once."""

    def date_of(value: Any) -> dt.date | None:
        return parse_date(value, as_of=as_of, date1904=date1904)

    def horizon_of(value: Any) -> Any:
        return parse_horizon(value, as_of=as_of, date1904=date1904)

    return date_of, horizon_of


class _Bad:
    """A value a reader refused, with the reader's words."""

    __slots__ = ("why",)

    def __init__(self, why: Words | str) -> None:
        self.why = why


_MISS = object()
# Cell types whose values are read once per distinct value (numbers are not:
# 1, 1.0 and True are equal keys but read differently).
_MEMO_TYPES = frozenset({str, dt.date, dt.datetime})


class _Column(list[Any]):
    """A column as read: ``bad`` once a value of it was refused (a :class:`_Bad`)."""

    bad = False


def _read_column(values: list[Any], reader: Callable[[Any], Any]) -> list[Any]:
    """``reader`` over a column, once per distinct text or date value; a ValueError
    becomes a :class:`_Bad` in its place."""
    memo: dict[Any, Any] = {}
    get = memo.get
    out = _Column()
    append = out.append
    kinds = _MEMO_TYPES

    def read(value: Any) -> Any:
        try:
            return reader(value)
        except ValueError as exc:
            out.bad = True
            return _Bad(why_of(exc))

    for value in values:
        if value is None:
            append(None)
        elif type(value) in kinds:
            got = get(value, _MISS)
            if got is _MISS:
                got = memo[value] = read(value)
            append(got)
        else:
            append(read(value))
    return out


def _cells(sheet: SheetData, rows: list[tuple[int, list[Any]]], fld: str,
           lines: tuple[list[list[Any]], int] | None = None) -> list[Any]:
    """The cells of a field's column, row by row (None past a short row's end, and
    for a field the sheet has no column for). ``lines``: the rows' cells and the
    length of the shortest (:func:`_lines`), for the columns every row reaches."""
    c = sheet.columns.get(fld)
    if c is None:
        return [None] * len(rows)
    if lines is not None and c < lines[1]:
        return list(map(itemgetter(c), lines[0]))
    return [cells[c] if c < len(cells) else None for _, cells in rows]


def _lines(rows: list[tuple[int, list[Any]]]) -> tuple[list[list[Any]], int]:
    """The rows' cells, and how many the shortest row has (a sheet's rows are mostly
    as wide as the sheet: its columns are then taken in C, not row by row)."""
    lines = [cells for _, cells in rows]
    return lines, min(map(len, lines), default=0)


def _text_column(values: list[Any]) -> list[str | None]:
    """_Row.text over a column, once per distinct value."""
    return _read_column(values, _text)


def _text(value: Any) -> str | None:
    if type(value) is str:
        return value.strip() or None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() or None


def _lead_sheet(
    src: SourceFile,
    sheet: SheetData,
    rows: list[tuple[int, list[Any]]],
    as_of: dt.date,
    issues: list[Issue],
    grades: GradeWords | None = None,
) -> dict[str, list[Any]]:
    """The leads of one sheet as the columns of record_types.lead_table, read column
    by column (each distinct value once), with the issues and hints row by row: a
    row's parsed fields first, then what is missing."""
    file, name, headers = src.name, sheet.name, sheet.headers
    n = len(rows)
    at = [row for row, _ in rows]

    lines = _lines(rows)
    raw = {fld: _cells(sheet, rows, fld, lines) for fld in (
        "name", "consultant", "source", "model", "lost_reason", "competitor", "notes", "phone",
        *LEAD_DATE_FIELDS, "horizon", "grade", "status")}
    text = {fld: _text_column(raw[fld]) for fld in (
        "name", "consultant", "source", "model", "lost_reason", "competitor", "notes", "horizon")}
    date_of, horizon_of = _readers(as_of, src.date1904)
    parsed: dict[str, list[Any]] = {"phone": _read_column(raw["phone"], parse_phone)}
    for fld in LEAD_DATE_FIELDS:
        parsed[fld] = _read_column(raw[fld], date_of)
    parsed["horizon"] = _read_column(raw["horizon"], horizon_of)
    if grades is None:
        parsed["grade"] = _read_column(raw["grade"], parse_grade)
    else:
        parsed["grade"] = _grade_column(grades, raw["grade"], at, file, name,
                                        headers.get("grade", "grade"))
    parsed["status"] = _read_column(raw["status"], parse_status)

    # Each row's findings in _lead's order: the parsed fields, then what is missing.
    found: _Found = {}
    _bad_values(found, parsed, raw, [("phone", "phone"), *((f, "date") for f in LEAD_DATE_FIELDS),
                                     ("horizon", "horizon"), ("grade", "grade"),
                                     ("status", "status")], headers)
    status_col = parsed["status"]
    recorded = parsed["grade"]
    for i in range(n):
        if status_col[i] is None:
            # No status word: a recorded O or F grade still says won or lost.
            status_col[i] = _BY_GRADE.get(recorded[i] or "", Status.ACTIVE)
    check_phone = "phone" in sheet.columns
    check_consultant = "consultant" in sheet.columns
    phones, raw_phones, consultants = parsed["phone"], raw["phone"], text["consultant"]
    firsts, lasts = parsed["first_contact"], parsed["last_contact"]
    for i in range(n):
        if check_phone and phones[i] is None and raw_phones[i] is None:
            found.setdefault(i, []).append(
                ("phone", MISSING_VALUE["phone"], (), None, Severity.WARNING))
        if check_consultant and consultants[i] is None:
            found.setdefault(i, []).append(
                ("consultant", MISSING_VALUE["consultant"], (), None, Severity.WARNING))
        if firsts[i] is None and lasts[i] is None and status_col[i] is not Status.INVALID:
            found.setdefault(i, []).append(
                ("first_contact", IssueCode.MISSING_CONTACT_DATE, (), None, Severity.WARNING))

    hints: list[list[Words | str]] = [[] for _ in range(n)]
    _tell(found, at, hints, file, name, headers, issues)
    return {
        "file": [file] * n, "sheet": [name] * n, "row": at, "name": text["name"],
        "phone": phones, "consultant": consultants, "source": text["source"],
        "model": text["model"], **{f: parsed[f] for f in LEAD_DATE_FIELDS},
        "horizon": parsed["horizon"], "horizon_text": text["horizon"],
        "grade_recorded": recorded, "status": status_col, "lost_reason": text["lost_reason"],
        "competitor": text["competitor"], "notes": text["notes"], "hints": hints,
    }


_Found = dict[int, list[tuple[str, IssueCode, Values, Any, Severity]]]


def _bad_values(found: _Found, parsed: dict[str, list[Any]], raw: dict[str, list[Any]],
                fields: Iterable[tuple[str, str]], headers: Mapping[str, str]) -> None:
    """Each refused value (a _Bad) becomes its row's finding, and None in its column."""
    for fld, kind in fields:
        values = parsed[fld]
        if isinstance(values, _Column) and not values.bad:
            continue  # every value read
        for i in [i for i, v in enumerate(values) if type(v) is _Bad]:
            found.setdefault(i, []).append(
                (fld, BAD_CODES[kind], said(column=headers.get(fld, fld), reason=values[i].why),
                 raw[fld][i], Severity.WARNING))
            values[i] = None


def _tell(found: _Found, rows: list[int], hints: list[list[Words | str]], file: str,
          sheet: str, headers: Mapping[str, str], issues: list[Issue]) -> None:
    """The findings as Issues, row by row, and as each row's hints."""
    for i in sorted(found):
        for fld, code, values, value, severity in found[i]:
            if isinstance(value, float) and value.is_integer():
                value = int(value)  # a number cell as the user sees it: 100, not 100.0
            shown = None if value is None else mask_text(str(value))
            issue = Issue(file, sheet, rows[i], headers.get(fld, fld), shown, code, values,
                          severity)
            issues.append(issue)
            hints[i].append(issue.words)


def _activity_sheet(src: SourceFile, sheet: SheetData, rows: list[tuple[int, list[Any]]],
                    as_of: dt.date, issues: list[Issue]) -> dict[str, list[Any]]:
    """The rows of one daily report as the columns of record_types.activity_table,
    read column by column, with the issues and hints row by row: a row's parsed
    fields first, then what is missing."""
    file, name, headers = src.name, sheet.name, sheet.headers
    n = len(rows)
    at = [row for row, _ in rows]

    lines = _lines(rows)
    raw = {fld: _cells(sheet, rows, fld, lines)
           for fld in ("date", "consultant", *ACTIVITY_COUNT_FIELDS)}
    parsed = {"date": _read_column(raw["date"], _readers(as_of, src.date1904)[0])}
    for fld in ACTIVITY_COUNT_FIELDS:
        parsed[fld] = _read_column(raw[fld], parse_count)
    consultants = _text_column(raw["consultant"])
    found: _Found = {}
    _bad_values(found, parsed, raw, [("date", "date"),
                                     *((f, "count") for f in ACTIVITY_COUNT_FIELDS)], headers)
    check_consultant = "consultant" in sheet.columns
    dates, raw_dates = parsed["date"], raw["date"]
    for i in range(n):
        if dates[i] is None and raw_dates[i] is None:
            found.setdefault(i, []).append(
                ("date", MISSING_VALUE["date"], (), None, Severity.WARNING))
        if check_consultant and consultants[i] is None:
            found.setdefault(i, []).append(
                ("consultant", MISSING_VALUE["consultant"], (), None, Severity.WARNING))
    hints: list[list[Words | str]] = [[] for _ in range(n)]
    _tell(found, at, hints, file, name, headers, issues)
    return {"file": [file] * n, "sheet": [name] * n, "row": at, "date": dates,
            "consultant": consultants, **{f: parsed[f] for f in ACTIVITY_COUNT_FIELDS},
            "store_level": [False] * n, "hints": hints}


_BY_GRADE = {"O": Status.WON, "F": Status.LOST}


def _grade_column(grades: GradeWords, values: list[Any], at: list[int], file: str,
                  sheet: str, header: str) -> list[Any]:
    """GradeWords.read over a column: once per distinct value, except the store's
    grade words it cannot map, which it counts row by row."""
    memo: dict[Any, Any] = {}
    out: list[Any] = []
    words = grades.unmapped
    for value, row in zip(values, at, strict=True):
        if value is None:
            out.append(None)
            continue
        key = value if type(value) is str else _MISS
        got = memo.get(key, _MISS) if key is not _MISS else _MISS
        if got is _MISS:
            try:
                got = grades.read(value, file, sheet, row, header)
            except ValueError as exc:
                got = _Bad(why_of(exc))
            if key is not _MISS and not (got is None and value.strip() in
                                         words.get((file, sheet), {})):
                memo[key] = got
        out.append(got)
    return out

"""Sheets as read → lead and activity records, every unreadable value an Issue.

Pure: takes the reader's SheetData, gives plain records. A value that cannot be
read keeps its row; the field is treated as missing and an Issue names file,
sheet, Excel row and column (domain.md §6).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from .grade_words import GradeWords
from .grid_activity import choose_activity, grid_activity
from .horizon import parse_horizon
from .model import Issue, Severity, SheetData, SheetKind, SourceFile, Status
from .record_types import Activity as Activity  # defined there: grid_activity makes them too
from .record_types import Lead as Lead
from .record_types import Records as Records
from .spend import spend_item
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
BAD_CODES = {
    "date": "bad_date",
    "phone": "bad_phone",
    "grade": "bad_grade",
    "status": "bad_status",
    "horizon": "bad_horizon",
    "count": "bad_number",
    "money": "bad_number",
}


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
        self.hints: list[str] = []

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
            self.report(fld, BAD_CODES[kind], f"{self.headers.get(fld, fld)}: {exc}", value)
            return None

    def report(
        self,
        fld: str | None,
        code: str,
        message: str,
        value: Any = None,
        severity: Severity = Severity.WARNING,
    ) -> None:
        column = self.headers.get(fld, fld) if fld else None
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a number cell as the user sees it: 100, not 100.0
        shown = None if value is None else mask_text(str(value))
        self.issues.append(
            Issue(self.file, self.sheet, self.row, column, shown, code, message, severity)
        )
        self.hints.append(message)

    def missing(self, fld: str, what: str) -> None:
        self.report(fld, f"missing_{fld}", f"缺少{what}", None, Severity.WARNING)


def read_records(files: Iterable[SourceFile], as_of: dt.date, release: bool = False,
                 grade_aliases: Mapping[str, str] | None = None) -> Records:
    """Every lead, activity and spend row of the files, in file and row order.

    With ``release`` each sheet's raw rows are let go as they are read, so that
    the records are built in the memory the cells leave (at 100,000 leads the
    cells take about as much as the records).
    """
    out = Records()
    grades = GradeWords(grade_aliases or {})
    seq = 0
    for src in files:
        if src.status != "ok":
            continue
        for sheet in src.sheets:
            if sheet.kind is SheetKind.LEADS:
                for row, cells in _rows(sheet, release):
                    seq += 1
                    out.leads.append(_lead(src, sheet, row, cells, seq, as_of, out.issues,
                                           grades))
            elif sheet.kind is SheetKind.ACTIVITY and sheet.grid is not None:
                out.activity.extend(grid_activity(src, sheet, as_of, out.issues))
            elif sheet.kind is SheetKind.ACTIVITY:
                for row, cells in _rows(sheet, release):
                    out.activity.append(_activity(src, sheet, row, cells, as_of, out.issues))
            elif sheet.kind is SheetKind.SPEND:
                date_of = _readers(as_of, src.date1904)[0]
                for row, cells in _rows(sheet, release):
                    r = _Row(src, sheet, row, cells, out.issues)
                    amount = r.parse("amount", "money", parse_money)
                    if amount is not None:
                        out.spend.append(spend_item(
                            amount, r.raw("date"), sheet.headers.get("date"), r.text("source"),
                            lambda _v, r=r, d=date_of: r.parse("date", "date", d)))
    out.issues.extend(grades.issues())
    out.activity, overlaps = choose_activity(out.activity)
    out.issues.extend(overlaps)
    return out


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


def _lead(
    src: SourceFile,
    sheet: SheetData,
    row: int,
    cells: list[Any],
    seq: int,
    as_of: dt.date,
    issues: list[Issue],
    grades: GradeWords | None = None,
) -> Lead:
    r = _Row(src, sheet, row, cells, issues)
    lead = Lead(src.name, sheet.name, row, seq)
    lead.name = r.text("name")
    lead.consultant = r.text("consultant")
    lead.source = r.text("source")
    lead.model = r.text("model")
    lead.lost_reason = r.text("lost_reason")
    lead.competitor = r.text("competitor")
    lead.notes = r.text("notes")
    lead.phone = r.parse("phone", "phone", parse_phone)
    date_of, horizon_of = _readers(as_of, src.date1904)
    for fld in LEAD_DATE_FIELDS:
        setattr(lead, fld, r.parse(fld, "date", date_of))
    lead.horizon_text = r.text("horizon")
    lead.horizon = r.parse("horizon", "horizon", horizon_of)
    if grades is None:
        lead.grade_recorded = r.parse("grade", "grade", parse_grade)
    else:
        header = sheet.headers.get("grade", "grade")
        lead.grade_recorded = r.parse(
            "grade", "grade", lambda v: grades.read(v, src.name, sheet.name, row, header))
    status = r.parse("status", "status", parse_status)
    if status is None:
        # No status word: a recorded O or F grade still says won or lost.
        status = {"O": Status.WON, "F": Status.LOST}.get(lead.grade_recorded or "", Status.ACTIVE)
    lead.status = status
    if "phone" in sheet.columns and lead.phone is None and r.raw("phone") is None:
        r.missing("phone", "联系电话")
    if lead.consultant is None and "consultant" in sheet.columns:
        r.missing("consultant", "销售顾问")
    if lead.first_contact is None and lead.last_contact is None and status is not Status.INVALID:
        r.report(
            "first_contact",
            "missing_contact_date",
            "缺少首次接触日期和最近跟进日期, 无法排定下次跟进",
        )
    lead.hints = r.hints
    return lead


def _activity(
    src: SourceFile,
    sheet: SheetData,
    row: int,
    cells: list[Any],
    as_of: dt.date,
    issues: list[Issue],
) -> Activity:
    r = _Row(src, sheet, row, cells, issues)
    act = Activity(src.name, sheet.name, row)
    act.date = r.parse("date", "date", _readers(as_of, src.date1904)[0])
    act.consultant = r.text("consultant")
    for fld in ACTIVITY_COUNT_FIELDS:
        setattr(act, fld, r.parse(fld, "count", parse_count))
    if act.date is None and r.raw("date") is None:
        r.missing("date", "日期")
    if act.consultant is None and "consultant" in sheet.columns:
        r.missing("consultant", "销售顾问")
    act.hints = r.hints
    return act

"""Sheets as read → lead and activity records, every unreadable value an Issue.

Pure: takes the reader's SheetData, gives plain records. A value that cannot be
read keeps its row; the field is treated as missing and an Issue names file,
sheet, Excel row and column (domain.md §6).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .grade_words import GradeWords
from .horizon import Horizon, parse_horizon
from .issue_codes import BAD_VALUE, MISSING_VALUE, IssueCode
from .model import Issue, Severity, SheetData, SheetKind, SourceFile, Status
from .spend import SpendItem, spend_item
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


@dataclass(slots=True, eq=False)
class Lead:
    """One row of a lead-card sheet, read and then worked on by the rules."""

    file: str
    sheet: str
    row: int
    seq: int  # reading order over the whole inbox: "the earliest row"
    name: str | None = None
    phone: str | None = None
    consultant: str | None = None
    source: str | None = None
    model: str | None = None
    first_contact: dt.date | None = None
    last_contact: dt.date | None = None
    next_contact: dt.date | None = None
    delivery_date: dt.date | None = None
    birthday: dt.date | None = None
    lost_date: dt.date | None = None
    horizon: Horizon | None = None
    horizon_text: str | None = None
    grade_recorded: str | None = None
    status: Status = Status.ACTIVE
    lost_reason: str | None = None
    competitor: str | None = None
    notes: str | None = None
    # The annotated copy's 提示: the row's problems as words, the rules' hints already
    # in the run's language.
    hints: list[Words | str] = field(default_factory=list)
    # set by the rules, in the run's language
    grade: str = ""
    reason: str = ""  # why the lead has its grade
    due_why: str = ""  # how its next due date was set
    grade_change: str = ""
    expected: dt.date | None = None
    next_due: dt.date | None = None
    days_late: int | None = None
    bucket: str = ""
    escalation: str = ""
    owner: Lead | None = None  # the lead this row repeats, when it is a duplicate
    duplicate_kind: str = ""  # conflict | repeat

    @property
    def latest_contact(self) -> dt.date | None:
        return self.last_contact or self.first_contact

    @property
    def lost_on(self) -> dt.date | None:
        """The day a lost lead was lost: its 战败日期, else its latest contact."""
        return self.lost_date or self.latest_contact

    @property
    def is_duplicate(self) -> bool:
        return self.owner is not None


@dataclass(slots=True, eq=False)
class Activity:
    """One row of a daily activity report: one consultant, one day."""

    file: str
    sheet: str
    row: int
    date: dt.date | None = None
    consultant: str | None = None
    traffic: float | None = None
    kept: float | None = None
    calls: float | None = None
    invited_visits: float | None = None
    test_drives: float | None = None
    orders: float | None = None
    deliveries: float | None = None
    lost: float | None = None
    hints: list[Words | str] = field(default_factory=list)
    store_level: bool = False  # a day of a month grid: the whole store, no consultant


@dataclass
class Records:
    leads: list[Lead] = field(default_factory=list)
    activity: list[Activity] = field(default_factory=list)
    spend: list[SpendItem] = field(default_factory=list)  # the spend sheets' rows
    issues: list[Issue] = field(default_factory=list)


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

    def missing(self, fld: str) -> None:
        self.report(fld, MISSING_VALUE[fld], (), None, Severity.WARNING)


def read_records(files: Iterable[SourceFile], as_of: dt.date, release: bool = False,
                 grade_aliases: Mapping[str, str] | None = None) -> Records:
    """Every lead, activity and spend row of the files, in file and row order.

    With ``release`` each sheet's raw rows are let go as they are read, so that
    the records are built in the memory the cells leave (at 100,000 leads the
    cells take about as much as the records).
    """
    from .grid_activity import choose_activity, grid_activity

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
        r.missing("phone")
    if lead.consultant is None and "consultant" in sheet.columns:
        r.missing("consultant")
    if lead.first_contact is None and lead.last_contact is None and status is not Status.INVALID:
        r.report("first_contact", IssueCode.MISSING_CONTACT_DATE)
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
        r.missing("date")
    if act.consultant is None and "consultant" in sheet.columns:
        r.missing("consultant")
    act.hints = r.hints
    return act

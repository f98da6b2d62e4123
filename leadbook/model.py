"""Records that flow between the reader, the rules, the metrics and the writers.

Everything here is a plain value: frozen dataclasses and enums, no I/O.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from .texts import Text, Values, Words, render

if TYPE_CHECKING:
    import pandas as pd

    from .issue_codes import IssueCode


class Status(str, Enum):
    """Where a lead stands (domain.md §6, status words)."""

    ACTIVE = "active"
    WON = "won"
    LOST = "lost"
    INVALID = "invalid"
    DORMANT = "dormant"


class SheetKind(str, Enum):
    LEADS = "leads"
    ACTIVITY = "activity"
    SPEND = "spend"
    IGNORED = "ignored"


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Issue:
    """A value that could not be read, or a finding the manager should see.

    ``row`` is the Excel row number as the user sees it (1-based); ``column`` is
    the header text of the column (or its letter when there is no header).
    ``value`` is the raw cell text; writers meant for forwarding mask phones in it.
    ``code`` is the stable code (leadbook.issue_codes) and ``values`` the values
    its message needs: the message is rendered in the run's language where it is
    written (:meth:`message`, :meth:`as_dict`).
    """

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    value: str | None
    code: IssueCode
    values: Values = ()
    severity: Severity = Severity.WARNING

    def __post_init__(self) -> None:
        given = {k for k, _ in self.values}
        if given != self.code.needs:
            raise TypeError(f"{self.code.code} needs {sorted(self.code.needs)}, "
                            f"was given {sorted(given)}")

    def message(self, lang: str) -> str:
        """The message in ``lang`` ("zh" or "en")."""
        return self.code.render(lang, self.values)

    @property
    def words(self) -> Text:
        """The message as words, for a row's 提示 in the annotated copy."""
        return Text(self.code, self.values)

    def as_dict(self, lang: str) -> dict[str, Any]:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "severity": self.severity.value,
            "code": self.code.code,
            "message": self.message(lang),
        }


class FileError(Exception):
    """A whole input file cannot be read (corrupt, refused, unsupported): ``reason``
    says why, in words (leadbook.read.file_words)."""

    def __init__(self, path: Path | str, reason: Words) -> None:
        super().__init__(f"{path}: {render(reason, 'zh')}")
        self.path = str(path)
        self.reason = reason


class OutputError(Exception):
    """An output could not be written (target locked, disk full...): ``why`` says so in
    words (leadbook.write.output_words), rendered in the run's language."""

    def __init__(self, why: Words | str) -> None:
        super().__init__(why)
        self.why = why

    def __str__(self) -> str:
        return render(self.why, "zh")


@dataclass
class RawSheet:
    """One sheet as stored: its name, whether it is hidden, and its cells."""

    name: str
    hidden: bool
    cells: list[list[Any]]


@dataclass
class SheetLayout:
    """What the copy of one sheet takes over: merges as (first row, first col,
    last row, last col), 0-based; widths in characters; number formats by cell."""

    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)
    hidden_columns: set[int] = field(default_factory=set)
    formats: dict[tuple[int, int], str] = field(default_factory=dict)


@dataclass(frozen=True)
class GridMetric:
    """One metric row: its label as written, its field (None: leadbook has no
    field for it), the non-blank day cells and its 合计 cell."""

    row: int  # Excel row
    label: str
    field: str | None
    days: dict[int, Any]  # day of month → raw cell value
    total: Any = None


@dataclass(frozen=True)
class MonthGrid:
    header_row: int  # Excel row of the day numbers
    day_columns: dict[int, int]  # day of month → 0-based column
    day_headers: dict[int, str]  # day of month → header text as written
    total_column: int | None
    total_header: str
    year: int | None  # from the title or the sheet name; None: not found there
    month: int | None
    month_from: str  # "title" | "sheet" | ""
    metrics: list[GridMetric] = field(default_factory=list)
    label_header: str = "项目"

    @property
    def unmapped(self) -> list[GridMetric]:
        return [m for m in self.metrics if m.field is None]


@dataclass
class SheetData:
    """One sheet as read: the recognised header and the data rows below it.

    ``columns`` maps a field name (``phone``, ``first_contact``...) to the
    0-based column index; ``headers`` maps the same field to the header text as
    the user wrote it. ``rows`` holds ``(excel_row, cells)`` for every non-blank
    row below the header, cells as Python values (str, int, float, bool,
    datetime, date, time or None). ``width`` is the number of used columns, so
    added columns go at index ``width`` and on.
    """

    name: str
    kind: SheetKind
    header_row: int = 0
    columns: dict[str, int] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    width: int = 0
    hidden: bool = False
    header_rows: int = 1
    # How many data rows the sheet has: kept when the rows are let go once read.
    row_count: int = -1
    # A month grid (metrics down, days across): its days are the activity rows.
    grid: MonthGrid | None = None
    # Why an ignored sheet is not read, for the file's message and 数据问题.
    reason: Words | None = None
    # For a sheet not understood: the row taken for its header and what it names
    # (leadbook.read.header_hint.HeaderGuess), to tell the manager how to fix it.
    guess: Any = None

    def __post_init__(self) -> None:
        if self.row_count < 0:
            self.row_count = len(self.rows)


@dataclass
class SourceFile:
    """One file of the inbox and what became of it."""

    path: Path
    name: str  # path relative to the inbox, as shown to the user
    format: str  # xlsx | xlsm | xls | csv | html | other
    status: str = "ok"  # ok | skipped | error
    # Why the file was skipped or could not be read, naming it (leadbook.read.file_words).
    note: Words | None = None
    sheets: list[SheetData] = field(default_factory=list)
    date1904: bool = False
    issues: list[Issue] = field(default_factory=list)

    @property
    def stem(self) -> str:
        return self.path.stem

    def message(self, lang: str) -> str:
        """summary.json's ``message`` in ``lang``: why the file was skipped or could not
        be read, else why its ignored sheets were ("" when there is nothing to say)."""
        if self.note is not None:
            return render(self.note, lang)
        return "; ".join(f"{s.name}: {render(s.reason, lang)}" for s in self.sheets if s.reason)


class RowNote(NamedTuple):
    """What the annotated copy adds to one row of a lead or activity sheet (a tuple:
    a run makes one for every row, and a frozen dataclass takes three times as long
    to make)."""

    system_grade: str = ""
    grade_change: str = ""
    next_due: dt.date | None = None
    overdue_days: int | None = None
    hint: str = ""
    fill: str | None = None  # overdue | due | won | lost | None
    comment: str | None = None  # cell comment on the 系统级别 cell


@dataclass
class SheetNotes:
    """The notes for one sheet of one workbook, keyed by Excel row."""

    name: str
    header_row: int
    width: int
    rows: dict[int, RowNote] = field(default_factory=dict)
    lang: str = "zh"  # the language of the added headers, the legend and the notes


@dataclass
class Outcome:
    """Everything the writers need, computed once by the pipeline.

    ``summary`` is exactly the content of summary.json (phones masked). The
    tables are DataFrames with the columns documented in ``leadbook.tables``.
    Phones in ``tasks`` are full (``phone``) and masked (``phone_masked``):
    report.xlsx shows the full number for calling, the HTML page the masked one.
    """

    store: str
    as_of: dt.date
    period_start: dt.date
    period_end: dt.date
    summary: dict[str, Any]
    tasks: pd.DataFrame
    channels: pd.DataFrame
    consultants: pd.DataFrame
    lost: pd.DataFrame
    crosscheck: pd.DataFrame
    duplicates: pd.DataFrame
    issues: list[Issue]
    lang: str = "zh"
    schedule: pd.DataFrame | None = None  # 日程: leads due per consultant, grade and bucket
    spend_parts: list[Any] = field(default_factory=list)  # leadbook.spend.SpendPart
    list_days: int = 7
    history: Any = None  # leadbook.history.remember.HistoryReport, when the run has history

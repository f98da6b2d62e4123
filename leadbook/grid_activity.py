"""A month grid's days → store-level activity rows, and its problems as Issues.

Pure: a sheet read as a :class:`~leadbook.model.MonthGrid` in, one row of the
daily reports' table (record_types.activity_table) per day holding a value out
(domain.md §6 "Month grids"). The month comes from the title or sheet name (found by the
reader), else the file name, else the as-of month, with an issue saying so.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from .daycount import iso
from .days import column_days
from .issue_codes import IssueCode, Part
from .model import GridMetric, Issue, MonthGrid, Severity, SheetData, SourceFile
from .read.month_grid import month_of_text
from .record_types import ACTIVITY_NUMBERS
from .texts import Values, said, why_of
from .values import mask_text, parse_count

# The 顾问 table's row for activity kept for the whole store (no consultant).
STORE_LEVEL = "(全店)"
# Where the month was found, as the manager reads it.
MONTH_FROM = {"title": "标题", "sheet": "表名", "file": "文件名"}


def resolve_month(grid: MonthGrid, file_name: str, as_of: dt.date) -> tuple[int, int, str]:
    """(year, month, where from): title, sheet name, file name, else as-of ("as_of").

    A month said without its year is the latest such month not after as-of.
    """
    year, month, source = grid.year, grid.month, grid.month_from
    if month is None:
        year, month = month_of_text(file_name.rsplit(".", 1)[0])
        source = "file" if month is not None else ""
    if month is None:
        return as_of.year, as_of.month, "as_of"
    if year is None:
        year = as_of.year if month <= as_of.month else as_of.year - 1
    return year, month, source


def _shown(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return mask_text(str(value))


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def grid_activity(src: SourceFile, sheet: SheetData, as_of: dt.date,
                  issues: list[Issue]) -> dict[str, list[Any]]:
    """One store-level row per day of the grid that holds a value, as the columns of
    record_types.activity_table, in day order."""
    grid = sheet.grid
    assert grid is not None
    year, month, source = resolve_month(grid, src.name, as_of)
    last_day = calendar.monthrange(year, month)[1]

    def issue(row: int | None, column: str | None, value: Any, code: IssueCode, values: Values,
              severity: Severity = Severity.WARNING) -> None:
        shown = None if value is None else _shown(value)
        issues.append(Issue(src.name, sheet.name, row, column, shown, code, values, severity))

    if source == "as_of":
        issue(grid.header_row, None, None, IssueCode.GRID_MONTH_ASSUMED,
              said(year=year, month=month, example_year=as_of.year,
                   example_month=as_of.month))
    by_field: dict[str, GridMetric] = {}
    for metric in grid.metrics:
        if metric.field is not None and metric.field not in by_field:
            by_field[metric.field] = metric
    days: dict[int, dict[str, float]] = {}  # day → field → the day's sum
    for fld, metric in by_field.items():
        total = 0.0
        for day, raw in sorted(metric.days.items()):
            header = grid.day_headers.get(day, str(day))
            try:
                value = parse_count(raw)
            except ValueError as exc:
                issue(metric.row, header, raw, IssueCode.BAD_NUMBER,
                      said(column=Part.GRID_DAY(label=metric.label, day=day),
                           reason=why_of(exc)))
                continue
            if value is None:
                continue
            if day > last_day:
                issue(metric.row, header, raw, IssueCode.GRID_DAY_OUTSIDE_MONTH,
                      said(label=metric.label, year=year, month=month, day=day))
                continue
            total += value
            counts = days.setdefault(day, {})
            counts[fld] = counts.get(fld, 0.0) + value
        _check_total(metric, total, grid, issue)
    for metric in grid.metrics:
        if metric.field is None or by_field.get(metric.field) is not metric:
            first = by_field[metric.field].row if metric.field is not None else 0
            why = Part.NO_FIELD if metric.field is None else Part.SAME_METRIC(first=first)
            issue(metric.row, grid.label_header, metric.label, IssueCode.GRID_METRIC_NOT_COUNTED,
                  said(label=metric.label, total=_number(metric_sum(metric)), why=why))
    order = sorted(days)
    n = len(order)
    return {"file": [src.name] * n, "sheet": [sheet.name] * n, "row": [grid.header_row] * n,
            "date": [dt.date(year, month, d) for d in order], "consultant": [None] * n,
            **{f: [days[d].get(f) for d in order] for f in ACTIVITY_NUMBERS},
            "store_level": [True] * n, "hints": [[] for _ in range(n)]}


def _check_total(metric: GridMetric, total: float, grid: MonthGrid, issue: Any) -> None:
    if metric.total is None:
        return
    try:
        stated = parse_count(metric.total)
    except ValueError:
        stated = None  # a formula's error text or a note: nothing to compare
    if stated is None or abs(stated - total) < 1e-6:
        return
    issue(metric.row, grid.total_header or "合计", metric.total, IssueCode.GRID_TOTAL_MISMATCH,
          said(label=metric.label, stated=_number(stated), total=_number(total)))


def metric_sum(metric: GridMetric) -> float:
    """The sum of a metric's readable day values."""
    total = 0.0
    for raw in metric.days.values():
        try:
            total += parse_count(raw) or 0.0
        except ValueError:
            continue
    return total


def unmapped_metrics(grid: MonthGrid) -> dict[str, float | int]:
    """Metric label → its month's sum, for the metrics no field counts."""
    return {m.label: _number(metric_sum(m)) for m in grid.unmapped}


def choose_activity(activity: pd.DataFrame) -> tuple[pd.DataFrame, list[Issue]]:
    """One source per day (domain.md §6: never both): a day a per-consultant
    report covers is not also counted from a month grid, and a day two month
    grids both hold is counted from the first read. The grids' other days stay;
    an issue per grid says which report the funnel counted. The daily reports'
    table in, the rows kept (in their order) out."""
    store = activity["store_level"].to_numpy()
    dated = activity["date"].notna().to_numpy()
    grid_days = np.flatnonzero(store & dated)
    if not len(grid_days):
        return activity, []
    dates = column_days(activity["date"])  # day numbers
    reported = set(dates[~store & dated].tolist())
    first_grid: dict[int, int] = {}  # a day → the position of its row in the first grid
    dropped: dict[tuple[str, str], list[int]] = {}
    files, sheets = activity["file"].to_numpy(), activity["sheet"].to_numpy()
    for i in grid_days.tolist():
        day = int(dates[i])
        if day in reported or first_grid.setdefault(day, i) != i:
            dropped.setdefault((files[i], sheets[i]), []).append(i)
    if not dropped:
        return activity, []
    by_day: dict[int, list[int]] = {}  # a reported day → its rows, for the issue's words
    for i in np.flatnonzero(~store & dated & np.isin(dates, list(
            {int(dates[j]) for rows in dropped.values() for j in rows}))).tolist():
        by_day.setdefault(int(dates[i]), []).append(i)
    traffic, rows = activity["traffic"].to_numpy(), activity["row"].to_numpy()
    issues = []
    for (file, sheet), theirs in dropped.items():
        days = sorted({int(dates[i]) for i in theirs})
        counted = [r for d in days for r in by_day.get(d) or [first_grid[d]]]
        names = ", ".join(sorted({f"{files[r]} {sheets[r]}" for r in counted}))
        which = Part.DAILY_REPORT if any(d in reported for d in days) else Part.OTHER_GRID
        start, end = iso(days[0]), iso(days[-1])
        issues.append(Issue(
            file, sheet, int(rows[theirs[0]]), None, None, IssueCode.GRID_OVERLAPS_DAILY,
            said(which=which, names=names, start=start, end=end, days=len(days),
                 theirs=_total(traffic[counted]), ours=_total(traffic[theirs])),
            Severity.WARNING,
        ))
    keep = np.ones(len(activity), dtype=bool)
    keep[[i for rows_ in dropped.values() for i in rows_]] = False
    kept: pd.DataFrame = activity[keep].reset_index(drop=True)
    return kept, issues


def _total(values: np.ndarray) -> float | int:
    return _number(sum(v for v in values.tolist() if not np.isnan(v)))

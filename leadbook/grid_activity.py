"""A month grid's days → store-level activity rows, and its problems as Issues.

Pure: a sheet read as a :class:`~leadbook.model.MonthGrid` in, one
:class:`~leadbook.record_types.Activity` per day holding a value out (domain.md §6
"Month grids"). The month comes from the title or sheet name (found by the
reader), else the file name, else the as-of month, with an issue saying so.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from .issue_codes import IssueCode, Part
from .model import GridMetric, Issue, MonthGrid, Severity, SheetData, SourceFile
from .read.month_grid import month_of_text
from .record_types import Activity
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
                  issues: list[Issue]) -> list[Activity]:
    """One store-level activity row per day of the grid that holds a value."""
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
    days: dict[int, Activity] = {}
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
            act = days.get(day)
            if act is None:
                act = Activity(src.name, sheet.name, grid.header_row,
                               dt.date(year, month, day), None)
                act.store_level = True
                days[day] = act
            setattr(act, fld, (getattr(act, fld) or 0.0) + value)
        _check_total(metric, total, grid, issue)
    for metric in grid.metrics:
        if metric.field is None or by_field.get(metric.field) is not metric:
            first = by_field[metric.field].row if metric.field is not None else 0
            why = Part.NO_FIELD if metric.field is None else Part.SAME_METRIC(first=first)
            issue(metric.row, grid.label_header, metric.label, IssueCode.GRID_METRIC_NOT_COUNTED,
                  said(label=metric.label, total=_number(metric_sum(metric)), why=why))
    return [days[d] for d in sorted(days)]


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


def choose_activity(activity: Sequence[Activity]) -> tuple[list[Activity], list[Issue]]:
    """One source per day (domain.md §6: never both): a day a per-consultant
    report covers is not also counted from a month grid, and a day two month
    grids both hold is counted from the first read. The grids' other days stay;
    an issue per grid says which report the funnel counted."""
    reported: dict[dt.date, list[Activity]] = {}
    for a in activity:
        if not a.store_level and a.date is not None:
            reported.setdefault(a.date, []).append(a)
    first_grid: dict[dt.date, list[Activity]] = {}  # the day's rows of the first grid
    kept: list[Activity] = []
    dropped: dict[tuple[str, str], list[Activity]] = {}
    for a in activity:
        if not a.store_level or a.date is None:
            kept.append(a)
        elif a.date in reported:
            dropped.setdefault((a.file, a.sheet), []).append(a)
        elif first_grid.setdefault(a.date, [a])[0] is not a:
            dropped.setdefault((a.file, a.sheet), []).append(a)
        else:
            kept.append(a)
    issues = []
    for (file, sheet), acts in dropped.items():
        dates = sorted({a.date for a in acts if a.date is not None})
        counted = [r for d in dates for r in reported.get(d) or first_grid[d]]
        names = ", ".join(sorted({f"{r.file} {r.sheet}" for r in counted}))
        which = Part.DAILY_REPORT if any(d in reported for d in dates) else Part.OTHER_GRID
        issues.append(Issue(
            file, sheet, acts[0].row, None, None, IssueCode.GRID_OVERLAPS_DAILY,
            said(which=which, names=names, start=dates[0].isoformat(),
                 end=dates[-1].isoformat(), days=len(dates),
                 theirs=_total(r.traffic for r in counted), ours=_total(a.traffic for a in acts)),
            Severity.WARNING,
        ))
    return kept, issues


def _total(values: Iterable[float | None]) -> float | int:
    return _number(sum(v for v in values if v is not None))

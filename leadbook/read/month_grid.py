"""The store-level month grid (销售日报表 by month): metrics down, days across.

Layout (domain.md §6 "Month grids"): a title such as "2026年11月销售工作表",
then a header row with 项目 over the metric names, an optional 负责人 column
(the person answerable for the metric, never a consultant), the days 1…31
across, and 合计 / 目标值 / 完成率 columns after the days. Each metric row is
matched to an activity field by the header vocabulary (vocab.GRID_METRIC_*);
a metric leadbook has no field for is kept with ``field`` None.

Pure: cells in, a :class:`MonthGrid` out. The month is taken from the title or
the sheet name here; the file name and the as-of date are the caller's
(:mod:`leadbook.grid_activity`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ..model import GridMetric, MonthGrid
from ..vocab import (
    ACTIVITY_COUNT_FIELDS,
    ACTIVITY_FIELDS,
    GRID_LABEL_WORDS,
    GRID_METRIC_PREFIXES,
    GRID_METRIC_SUFFIXES,
    GRID_OWNER_WORDS,
    TOTAL_WORDS,
)
from .headers import HEADER_SEARCH_ROWS, normalise_header

# A month grid names at least this many metrics leadbook counts, and at least
# this many day columns: a roster or an attendance sheet (days across, names
# down) names none.
MIN_MAPPED_METRICS = 2
MIN_DAYS = 7
MAX_DAY = 31

_DAY_TEXT = re.compile(r"(\d{1,2})\s*[日号]?")
# "2026年11月", "2026-11", "2026.11", "2026/11"; then "11月" alone.
_YEAR_MONTH = re.compile(r"(20\d{2})\s*(?:年\s*|[-./]\s*)(\d{1,2})(?:\s*月|(?!\d))")
_MONTH = re.compile(r"(?<!\d)(\d{1,2})\s*月")


_COUNT_WORDS: dict[str, str] = {
    normalise_header(word): fld
    for fld in ACTIVITY_COUNT_FIELDS
    for word in ACTIVITY_FIELDS[fld]
}
_PREFIXES = tuple(normalise_header(w) for w in GRID_METRIC_PREFIXES)
_SUFFIXES = tuple(sorted((normalise_header(w) for w in GRID_METRIC_SUFFIXES), key=len,
                         reverse=True))
_LABELS = frozenset(normalise_header(w) for w in GRID_LABEL_WORDS)
_OWNERS = frozenset(normalise_header(w) for w in GRID_OWNER_WORDS)
_TOTALS = frozenset(normalise_header(w) for w in TOTAL_WORDS)


def metric_field(label: str) -> str | None:
    """The activity count field a metric label names, by its parts.

    The label is read as [place] + word + [unit]: 展厅订单台数 = 展厅 + 订单 + 台数
    → orders. The word must be one of the field's header words, so 再次来客批次
    (return visits) is no traffic.
    """
    text = normalise_header(label)
    candidates = [text]
    for prefix in _PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix):
            candidates.append(text[len(prefix):])
    for base in list(candidates):
        for suffix in _SUFFIXES:
            if base.endswith(suffix) and len(base) > len(suffix):
                candidates.append(base[: -len(suffix)])
    for candidate in candidates:
        fld = _COUNT_WORDS.get(candidate)
        if fld is not None:
            return fld
    return None


def _day_of(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        day = int(value)
    elif isinstance(value, str):
        match = _DAY_TEXT.fullmatch(value.strip())
        if match is None:
            return None
        day = int(match.group(1))
    else:
        return None
    return day if 1 <= day <= MAX_DAY else None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _days_of_row(row: Sequence[Any]) -> tuple[dict[int, int], dict[int, str]]:
    """The run of day numbers of a row: 1, 2, 3 … each one more than the last."""
    columns: dict[int, int] = {}
    headers: dict[int, str] = {}
    last = 0
    for col, value in enumerate(row):
        day = _day_of(value)
        if day is None:
            continue
        if day != last + 1:
            if len(columns) >= MIN_DAYS:
                break
            columns, headers, last = {}, {}, 0
            if day != 1:
                continue
        columns[day] = col
        headers[day] = _text(value)
        last = day
    return (columns, headers) if len(columns) >= MIN_DAYS else ({}, {})


def month_of_text(text: str) -> tuple[int | None, int | None]:
    """(year, month) said by a title or a name; (None, month) when only the month is."""
    text = normalise_header(text) if text else ""
    match = _YEAR_MONTH.search(text)
    if match and 1 <= int(match.group(2)) <= 12:
        return int(match.group(1)), int(match.group(2))
    match = _MONTH.search(text)
    if match and 1 <= int(match.group(1)) <= 12:
        return None, int(match.group(1))
    return None, None


def _month(cells: Sequence[Sequence[Any]], header: int, sheet_name: str
           ) -> tuple[int | None, int | None, str]:
    for row in cells[:header]:
        for value in row:
            if isinstance(value, str):
                year, month = month_of_text(value)
                if month is not None:
                    return year, month, "title"
    year, month = month_of_text(sheet_name)
    if month is not None:
        return year, month, "sheet"
    return None, None, ""


def find_month_grid(cells: Sequence[Sequence[Any]], sheet_name: str) -> MonthGrid | None:
    """The month grid of a sheet, or None when the sheet is not laid out as one."""
    for r, row in enumerate(cells[:HEADER_SEARCH_ROWS]):
        days, day_headers = _days_of_row(row)
        if not days:
            continue
        first_col, last_col = min(days.values()), max(days.values())
        label_col: int | None = None
        label_header = "项目"
        owner_cols: set[int] = set()
        total_col: int | None = None
        total_header = ""
        for col, value in enumerate(row):
            if not isinstance(value, str) or col in days.values():
                continue
            word = normalise_header(value)
            if col < first_col and word in _LABELS and label_col is None:
                label_col, label_header = col, value.strip()
            elif word in _OWNERS:
                owner_cols.add(col)
            elif col > last_col and word in _TOTALS and total_col is None:
                total_col, total_header = col, value.strip()
        if label_col is None:
            label_col = next((c for c in range(first_col) if c not in owner_cols), None)
        if label_col is None:
            continue
        metrics = _metrics(cells, r, label_col, days, total_col)
        if sum(m.field is not None for m in metrics) < MIN_MAPPED_METRICS:
            continue
        year, month, source = _month(cells, r, sheet_name)
        return MonthGrid(r + 1, days, day_headers, total_col, total_header, year, month,
                         source, metrics, label_header)
    return None


def _metrics(cells: Sequence[Sequence[Any]], header: int, label_col: int,
             days: dict[int, int], total_col: int | None) -> list[GridMetric]:
    out: list[GridMetric] = []
    for i in range(header + 1, len(cells)):
        row = cells[i]
        label = _text(row[label_col]) if label_col < len(row) else ""
        if not label or normalise_header(label) in _TOTALS:
            continue
        values = {day: row[col] for day, col in days.items()
                  if col < len(row) and not _blank(row[col])}
        total = row[total_col] if total_col is not None and total_col < len(row) else None
        if not values and _blank(total):
            continue  # a section row ("展厅", "DCC") or a metric not kept this month
        out.append(GridMetric(i + 1, label, metric_field(label), values,
                              None if _blank(total) else total))
    return out


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())

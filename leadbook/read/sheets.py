"""Which kind a sheet is (lead cards, daily report, spend, or none) and its data rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from ..model import Issue, Severity, SheetData, SheetKind
from ..vocab import (
    ACTIVITY_COUNT_FIELDS,
    ACTIVITY_FIELDS,
    ACTIVITY_REQUIRED,
    LEAD_FIELDS,
    LEAD_REQUIRED,
    SPEND_FIELDS,
    TOTAL_WORDS,
)
from .grid import RawSheet
from .headers import Header, find_header, normalise_header, word_index

# What each kind needs to be recognised (domain.md §6: sheets are recognised by
# their header row, not their name).
KIND_FIELDS: dict[SheetKind, Mapping[str, Sequence[str]]] = {
    SheetKind.LEADS: LEAD_FIELDS,
    SheetKind.ACTIVITY: ACTIVITY_FIELDS,
    SheetKind.SPEND: SPEND_FIELDS,
}
REQUIRED = {SheetKind.LEADS: LEAD_REQUIRED, SheetKind.ACTIVITY: ACTIVITY_REQUIRED}
FIELD_WORDS = {  # how a missing column is named in a message
    "phone": "联系电话", "consultant": "销售顾问", "date": "日期",
}
_TOTALS = tuple(normalise_header(w) for w in TOTAL_WORDS)


def _recognised(kind: SheetKind, header: Header) -> bool:
    cols = header.columns
    if kind is SheetKind.LEADS:
        return ("phone" in cols or "name" in cols) and len(cols) >= 3
    if kind is SheetKind.ACTIVITY:
        return "date" in cols and sum(f in cols for f in ACTIVITY_COUNT_FIELDS) >= 2
    return "source" in cols and "amount" in cols


@lru_cache(maxsize=32)
def _indexes(extra_key: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[SheetKind, dict[str, str]]:
    extra = dict(extra_key)
    out = {}
    for kind, fields in KIND_FIELDS.items():
        merged = {f: (*extra.get(f, ()), *words) for f, words in fields.items()}
        out[kind] = word_index(merged)
    return out


def classify(raw: RawSheet, extra: Mapping[str, Sequence[str]] | None = None,
             file: str = "") -> tuple[SheetData, list[Issue]]:
    key = tuple(sorted((k, tuple(v)) for k, v in (extra or {}).items()))
    best: tuple[SheetKind, Header] | None = None
    for kind, index in _indexes(key).items():
        header = find_header(raw.cells, index)
        if header is None or not _recognised(kind, header):
            continue
        if best is None or header.score > best[1].score:
            best = (kind, header)
    width = max((len(r) for r in raw.cells), default=0)
    if best is None:
        return SheetData(raw.name, SheetKind.IGNORED, width=width, hidden=raw.hidden), []
    kind, header = best
    rows = data_rows(raw.cells, header.row + 1)
    sheet = SheetData(
        name=raw.name,
        kind=kind,
        header_row=header.row + 1,
        columns=header.columns,
        headers=header.headers,
        rows=rows,
        width=width,
        hidden=raw.hidden,
        header_rows=header.rows,
    )
    issues = [
        Issue(file, raw.name, header.row + 1, None, None, "missing_column",
              f"表头中没有{FIELD_WORDS.get(f, f)}列, 无法{'确定负责顾问' if f == 'consultant' else '使用此表的全部功能'}",
              Severity.ERROR)
        for f in REQUIRED.get(kind, ())
        if f not in header.columns
    ]
    return sheet, issues


def is_total_row(row: Sequence[Any]) -> bool:
    for value in row:
        if value is None:
            continue
        if not isinstance(value, str):
            return False
        text = normalise_header(value)
        if not text:
            continue
        return text.startswith(_TOTALS)
    return False


def data_rows(cells: Sequence[list[Any]], start: int) -> list[tuple[int, list[Any]]]:
    """(excel_row, cells) for every non-blank, non-total row from ``start`` (0-based) on."""
    out = []
    for i in range(start, len(cells)):
        row = cells[i]
        if not any(v is not None and not (isinstance(v, str) and not v.strip()) for v in row):
            continue
        if is_total_row(row):
            continue
        out.append((i + 1, row))
    return out

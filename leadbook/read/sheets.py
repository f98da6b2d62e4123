"""Which kind a sheet is (lead cards, daily report, spend, or none) and its data rows.

Sheets are recognised by their header row, never by their name (domain.md §6).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from ..issue_codes import MISSING_COLUMN_WORDS, IssueCode, Part
from ..model import Issue, RawSheet, Severity, SheetData, SheetKind
from ..texts import DEFAULT_LANGUAGE, Words, render, said
from ..vocab import (
    ACTIVITY_COUNT_FIELDS,
    ACTIVITY_FIELDS,
    ACTIVITY_REQUIRED,
    LEAD_FIELDS,
    LEAD_REQUIRED,
    LEAD_SIGNS,
    LEAD_SIGNS_BESIDE_SERVICE,
    SERVICE_WORDS,
    SPEND_FIELDS,
    TOTAL_WORDS,
)
from .file_words import SheetWhy
from .header_hint import HeaderGuess, columns_line, guess_header, suggest
from .headers import HEADER_SEARCH_ROWS, HeaderMatch, find_header, normalise_header, with_extra
from .month_grid import find_month_grid

# The header words of each kind, in the order a tie is settled.
KIND_FIELDS: dict[SheetKind, Mapping[str, Sequence[str]]] = {
    SheetKind.LEADS: LEAD_FIELDS,
    SheetKind.ACTIVITY: ACTIVITY_FIELDS,
    SheetKind.SPEND: SPEND_FIELDS,
}
# What a header must name for its sheet to be of a kind (domain.md §6, §5).
LEAD_MIN_FIELDS = 3
ACTIVITY_MIN_COUNTS = 2
# Columns the work cannot do without; a header lacking one is an issue.
REQUIRED: dict[SheetKind, tuple[str, ...]] = {
    SheetKind.LEADS: LEAD_REQUIRED,
    SheetKind.ACTIVITY: ACTIVITY_REQUIRED,
}
# How a missing column is named to the manager, and what its absence costs.
MISSING_COLUMN = MISSING_COLUMN_WORDS

_TOTALS = tuple(normalise_header(w) for w in TOTAL_WORDS)
# First characters (after NFKC) a total row's first cell can start with; only
# cells starting with one are normalised fully.
_TOTAL_STARTS = frozenset("合总總小tT")
_FIRST: dict[str, str] = {}  # a row's first character, normalised (NFKC): once per character


def recognised(kind: SheetKind, columns: Mapping[str, int], service: bool = False) -> bool:
    """Does a header naming ``columns`` make a sheet of ``kind``? ``service``: the
    header also holds workshop words (工单号, 车牌号, 维修顾问 …)."""
    if kind is SheetKind.LEADS:
        signs = LEAD_SIGNS_BESIDE_SERVICE if service else LEAD_SIGNS
        return (("phone" in columns or "name" in columns) and len(columns) >= LEAD_MIN_FIELDS
                and any(f in columns for f in signs))
    if kind is SheetKind.ACTIVITY:
        counts = sum(f in columns for f in ACTIVITY_COUNT_FIELDS)
        return "date" in columns and counts >= ACTIVITY_MIN_COUNTS
    return "source" in columns and "amount" in columns


ExtraKey = tuple[tuple[str, tuple[str, ...]], ...]


@lru_cache(maxsize=32)
def _words(extra_key: ExtraKey) -> dict[SheetKind, dict[str, tuple[str, ...]]]:
    extra = dict(extra_key)
    return {kind: with_extra(fields, extra) for kind, fields in KIND_FIELDS.items()}


def _extra_key(extra: Mapping[str, Sequence[str]] | None) -> ExtraKey:
    if not extra:
        return ()
    return tuple(sorted((str(k), tuple(str(w) for w in v)) for k, v in extra.items()))


def used_width(cells: Sequence[Sequence[Any]]) -> int:
    """Columns up to the last one holding a value in any row."""
    width = 0
    for row in cells:
        n = len(row)
        if n <= width:
            continue
        while n > width and _blank(row[n - 1]):
            n -= 1
        width = max(width, n)
    return width


def classify(raw: RawSheet, extra: Mapping[str, Sequence[str]] | None = None) -> SheetData:
    """The sheet's kind, header and data rows; IGNORED when no header is recognised."""
    width = used_width(raw.cells)
    grid = find_month_grid(raw.cells, raw.name)
    if grid is not None:
        days = {d for m in grid.metrics for d in m.days}
        return SheetData(raw.name, SheetKind.ACTIVITY, header_row=grid.header_row, width=width,
                         hidden=raw.hidden, row_count=len(days), grid=grid)
    best: tuple[SheetKind, HeaderMatch] | None = None
    service = _service_words(raw.cells)
    near: HeaderMatch | None = None  # a lead header that is not enough for a lead card
    for kind, fields in _words(_extra_key(extra)).items():
        found = find_header(raw.cells, fields)
        if found is None or not recognised(kind, found.columns, bool(service)):
            if kind is SheetKind.LEADS and found is not None and _names_someone(found.columns):
                near = found
            continue
        if best is None or found.score > best[1].score:
            best = (kind, found)
    if best is None:
        return SheetData(raw.name, SheetKind.IGNORED, width=width, hidden=raw.hidden,
                         reason=_ignored_reason(service, near),
                         guess=guess_header(raw.cells, _words(_extra_key(extra))[SheetKind.LEADS]))
    kind, header = best
    taken = set(header.columns.values())
    others = tuple(str(v).strip() for c, v in enumerate(raw.cells[header.row])
                   if c not in taken and isinstance(v, str) and v.strip())
    start = header.row + 1
    if start < len(raw.cells) and is_code_row(raw.cells[start], header.columns):
        start += 1  # a row of field codes under the header (import templates): header too
    return SheetData(
        name=raw.name,
        kind=kind,
        header_row=header.row + 1,
        columns=header.columns,
        headers=header.headers,
        rows=data_rows(raw.cells, start, header.columns),
        width=width,
        hidden=raw.hidden,
        header_rows=header.rows,
        guess=HeaderGuess(header.row + 1, dict(header.headers), others),
    )


# A field code of an import template's second header row: Name, MobilePhone,
# CustomerLevel, cust_name.
_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_.]*")
_SERVICE = frozenset(normalise_header(w) for w in SERVICE_WORDS)


def is_code_row(row: Sequence[Any], columns: Mapping[str, int]) -> bool:
    """Is the row under the header a row of field codes (every field column's
    cell a code, and no other kind of value in the row)?"""
    texts = [v for v in row if not _blank(v)]
    if len(texts) < 2 or not all(isinstance(v, str) and _CODE.fullmatch(v.strip())
                                 for v in texts):
        return False
    return all(c < len(row) and not _blank(row[c]) for c in columns.values())


def _service_words(cells: Sequence[Sequence[Any]]) -> list[str]:
    """The workshop words (工单号, 车牌号 …) of the sheet's first rows, as written."""
    found: list[str] = []
    for row in cells[:HEADER_SEARCH_ROWS]:
        for value in row:
            if isinstance(value, str) and normalise_header(value) in _SERVICE:
                if value.strip() not in found:
                    found.append(value.strip())
    return found


def _names_someone(columns: Mapping[str, int]) -> bool:
    """A header of a table of people: a name or a phone column among others."""
    return ("phone" in columns or "name" in columns) and len(columns) >= 2


def _ignored_reason(service: Sequence[str], near: HeaderMatch | None) -> Words | None:
    """Why a sheet that looks like a table of people is not read (None for others)."""
    if service:
        return SheetWhy.SERVICE_SHEET(words=tuple(service[:4]))
    if near is not None:
        return SheetWhy.NOT_LEAD_CARDS(words=tuple(near.headers.values()))
    return None


def header_issues(sheet: SheetData, file: str) -> list[Issue]:
    """A required column the header lacks: one error on the header row."""
    issues: list[Issue] = []
    if sheet.kind is SheetKind.IGNORED and sheet.reason:
        return [Issue(file, sheet.name, None, None, None, IssueCode.SHEET_IGNORED,
                      said(sheet=sheet.name, reason=sheet.reason), Severity.WARNING)]
    if sheet.grid is not None:
        return issues  # a month grid is store-level: it has no date or consultant column
    for fld in REQUIRED.get(sheet.kind, ()):
        if fld in sheet.columns:
            continue
        word, cost = MISSING_COLUMN.get(fld, (fld, Part.COST_OTHER))
        header = suggest(fld, sheet.guess.others) if sheet.guess is not None else None
        fix = (Part.COLUMN_FIX(header=header, word=word, line=columns_line(fld, header))
               if header else None)
        issues.append(Issue(
            file, sheet.name, sheet.header_row, render(word, DEFAULT_LANGUAGE), None,
            IssueCode.MISSING_COLUMN, said(word=word, cost=cost, fix=fix), Severity.ERROR,
        ))
    return issues


def is_total_row(row: Sequence[Any]) -> bool:
    """Does the row's first non-empty cell say 合计 / 总计 / 小计 / Total?"""
    for value in row:
        if value is None:
            continue
        if not isinstance(value, str):
            return False
        text = value.strip()
        if not text:
            continue
        first = _FIRST.get(text[0])
        if first is None:
            first = _FIRST[text[0]] = unicodedata.normalize("NFKC", text[0])
        if first not in _TOTAL_STARTS:
            # Brackets or spaces before the word: let the full normalisation decide.
            if text[:1].isalnum():
                return False
        return normalise_header(text).startswith(_TOTALS)
    return False


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _blank_row(row: Sequence[Any]) -> bool:
    for value in row:
        if not _blank(value):
            return False
    return True


def data_rows(
    cells: Sequence[list[Any]], start: int, columns: Mapping[str, int] | None = None
) -> list[tuple[int, list[Any]]]:
    """(excel_row, cells) for every non-blank, non-total row from index ``start`` on.

    With ``columns`` (the header's field columns), a row holding values only in
    columns no field is read from is blank too: a template's pre-numbered 序号
    column, a formula left in an unused column.
    """
    wanted = sorted(set(columns.values())) if columns else None
    out = []
    for i in range(start, len(cells)):
        row = cells[i]
        if wanted is None:
            if _blank_row(row):
                continue
        else:
            width = len(row)
            for c in wanted:  # a value in a field's column: the row is not blank
                if c < width:
                    value = row[c]
                    if value is not None and (type(value) is not str or value.strip()):
                        break
            else:
                continue
        if is_total_row(row):
            continue
        out.append((i + 1, row))
    return out

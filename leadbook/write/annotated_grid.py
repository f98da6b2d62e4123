"""The annotated copy of an .xls, .csv or .html workbook: a new .xlsx.

These formats cannot be patched in place, so every sheet is read again as a
grid of values and written with XlsxWriter: each value at its original cell
(text stays text, numbers numbers, dates date cells), hidden sheets hidden,
plus the five added columns, row colours and notes. An .xls (under any name)
keeps its merged cells, column widths, hidden columns and the number formats of
its number cells (read by :mod:`leadbook.read.biff_layout`); other columns get
a width that fits their text. The grids and layouts are handed in by
:mod:`leadbook.annotate`: nothing here reads the input.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from pathlib import Path
from typing import Any

import xlsxwriter
import xlsxwriter.exceptions
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from ..model import RawSheet, SheetLayout, SheetNotes
from .annotation_cells import (
    COLUMN_WIDTHS,
    COMMENT_AUTHOR,
    DATE_FORMAT,
    FILL_COLORS,
    added_headers,
    clean_text,
    legend,
    note_cells,
    row_fill,
)
from .atomic import atomic_path
from .xlsx_text import write_text

WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "constant_memory": True,
}
NUM_FORMATS = {"date": DATE_FORMAT, "datetime": "yyyy-mm-dd hh:mm:ss", "time": "hh:mm:ss",
               "duration": "[h]:mm:ss"}
MAX_FIT_WIDTH = 50
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def sheet_name(name: str, taken: set[str]) -> str:
    """A name Excel accepts (31 characters, none of []:*?/\\), unique in the workbook."""
    base = _SHEET_NAME_BAD.sub("_", clean_text(name)).strip("'")[:31] or "Sheet"
    candidate, n = base, 1
    while candidate.lower() in taken or candidate.lower() == "history":
        n += 1
        suffix = f"~{n}"
        candidate = base[:31 - len(suffix)] + suffix
    taken.add(candidate.lower())
    return candidate


class _Formats:
    """Cell formats by (kind, fill, bold), created once each."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self._book = book
        self._cache: dict[tuple[str, str | None, bool], Format] = {}

    def get(self, kind: str, fill: str | None = None, bold: bool = False) -> Format:
        """``kind``: text, number, a NUM_FORMATS key, or "code:<number format>"."""
        key = (kind, fill, bold)
        if key not in self._cache:
            props: dict[str, Any] = {}
            if kind in NUM_FORMATS:
                props["num_format"] = NUM_FORMATS[kind]
            elif kind.startswith("code:"):
                props["num_format"] = kind[5:]
            if fill:
                props.update(bg_color="#" + FILL_COLORS[fill], pattern=1)
            if bold:
                props["bold"] = True
            # An empty format is the default cell format (XlsxWriter gives it xf 0);
            # rich-looking text needs a format object for its runs (xlsx_text).
            self._cache[key] = self._book.add_format(props)
        return self._cache[key]


def _write_value(ws: Worksheet, row: int, col: int, value: Any, formats: _Formats,
                 fill: str | None, code: str | None = None) -> int:
    """Write one original value by its type; returns its display width (0 for none)."""
    if value is None or value == "":
        if fill:
            ws.write_blank(row, col, None, formats.get("text", fill))
        return 0
    if isinstance(value, bool):
        ws.write_boolean(row, col, value, formats.get("text", fill))
        return 5
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if math.isfinite(value):
            ws.write_number(row, col, value, formats.get(f"code:{code}" if code else "number",
                                                         fill))
            return len(f"{value:g}")
        value = str(value)
    if isinstance(value, dt.datetime):
        kind = "date" if value.time() == dt.time() else "datetime"
        ws.write_datetime(row, col, value.replace(tzinfo=None), formats.get(kind, fill))
        return 10 if kind == "date" else 19
    if isinstance(value, dt.date):
        ws.write_datetime(row, col, value, formats.get("date", fill))
        return 10
    if isinstance(value, dt.time):
        ws.write_datetime(row, col, value, formats.get("time", fill))
        return 8
    if isinstance(value, dt.timedelta):
        ws.write_number(row, col, value.total_seconds() / 86400, formats.get("duration", fill))
        return 10
    text = str(value)  # XlsxWriter writes a control character as Excel does, _xHHHH_
    write_text(ws, row, col, text, formats.get("text", fill))
    return _display_width(text)


def _write_sheet(ws: Worksheet, cells: list[list[Any]], sheet_notes: SheetNotes | None,
                 formats: _Formats, layout: SheetLayout | None = None) -> None:
    codes = layout.formats if layout else {}
    notes = sheet_notes.rows if sheet_notes else {}
    header_row = sheet_notes.header_row if sheet_notes else 0
    width = sheet_notes.width if sheet_notes else 0
    last_row = max([len(cells), header_row, *notes])
    widths: dict[int, int] = {}
    for number in range(1, last_row + 1):
        values = cells[number - 1] if number <= len(cells) else []
        row = number - 1
        note = notes.get(number) if number != header_row else None
        fill = row_fill(note)
        _merge(ws, layout, row)
        for col, value in enumerate(values):
            shown = _write_value(ws, row, col, value, formats, fill, codes.get((row, col)))
            if shown > widths.get(col, 0):
                widths[col] = shown
        if fill:
            for col in range(len(values), width):
                ws.write_blank(row, col, None, formats.get("text", fill))
        if sheet_notes is None:
            continue
        if number == header_row:
            for i, word in enumerate(added_headers(sheet_notes)):
                write_text(ws, row, width + i, word, formats.get("text", "added", bold=True))
            ws.write_comment(row, width, legend(sheet_notes),
                             {"author": COMMENT_AUTHOR, "x_scale": 2, "y_scale": 1.5})
            continue
        if note is None:
            continue
        for i, cell in enumerate(note_cells(note)):
            col = width + i
            if cell is None:
                if fill:
                    ws.write_blank(row, col, None, formats.get("date" if i == 2 else "text", fill))
                continue
            kind, value = cell
            if kind == "text":
                write_text(ws, row, col, str(value), formats.get("text", fill))
            elif kind == "date":
                ws.write_datetime(row, col, value, formats.get("date", fill))
            else:
                ws.write_number(row, col, value, formats.get("number", fill))
        if note.comment:
            ws.write_comment(row, width, clean_text(note.comment),
                             {"author": COMMENT_AUTHOR, "x_scale": 1.5, "y_scale": 1.5})
    for col, shown in sorted(widths.items()):
        if (sheet_notes is None or col < width) and not (layout and col in layout.widths):
            ws.set_column(col, col, min(max(shown + 2, 8.43), MAX_FIT_WIDTH))
    if layout is not None:
        used = width if sheet_notes is not None else max((len(r) for r in cells), default=0)
        _take_layout(ws, layout, used)
    if sheet_notes is not None:
        for i, added in enumerate(COLUMN_WIDTHS):
            ws.set_column(width + i, width + i, added)


# XlsxWriter adds this padding to a width given in characters; the .xls
# stores widths with the padding in.
WIDTH_PADDING = 0.71


def _take_layout(ws: Worksheet, layout: SheetLayout, used: int) -> None:
    """The original's widths and hidden columns, up to the used width."""
    for col in range(used):
        if col in layout.widths:
            options = {"hidden": True} if col in layout.hidden_columns else None
            ws.set_column(col, col, max(layout.widths[col] - WIDTH_PADDING, 0), None, options)


def _merge(ws: Worksheet, layout: SheetLayout | None, row: int) -> None:
    """The original's merged ranges starting on ``row``, before the row's cells are
    written (constant memory: a row once left cannot be written to). The first
    cell's value is written after, by its type."""
    if layout is None:
        return
    for first_row, first_col, last_row, last_col in layout.merges:
        if first_row != row or (first_row, first_col) == (last_row, last_col):
            continue
        try:
            ws.merge_range(first_row, first_col, last_row, last_col, "")
        except (xlsxwriter.exceptions.OverlappingRange, ValueError):
            continue


def write_grid_copy(grids: list[RawSheet], layouts: dict[str, SheetLayout],
                    notes: list[SheetNotes], target: Path) -> Path:
    """The copy of every sheet of ``grids`` (as read.grid loads them), with the
    layout of an .xls (read.biff_layout) by sheet name, to ``target``."""
    by_name = {n.name: n for n in notes}
    names = {g.name for g in grids}
    missing = [n.name for n in notes if n.name not in names]
    if missing:
        raise ValueError(f"sheet {missing[0]!r} is not in the workbook")
    with atomic_path(target) as tmp:
        book = xlsxwriter.Workbook(str(tmp), WORKBOOK_OPTIONS)
        formats = _Formats(book)
        taken: set[str] = set()
        visible = [g for g in grids if not g.hidden] or grids[:1]
        sheets = []
        for grid in grids:
            ws = book.add_worksheet(sheet_name(grid.name, taken))
            sheets.append(ws)
            if grid is visible[0]:
                ws.activate()
                ws.set_first_sheet()
            elif grid.hidden:
                ws.hide()
            _write_sheet(ws, grid.cells, by_name.get(grid.name), formats, layouts.get(grid.name))
        if not sheets:
            book.add_worksheet()
        book.close()
    return target

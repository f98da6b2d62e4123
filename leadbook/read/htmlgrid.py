"""HTML tables as grids: what many dealer systems export under an .xls name.

Each top-level ``<table>`` is one sheet. A cell spanning several columns or
rows (colspan / rowspan) holds its text in its first cell; the cells it
covers are None, as a merged range reads in a workbook. Read with the
standard library's parser: nothing is fetched, no entity beyond HTML's own is
known.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from ..model import FileError
from .file_words import FileWhy, os_why
from .textgrid import decode_text

# Bounds on spans, so a hostile colspan="99999999" cannot fill memory.
MAX_COLSPAN = 1_000
MAX_ROWSPAN = 100_000
MAX_CELLS = 20_000_000  # about 1,400,000 rows × 14 columns
MAX_COLUMNS = 16_384  # Excel's last column, XFD: a wider row is no sheet


class _TooLarge(Exception):
    pass


class _TooWide(Exception):
    pass


def _span(attrs: list[tuple[str, str | None]], name: str, limit: int) -> int:
    for key, value in attrs:
        if key == name and value is not None:
            text = value.strip()
            if text.isdigit():
                return max(1, min(int(text), limit))
    return 1


class _Table:
    """One table being read: its rows, and the rowspans still covering cells below."""

    def __init__(self) -> None:
        self.rows: list[list[Any]] = []
        self.row: dict[int, Any] | None = None
        self.covered: dict[int, int] = {}  # column → rows still covered by a rowspan above
        self.new_cover: dict[int, int] = {}  # rowspans starting in the current row
        self.cells = 0
        self.next_col = 0  # no free column of the current row lies before this one

    def start_row(self) -> dict[int, Any]:
        self.end_row()
        self.row = {}
        self.next_col = 0
        return self.row

    def end_row(self) -> None:
        if self.row is None:
            return
        width = max([*self.row, *self.covered], default=-1) + 1
        self._count(len(self.covered))
        self.rows.append([self.row.get(c) for c in range(width)])
        self.covered = {c: left - 1 for c, left in self.covered.items() if left > 1}
        self.covered.update(self.new_cover)
        self.new_cover = {}
        self.row = None

    def _count(self, cells: int) -> None:
        self.cells += cells
        if self.cells > MAX_CELLS:
            raise _TooLarge

    def add_cell(self, text: str, colspan: int, rowspan: int) -> None:
        self._count(colspan)
        row = self.row if self.row is not None else self.start_row()
        col = self.next_col  # cells fill a row left to right: never search from 0 again
        while col in row or col in self.covered:
            col += 1
        if col + colspan > MAX_COLUMNS:
            raise _TooWide
        self.next_col = col + colspan
        row[col] = text or None
        for c in range(col + 1, col + colspan):
            row[c] = None
        if rowspan > 1:
            for c in range(col, col + colspan):
                self.new_cover[c] = rowspan - 1

    def close(self) -> list[list[Any]]:
        self.end_row()
        return self.rows


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[Any]]] = []
        self._table: _Table | None = None
        self._depth = 0
        self._cell: list[str] | None = None
        self._spans = (1, 1)

    def _end_cell(self) -> None:
        if self._cell is not None and self._table is not None:
            self._table.add_cell("".join(self._cell).strip(), *self._spans)
        self._cell = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._depth += 1
            if self._depth == 1:
                self._table = _Table()
            return
        if self._depth != 1 or self._table is None:
            return  # a nested table's text stays in the outer cell
        if tag == "tr":
            self._end_cell()
            self._table.start_row()
        elif tag in ("td", "th"):
            self._end_cell()
            self._cell = []
            self._spans = (_span(attrs, "colspan", MAX_COLSPAN),
                           _span(attrs, "rowspan", MAX_ROWSPAN))
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            if self._depth == 1 and self._table is not None:
                self._end_cell()
                self.tables.append(self._table.close())
                self._table = None
            self._depth = max(0, self._depth - 1)
        elif self._depth == 1 and self._table is not None:
            if tag in ("td", "th"):
                self._end_cell()
            elif tag == "tr":
                self._end_cell()
                self._table.end_row()

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def finish(self) -> list[list[list[Any]]]:
        self.close()
        if self._table is not None:  # an unclosed table still counts
            self._end_cell()
            self.tables.append(self._table.close())
            self._table = None
        return self.tables


def read_html(path: Path) -> list[list[list[Any]]]:
    """The rows of every top-level table of an HTML file; raises FileError when there is none."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FileError(path, FileWhy.CANNOT_OPEN(why=os_why(exc))) from exc
    parser = _Tables()
    try:
        parser.feed(decode_text(data, path))
        tables = parser.finish()
    except _TooLarge:
        raise FileError(path, FileWhy.HTML_TOO_LARGE(limit=f"{MAX_CELLS:,}")) from None
    except _TooWide:
        raise FileError(path, FileWhy.HTML_TOO_WIDE(limit=f"{MAX_COLUMNS:,}")) from None
    if not tables:
        raise FileError(path, FileWhy.HTML_NO_TABLE)
    return tables

"""Tables in an XlsxWriter sheet: typed cells, widths, filter, frozen header, print setup.

Shared by report.xlsx and the per-consultant call lists. Every cell is written
by its type: text always with ``write_string`` (a customer called
``=HYPERLINK(…)`` stays text), numbers with ``write_number``, dates with
``write_datetime``. A missing figure is shown as "—", never 0.

Workbooks are opened in constant_memory mode, so every sheet is written top to
bottom, one row after the other.
"""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..cells import MISSING, clean
from ..labels import Labels
from ..model import Outcome
from .xlsx_stream import FIGURES, TEXTS, can_stream, cell_kind, stream_rows
from .xlsx_stream import Workbook as FastWorkbook
from .xlsx_text import write_text

WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "constant_memory": True,
}
FONT = "等线"  # Excel's default CJK UI font; others fall back to their own

NUMBER_FORMATS = {
    "count": "#,##0",
    "money": "#,##0.00",
    "rate": "0.0%",
    "date": "yyyy-mm-dd",
    "int": "0",
    "id": "0",  # row numbers: blank when missing, not "—"
}
FILLS = {
    "overdue": "#FDE2E1",
    "today": "#FFF2CC",
    "warn": "#FCE4D6",
    "header": "#DDEBF7",
}


@dataclass(frozen=True)
class Col:
    """One column: the source field, its header, how its values are shown."""

    key: str
    header: str
    kind: str = "text"  # text | wrap | count | money | rate | date | int | id
    max_width: int = 40
    show: Callable[[Any], Any] | None = None  # value → shown value (a translated word)


def text_width(text: str) -> int:
    """Display width: East Asian wide and full-width characters count as 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def shown_text(value: Any, kind: str) -> str:
    """The text Excel will show for a value: used to size the column."""
    if value is None:
        return MISSING if kind in FIGURES else ""
    if isinstance(value, (dt.date, dt.datetime)):
        return "0000-00-00"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        if kind == "rate":
            return f"{value:.1%}"
        if kind == "money":
            return f"{value:,.2f}"
        if kind == "count":
            return f"{value:,.0f}"
        return f"{value:g}"
    return str(value)


class Formats:
    """XlsxWriter formats made on first use, one per (kind, fill, bold, top rule)."""

    def __init__(self, workbook: Workbook) -> None:
        self.workbook = workbook
        self._cache: dict[tuple[Any, ...], Format] = {}

    def get(self, kind: str = "text", fill: str | None = None, bold: bool = False,
            rule: bool = False, red: bool = False) -> Format:
        key = (kind, fill, bold, rule, red)
        if key not in self._cache:
            props: dict[str, Any] = {"font_name": FONT, "font_size": 10, "valign": "top",
                                     "border": 1, "border_color": "#BFBFBF"}
            if kind in NUMBER_FORMATS:
                props["num_format"] = NUMBER_FORMATS[kind]
            if kind == "missing":
                props["align"] = "right"
            if kind == "wrap":
                props["text_wrap"] = True
            if fill:
                props["bg_color"] = FILLS.get(fill, fill)
            if bold:
                props["bold"] = True
            if rule:
                props["top"] = 2
                props["top_color"] = "#595959"
            if red:
                props["font_color"] = "#C00000"
            if kind == "header":
                props.update(bold=True, bg_color=FILLS["header"], align="center",
                             valign="vcenter", bottom=2, bottom_color="#595959")
            if kind == "title":
                props = {"font_name": FONT, "font_size": 14, "bold": True}
            if kind == "note":
                props = {"font_name": FONT, "font_size": 10, "italic": True,
                         "font_color": "#595959"}
            if kind == "plain":
                props = {"font_name": FONT, "font_size": 11, "bold": bold}
            self._cache[key] = self.workbook.add_format(props)
        return self._cache[key]


# Every workbook leadbook writes carries this custom document property, so that
# one left in an inbox (last week's report.xlsx) is never read back as an input.
OUTPUT_MARK = ("leadbook", "output")


def new_workbook(path: str) -> Workbook:
    wb = FastWorkbook(path, WORKBOOK_OPTIONS)
    wb.set_custom_property(*OUTPUT_MARK)
    return wb


def write_cell(ws: Worksheet, row: int, col: int, value: Any, kind: str, fmts: Formats,
               **style: Any) -> None:
    """Write one cell by its type; text is always a string, never a formula or a link."""
    put_cell(ws, row, col, clean(value), kind, lambda k: fmts.get(k, **style))


def put_cell(ws: Worksheet, row: int, col: int, value: Any, kind: str,
             fmt: Callable[[str], Format]) -> None:
    """Write an already-cleaned value; ``fmt(kind)`` gives the cell's format."""
    value, want = cell_kind(value, kind)
    if value is None:
        if want == "missing":
            write_text(ws, row, col, MISSING, fmt("missing"))
        else:
            ws.write_blank(row, col, None, fmt(want))
    elif want in TEXTS:
        write_text(ws, row, col, value, fmt(want))
    elif want == "date":
        if not isinstance(value, dt.datetime):
            value = dt.datetime.combine(value, dt.time())
        ws.write_datetime(row, col, value, fmt("date"))
    else:
        ws.write_number(row, col, value, fmt(want))


# Column widths are measured on the first rows of a long table: beyond these
# the widths are capped by max_width anyway, and measuring every cell of a
# 100,000-row call list would cost more than writing it.
WIDTH_SAMPLE_ROWS = 5000


@functools.lru_cache(maxsize=1 << 16)
def _text_width_cached(text: str) -> int:
    return text_width(text)


def column_widths(cols: Sequence[Col], rows: Sequence[Sequence[Any]]) -> list[int]:
    widths = [text_width(c.header) + 4 for c in cols]  # room for the filter button
    sample = rows[:WIDTH_SAMPLE_ROWS]
    for i, col in enumerate(cols):
        distinct = set()
        for row in sample:
            try:
                distinct.add(row[i])
            except TypeError:  # an unhashable value: measured on its own
                widths[i] = max(widths[i], text_width(shown_text(clean(row[i]), col.kind)) + 2)
        for value in distinct:
            w = _text_width_cached(shown_text(clean(value), col.kind)) + 2
            if w > widths[i]:
                widths[i] = w
    return [max(6, min(w, c.max_width)) for w, c in zip(widths, cols, strict=True)]


def table_rows(frame: Any, cols: Sequence[Col]) -> list[tuple[Any, ...]]:
    """The frame's values in column order, cleaned and passed through each column's
    ``show``. Read column by column: a row at a time through pandas costs several
    times more on a 100,000-row call list."""
    if frame is None or len(frame) == 0:
        return []
    n = len(frame)
    present = set(frame.columns)
    columns: list[list[Any]] = []
    for c in cols:
        if c.key not in present:
            columns.append([None] * n)
            continue
        series = frame[c.key]
        kind = series.dtype.kind
        if kind in "iub":  # integers and booleans: no missing values to clean
            values = series.tolist()
        elif kind == "f":
            values = [None if v != v else v for v in series.tolist()]
        else:
            values = [v if type(v) is str else clean(v) for v in series.tolist()]
        if c.show is not None:
            shown: dict[Any, Any] = {}
            show = c.show
            out: list[Any] = []
            for v in values:
                if v is None:
                    out.append(None)
                    continue
                try:
                    w = shown[v]
                except KeyError:
                    w = shown[v] = show(v)
                except TypeError:  # an unhashable value
                    w = show(v)
                out.append(w)
            values = out
        columns.append(values)
    return list(zip(*columns, strict=True))


def title_text(outcome: Outcome, lab: Labels, what: str) -> str:
    period = lab.fmt("text.period", start=outcome.period_start.isoformat(),
                     end=outcome.period_end.isoformat())
    return lab.fmt("text.title", store=outcome.store, what=what, period=period,
                   as_of=lab.fmt("text.as_of", date=outcome.as_of.isoformat()))


def write_title(ws: Worksheet, row: int, text: str, fmts: Formats) -> None:
    ws.set_row(row, 22)
    write_text(ws, row, 0, text, fmts.get("title"))


def write_header(ws: Worksheet, row: int, cols: Sequence[Col], fmts: Formats,
                 first_col: int = 0) -> None:
    ws.set_row(row, 20)
    for i, c in enumerate(cols):
        write_text(ws, row, first_col + i, c.header, fmts.get("header"))


def write_table(
    ws: Worksheet,
    fmts: Formats,
    top: int,
    cols: Sequence[Col],
    rows: Sequence[Sequence[Any]],
    *,
    style: Callable[[int, Sequence[Any]], dict[str, Any]] | None = None,
    empty_note: str | None = None,
    main: bool = True,
    widths: Sequence[int] | None = None,
) -> int:
    """Header at ``top``, rows below; returns the first free row after the table.

    ``main`` makes it the sheet's table: filter, frozen header, header row
    repeated on every printed page. ``style(i, row)`` gives per-row format
    options (fill, bold, rule, red).
    """
    if widths is None:
        widths = column_widths(cols, rows)
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)
    write_header(ws, top, cols, fmts)
    r = top + len(rows)
    by_style: dict[tuple[Any, ...], Callable[[str], Format]] = {}
    kinds = [c.kind for c in cols]

    def formats(i: int, row: Sequence[Any]) -> Callable[[str], Format]:
        opts = style(i, row) if style else {}
        key = tuple(sorted(opts.items()))
        fmt = by_style.get(key)
        if fmt is None:
            fmt = by_style[key] = _formats_for(fmts, opts)
        return fmt

    if can_stream(ws):
        stream_rows(ws, top + 1, rows, kinds, formats)
    else:
        for i, row in enumerate(rows):
            fmt = formats(i, row)
            for j, kind in enumerate(kinds):
                put_cell(ws, top + 1 + i, j, clean(row[j]), kind, fmt)
    if main:
        ws.autofilter(top, 0, r, len(cols) - 1)
        ws.freeze_panes(top + 1, 0)
        ws.repeat_rows(top)
    if not rows and empty_note:
        r = top + 1
        write_text(ws, r, 0, empty_note, fmts.get("note"))
    return r + 1


def _formats_for(fmts: Formats, opts: dict[str, Any]) -> Callable[[str], Format]:
    cache: dict[str, Format] = {}

    def fmt(kind: str) -> Format:
        found = cache.get(kind)
        if found is None:
            found = cache[kind] = fmts.get(kind, **opts)
        return found

    return fmt


def print_setup(ws: Worksheet, footer: str = "") -> None:
    """Landscape A4, one page wide, page numbers in the footer."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    safe = footer.replace("&", "&&")[:100]
    ws.set_footer(f"&L{safe}&C&A&R&P / &N")


def counted(values: Iterable[Any], blank: str) -> list[tuple[str, int]]:
    """(value, count) most frequent first; blank values counted under ``blank``."""
    counts: dict[str, int] = {}
    for v in values:
        v = clean(v)
        key = str(v).strip() if v is not None and str(v).strip() else blank
        counts[key] = counts.get(key, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

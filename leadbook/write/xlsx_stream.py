"""Table rows streamed straight into an XlsxWriter sheet's row file.

A constant_memory worksheet writes each finished row as XML to a temporary
file. Going through ``write_string`` and friends costs about ten
microseconds a cell (argument checks, a cell tuple, a row flush); a
100,000-lead call list has well over a million cells. Here the rows of a
table are written as the same XML, cell for cell, into that file, and the
sheet's dimensions are brought up to date, so everything XlsxWriter writes
around them (dimension, filter, panes, print setup) is as it would be.

One difference, on purpose: XlsxWriter writes a text beginning ``<r>`` and
ending ``</r>`` unescaped, as rich text; here every text is escaped, so a
customer's note can never break the sheet's XML.

The sheet must be in constant_memory mode with the writer attributes this
relies on; :func:`can_stream` says so, and callers fall back to the cell
methods otherwise.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

MISSING = "—"
FIGURES = ("count", "money", "rate", "int")  # kinds where a missing value reads "—"

_CONTROL_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_NEEDS_WORK = re.compile(r"[&<>\x00-\x08\x0b-\x1f_\ufffe\uffff]")
_ATTRS = ("fh", "previous_row", "table", "row_info", "comments", "_check_dimensions",
          "_write_single_row", "_convert_date_time", "constant_memory")


def can_stream(ws: Worksheet) -> bool:
    return all(hasattr(ws, a) for a in _ATTRS) and bool(ws.constant_memory)


def _text(value: str) -> str:
    """The <t> element's content, escaped as XlsxWriter escapes inline strings."""
    if _NEEDS_WORK.search(value):
        if "_x" in value:
            value = _CONTROL_ESCAPE.sub(r"_x005F\1", value)
        value = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", value)
        value = value.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value


def _string_cell(ref: str, xf: int, value: str) -> str:
    text = _text(value)
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f'<c r="{ref}" s="{xf}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


def stream_rows(
    ws: Worksheet,
    first: int,
    rows: Sequence[Sequence[Any]],
    kinds: Sequence[str],
    formats: Callable[[int, Sequence[Any]], Callable[[str], Format]],
) -> None:
    """Write ``rows`` (cleaned values) from 0-based sheet row ``first`` down.

    ``formats(i, row)`` gives row i's format picker, ``kind → Format``, the
    same as the cell-by-cell writer uses; values are written by type as
    :func:`leadbook.write.xlsx_table.put_cell` writes them.
    """
    if not rows:
        return
    if first <= ws.previous_row and ws.table:
        raise ValueError(f"row {first} is already written")
    ws._write_single_row(first)  # the rows above, the header among them
    letters = [xl_col_to_name(j) for j in range(len(kinds))]
    convert = ws._convert_date_time
    serials: dict[Any, float] = {}
    xf_of: dict[tuple[int, str], int] = {}
    write = ws.fh.write
    chunk: list[str] = []
    for i, row in enumerate(rows):
        r = first + i + 1
        pick = formats(i, row)
        key = id(pick)
        cells = [f'<row r="{r}">']
        for j, kind in enumerate(kinds):
            value = row[j]
            ref = f"{letters[j]}{r}"
            if value is None:
                want = "missing" if kind in FIGURES else kind
            elif isinstance(value, str) or isinstance(value, bool):
                want = "text"
            elif isinstance(value, (dt.date, dt.datetime)):
                want = "date"
            elif isinstance(value, (int, float)) and math.isfinite(value):
                want = kind if kind != "text" else "int"
            elif isinstance(value, float):  # an infinite figure: shown as missing
                value, want = None, "missing" if kind in FIGURES else kind
            else:
                want = "text"
            xf = xf_of.get((key, want))
            if xf is None:
                xf = xf_of[(key, want)] = pick(want)._get_xf_index()
            if value is None:
                cells.append(_string_cell(ref, xf, MISSING) if kind in FIGURES
                             else f'<c r="{ref}" s="{xf}"/>')
            elif want == "text":
                cells.append(_string_cell(ref, xf, value if isinstance(value, str)
                                          else str(value)))
            elif want == "date":
                serial = serials.get(value)
                if serial is None:
                    day = value if isinstance(value, dt.datetime) else dt.datetime.combine(
                        value, dt.time())
                    serial = serials[value] = convert(day)
                cells.append(f'<c r="{ref}" s="{xf}"><v>{serial:.16G}</v></c>')
            else:
                cells.append(f'<c r="{ref}" s="{xf}"><v>{value:.16G}</v></c>')
        cells.append("</row>")
        chunk.append("".join(cells))
        if len(chunk) >= 512:
            write("".join(chunk))
            chunk.clear()
    write("".join(chunk))
    last = first + len(rows) - 1
    ws._check_dimensions(first, 0)
    ws._check_dimensions(last, len(kinds) - 1)
    ws.previous_row = last

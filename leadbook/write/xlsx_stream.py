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
import os
import re
import threading
import zipfile
from collections.abc import Callable, Sequence
from typing import Any

import xlsxwriter
import xlsxwriter.workbook
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from ..cells import MISSING, clean
from .xlsx_zip import BIG_PART_BYTES, ZLIB_FAST_LEVEL
from .xml_scan import escaped

FIGURES = ("count", "money", "rate", "int")  # kinds where a missing value reads "—"
TEXTS = ("text", "wrap")  # kinds of text: "wrap" wraps in its column (the call list's 原因)

_CONTROL_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_NEEDS_WORK = re.compile(r"[&<>\x00-\x08\x0b-\x1f_\ufffe\uffff]")
_ATTRS = ("fh", "previous_row", "table", "row_info", "comments", "_check_dimensions",
          "_write_single_row", "_convert_date_time", "constant_memory")


# The XlsxWriter releases this path is tested on (tests/test_xlsx_stream.py compares
# its sheets with XlsxWriter's own, byte for byte). Outside them every row goes
# through the public cell methods.
TESTED_VERSIONS = ((3, 3), (3, 4))  # from 3.3 up to, not including, 3.4


def version_tested(version: str = xlsxwriter.__version__) -> bool:
    try:
        release = tuple(int(p) for p in version.split(".")[:2])
    except ValueError:
        return False
    return TESTED_VERSIONS[0] <= release < TESTED_VERSIONS[1]


def can_stream(ws: Worksheet) -> bool:
    """Whether rows may be written into ``ws``'s row file: a tested XlsxWriter and a
    constant_memory sheet with the attributes this relies on."""
    return (version_tested() and all(hasattr(ws, a) for a in _ATTRS)
            and bool(ws.constant_memory))


class Workbook(xlsxwriter.Workbook):  # type: ignore[misc]
    """An XlsxWriter workbook whose large parts are deflated at zlib's fastest level.

    XlsxWriter zips its parts at zlib's default level and has no option to change
    it: at 100,000 leads report.xlsx's sheets, 82 MB of XML, took about a second to
    deflate, a third of the whole report. On a tested release, while :meth:`close`
    packs the file, XlsxWriter's zip class is one that deflates a part of
    ``BIG_PART_BYTES`` or more at level 1 (0.3 s; the report 9.7 MB instead of
    7.5 MB). Smaller parts, and every part on another release, keep the default.
    """

    def close(self) -> None:
        if not fast_zip_possible():
            super().close()
            return
        with _SWAP:  # one close at a time swaps the class in and back
            xlsxwriter.workbook.ZipFile = _FastZipFile
            try:
                super().close()
            finally:
                xlsxwriter.workbook.ZipFile = zipfile.ZipFile


_SWAP = threading.Lock()


def fast_zip_possible() -> bool:
    """A tested XlsxWriter that packs its workbook with the standard zip class."""
    return version_tested() and getattr(xlsxwriter.workbook, "ZipFile", None) is zipfile.ZipFile


class _FastZipFile(zipfile.ZipFile):
    """Deflates a part file of ``BIG_PART_BYTES`` or more at zlib's fastest level."""

    def write(self, filename: Any, arcname: Any = None, compress_type: int | None = None,
              compresslevel: int | None = None) -> None:
        if (compresslevel is None and (compress_type or self.compression) == zipfile.ZIP_DEFLATED
                and os.path.getsize(filename) >= BIG_PART_BYTES):
            compresslevel = ZLIB_FAST_LEVEL
        super().write(filename, arcname, compress_type, compresslevel)


def _text(value: str) -> str:
    """The <t> element's content, escaped as XlsxWriter escapes inline strings."""
    if _NEEDS_WORK.search(value):
        if "_x" in value:
            value = _CONTROL_ESCAPE.sub(r"_x005F\1", value)
        value = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", value)
        value = value.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
        value = escaped(value)
    return value


def _text_tail(value: str) -> str:
    """What follows ``<t`` in an inline string cell holding ``value``, to the cell's end."""
    if _NEEDS_WORK.search(value):
        value = _text(value)
    if value[:1].isspace() or value[-1:].isspace():
        return f' xml:space="preserve">{value}</t></is></c>'
    return f">{value}</t></is></c>"


def cell_kind(value: Any, kind: str) -> tuple[Any, str]:
    """(value as written, the format kind it is written with) for a cleaned value in a
    column of ``kind``: the one decision both the streamed rows and
    :func:`leadbook.write.xlsx_table.put_cell` write by."""
    if value is None:
        return None, "missing" if kind in FIGURES else kind
    if isinstance(value, (str, bool)):
        return (value if isinstance(value, str) else str(value)), (
            kind if kind in TEXTS else "text")
    if isinstance(value, (dt.date, dt.datetime)):
        return value, "date"
    if isinstance(value, (int, float)):
        if math.isfinite(value):
            return value, kind if kind != "text" else "int"
        return None, "missing" if kind in FIGURES else kind  # an infinite figure
    return str(value), kind if kind in TEXTS else "text"


def stream_rows(
    ws: Worksheet,
    first: int,
    rows: Sequence[Sequence[Any]],
    kinds: Sequence[str],
    formats: Callable[[int, Sequence[Any]], Callable[[str], Format]],
) -> None:
    """Write ``rows`` from 0-based sheet row ``first`` down.

    ``formats(i, row)`` gives row i's format picker, ``kind → Format``, the
    same as the cell-by-cell writer uses; values are cleaned and written by
    type as :func:`leadbook.write.xlsx_table.put_cell` writes them.
    """
    if not rows:
        return
    if first <= ws.previous_row and ws.table:
        raise ValueError(f"row {first} is already written")
    ws._write_single_row(first)  # the rows above, the header among them
    letters = [xl_col_to_name(j) for j in range(len(kinds))]
    columns = list(zip(letters, kinds, strict=True))
    convert = ws._convert_date_time
    serials: dict[Any, float] = {}
    # A text's escaped tail, once per distinct text: a call list repeats its names,
    # grades and channels thousands of times.
    tails: dict[str, str] = {}
    xfs_of: dict[int, dict[str, int]] = {}
    write = ws.fh.write
    chunk: list[str] = []
    for i, row in enumerate(rows):
        r = first + i + 1
        pick = formats(i, row)
        xfs = xfs_of.get(id(pick))
        if xfs is None:
            xfs = xfs_of[id(pick)] = {}
        cells = [f'<row r="{r}">']
        for (letter, kind), value in zip(columns, row, strict=True):
            t = type(value)
            if t is str:
                want = kind if kind in TEXTS else "text"
            elif t is int or t is float:
                want = kind if kind != "text" else "int"
                if t is float and not math.isfinite(value):
                    value, want = cell_kind(clean(value), kind)
            else:
                value, want = cell_kind(clean(value), kind)
            xf = xfs.get(want)
            if xf is None:
                xf = xfs[want] = pick(want)._get_xf_index()
            if value is None and want != "missing":
                cells.append(f'<c r="{letter}{r}" s="{xf}"/>')
            elif value is None or want in TEXTS:
                text = MISSING if value is None else value
                tail = tails.get(text)
                if tail is None:
                    tail = tails[text] = _text_tail(text)
                cells.append(f'<c r="{letter}{r}" s="{xf}" t="inlineStr"><is><t{tail}')
            elif want == "date":
                serial = serials.get(value)
                if serial is None:
                    day = value if isinstance(value, dt.datetime) else dt.datetime.combine(
                        value, dt.time())
                    serial = serials[value] = convert(day)
                cells.append(f'<c r="{letter}{r}" s="{xf}"><v>{serial:.16G}</v></c>')
            else:
                cells.append(f'<c r="{letter}{r}" s="{xf}"><v>{value:.16G}</v></c>')
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

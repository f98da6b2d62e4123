"""The layout of an Excel 97–2003 workbook (BIFF8) that its values do not carry:
merged cells, column widths and hidden columns, and number formats of number cells.

The .xlsx copy of an .xls is written from its values (leadbook.write.annotated_grid);
this gives it the original's look. Merged ranges come from calamine; widths and
formats are read here from the Workbook stream's records, opened with olefile.
Only BIFF8 is read; for other files (BIFF5, damaged streams) the layout is empty
and the copy is written as before.

Sources: [MS-XLS] 2.4.53 ColInfo, 2.4.126 Format, 2.4.353 XF, 2.4.180 Number,
2.4.220 RK, 2.4.175 MulRk, 2.4.127 Formula, 2.4.21 BoundSheet8, 2.2.2 (CONTINUE);
built-in number formats: [MS-XLS] 2.4.126 (ifmt 0–49) / ECMA-376 18.8.30.
"""

from __future__ import annotations

import logging
import struct
from collections.abc import Iterator
from pathlib import Path

from ..model import SheetLayout

log = logging.getLogger("leadbook")

BOF, EOF, BOUNDSHEET, FORMAT, XF, COLINFO = 0x0809, 0x000A, 0x0085, 0x041E, 0x00E0, 0x007D
NUMBER, RK, MULRK, FORMULA = 0x0203, 0x027E, 0x00BD, 0x0006
WIDTH_UNIT = 256  # ColInfo widths are in 1/256 of a character

# Built-in number formats (ifmt → format code) a number cell may carry; General
# (0) and the date and time formats are left out: the copy writes dates as dates.
BUILTIN_FORMATS = {
    1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%", 11: "0.00E+00",
    12: "# ?/?", 13: "# ??/??", 37: "#,##0 ;(#,##0)", 38: "#,##0 ;[Red](#,##0)",
    39: "#,##0.00;(#,##0.00)", 40: "#,##0.00;[Red](#,##0.00)", 48: "##0.0E+0", 49: "@",
}


def _records(stream: bytes, offset: int) -> Iterator[tuple[int, bytes]]:
    while offset + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, offset)
        yield kind, stream[offset + 4:offset + 4 + length]
        offset += 4 + length
        if kind == EOF:
            return


def _unicode(data: bytes, at: int, count_size: int) -> str:
    """An XLUnicodeString (count_size 2) or ShortXLUnicodeString (1) at ``at``."""
    count = data[at] if count_size == 1 else struct.unpack_from("<H", data, at)[0]
    flags = data[at + count_size]
    start = at + count_size + 1
    if flags & 0x01:
        return data[start:start + 2 * count].decode("utf-16-le", "replace")
    return data[start:start + count].decode("latin-1")


def _is_date_format(code: str) -> bool:
    text = code.lower()
    in_quotes = False
    for ch in text:
        if ch == '"':
            in_quotes = not in_quotes
        elif not in_quotes and ch in "ymdhs":
            return True
    return False


def _cell_refs(kind: int, data: bytes) -> Iterator[tuple[int, int, int]]:
    """(row, col, XF index) of the number cells of one record."""
    if kind in (NUMBER, RK, FORMULA) and len(data) >= 6:
        yield struct.unpack_from("<HHH", data)
    elif kind == MULRK and len(data) >= 6:
        row, first = struct.unpack_from("<HH", data)
        count = (len(data) - 6) // 6
        for i in range(count):
            yield row, first + i, struct.unpack_from("<H", data, 4 + 6 * i)[0]


def read_layouts(path: Path, merged: dict[str, list[tuple[int, int, int, int]]]
                 ) -> dict[str, SheetLayout]:
    """Sheet name → layout of a BIFF8 workbook; ``merged`` gives calamine's merged
    ranges by sheet name. Empty when the stream cannot be read here."""
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            if not ole.exists("Workbook"):
                return {}
            stream = ole.openstream("Workbook").read()
    except (OSError, ValueError, IndexError, struct.error) as exc:
        log.info("%s: layout not read: %s", path, exc)
        return {}
    try:
        return _layouts(stream, merged)
    except (struct.error, IndexError, ValueError) as exc:
        log.info("%s: layout not read: %s", path, exc)
        return {}


def _layouts(stream: bytes, merged: dict[str, list[tuple[int, int, int, int]]]
             ) -> dict[str, SheetLayout]:
    formats: dict[int, str] = dict(BUILTIN_FORMATS)
    xf_formats: list[int] = []
    sheets: list[tuple[str, int]] = []
    for kind, data in _records(stream, 0):
        if kind == FORMAT and len(data) >= 5:
            formats[struct.unpack_from("<H", data)[0]] = _unicode(data, 2, 2)
        elif kind == XF and len(data) >= 4:
            xf_formats.append(struct.unpack_from("<H", data, 2)[0])
        elif kind == BOUNDSHEET and len(data) >= 8:
            offset, _state, sheet_type = struct.unpack_from("<IBB", data)
            if sheet_type == 0:  # a worksheet (or dialog sheet)
                sheets.append((_unicode(data, 6, 1), offset))
    number_codes = {i: code for i, code in formats.items() if not _is_date_format(code)}
    layouts: dict[str, SheetLayout] = {}
    for name, offset in sheets:
        layout = SheetLayout(merges=list(merged.get(name, [])))
        for kind, data in _records(stream, offset):
            if kind == COLINFO and len(data) >= 10:
                first, last, width, _xf, flags = struct.unpack_from("<HHHHH", data)
                for col in range(first, min(last, 255) + 1):
                    layout.widths[col] = width / WIDTH_UNIT
                    if flags & 0x0001:
                        layout.hidden_columns.add(col)
            else:
                for row, col, xf in _cell_refs(kind, data):
                    ifmt = xf_formats[xf] if xf < len(xf_formats) else 0
                    code = number_codes.get(ifmt)
                    if code and code.lower() != "general":
                        layout.formats[(row, col)] = code
        layouts[name] = layout
    return layouts


def xls_layouts(path: Path) -> dict[str, SheetLayout]:
    """Sheet name → layout of an .xls (any name), merged ranges from calamine."""
    import python_calamine as pc

    merged: dict[str, list[tuple[int, int, int, int]]] = {}
    try:
        with open(path, "rb") as fh, pc.CalamineWorkbook.from_filelike(fh) as book:
            for meta in book.sheets_metadata:
                if meta.typ != pc.SheetTypeEnum.WorkSheet:
                    continue
                ranges = book.get_sheet_by_name(meta.name).merged_cell_ranges or []
                merged[meta.name] = [(a[0], a[1], b[0], b[1]) for a, b in ranges]
    except Exception as exc:  # noqa: BLE001 - calamine raises several types; layout is optional
        log.info("%s: merged cells not read: %s", path, exc)
    return read_layouts(path, merged)

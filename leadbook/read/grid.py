"""Every sheet of a file as a grid of Python values, row 0 = Excel row 1.

Workbooks (.xlsx, .xlsm, .xls) are read with calamine (Rust), which gives
whole rows at once; CSV text and HTML tables saved under an .xls name are
read by :mod:`.textgrid` and :mod:`.htmlgrid`. Cells are str, int, float,
bool, datetime, date, time or None (blank).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import zipfile
import zlib
from pathlib import Path
from typing import Any

from ..model import FileError, RawSheet
from ..texts import Words
from .file_words import FileWhy, os_why

log = logging.getLogger("leadbook")

# An OOXML workbook saved with a password is an OLE file holding this stream
# (MS-OFFCRYPTO), not a zip: the name is stored in UTF-16LE.
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")


def load_grids(path: Path, fmt: str) -> tuple[list[RawSheet], bool]:
    """(every sheet, the workbook's date1904 flag). Raises FileError when unreadable.

    ``fmt`` is what :func:`leadbook.read.sniff.sniff_format` found:
    xlsx | xlsm | xls | csv | html.
    """
    if fmt in ("xlsx", "xlsm", "xls"):
        return _workbook(path, fmt)
    if fmt == "csv":
        from .textgrid import read_csv

        return [RawSheet(path.stem[:31] or "Sheet1", False, read_csv(path))], False
    if fmt == "html":
        from .htmlgrid import read_html

        tables = read_html(path)
        return [RawSheet(f"Sheet{i}", False, rows) for i, rows in enumerate(tables, 1)], False
    raise FileError(path, FileWhy.NOT_SPREADSHEET_CONTENT)


_SHARED_KINDS = frozenset({str, dt.date, dt.datetime, dt.time})


def share_values(rows: list[tuple[int, list[Any]]],
                 shared: dict[Any, Any] | None = None) -> None:
    """Equal text and date cells made one object each, in place (``shared``: the
    values met so far, for rows shared in parts).

    A lead card repeats its consultants, statuses, grades, channels and dates
    row after row: at 100,000 leads 1.4 million cells hold some 127,000
    distinct values. Shared, they take about 50 MB less, and the rows pickle
    (from the reading child to the run) in a fifth of the time, each value once.
    Numbers are left alone: 1, 1.0 and True are equal keys.
    """
    if shared is None:
        shared = {}
    keep = shared.setdefault
    kinds = _SHARED_KINDS
    for _, cells in rows:
        for i, value in enumerate(cells):
            if type(value) in kinds:
                cells[i] = keep(value, value)


def blanks_to_none(rows: list[list[Any]]) -> list[list[Any]]:
    """Empty text cells become None, in place (calamine gives "" for a blank cell)."""
    for row in rows:
        if "" in row:
            i = row.index("")
            while True:
                row[i] = None
                try:
                    i = row.index("", i + 1)
                except ValueError:
                    break
    return rows


def _workbook(path: Path, fmt: str) -> tuple[list[RawSheet], bool]:
    import python_calamine as pc

    sheets: list[RawSheet] = []
    current = ""  # the sheet being read, to name it when it cannot be
    try:
        if path.suffix.lower().lstrip(".") in _SUFFIXES[fmt]:
            book = _open_book(pc, path, fmt)
        else:
            # calamine picks its reader by the extension: a workbook under another
            # name is given as bytes, which it tells apart by content.
            with open(path, "rb") as fh:
                book = pc.CalamineWorkbook.from_filelike(fh)
        with book:
            for meta in book.sheets_metadata:
                if meta.typ != pc.SheetTypeEnum.WorkSheet:
                    continue  # chart, dialog and macro sheets hold no lead data
                current = meta.name
                rows = _sheet_rows(book, meta.name, path, fmt)
                hidden = meta.visible != pc.SheetVisibleEnum.Visible
                sheets.append(RawSheet(meta.name, hidden, rows))
    except pc.PasswordError as exc:
        raise FileError(path, _PASSWORD) from exc
    except OSError as exc:
        log.info("%s: %s", path, exc)
        raise FileError(path, FileWhy.CANNOT_OPEN(why=os_why(exc))) from exc
    except BaseException as exc:  # calamine raises several types, a Rust panic among them
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        if fmt == "xls" and _encrypted_ooxml(path):
            raise FileError(path, _PASSWORD) from exc
        log.info("%s: calamine: %s", path, _short(exc))  # library text: the -v log only
        raise FileError(path, _unreadable(path, fmt, current)) from exc
    return sheets, fmt != "xls" and _date1904(path)


def _open_book(pc: Any, path: Path, fmt: str) -> Any:
    """The workbook opened by calamine; one that also holds Excel 4 macro sheets
    or dialog sheets (which calamine refuses whole) is opened without them."""
    try:
        return pc.CalamineWorkbook.from_path(str(path))
    except pc.CalamineError as exc:
        if fmt == "xls" or "Unrecognized sheet" not in str(exc):
            raise
    from .sheet_parts import worksheets_only

    return pc.CalamineWorkbook.from_filelike(worksheets_only(path))


def _sheet_rows(book: Any, name: str, path: Path, fmt: str) -> list[list[Any]]:
    """The sheet's rows; skip_empty_area=False keeps the blank rows and columns
    before the first used cell, so row indexes are real Excel rows.

    calamine turns date-formatted numbers into dates and panics on a number far
    outside the calendar (a negative serial of twelve digits: Excel shows
    ####). One such cell must not make the workbook unreadable: the sheet is
    read again with every cell format General, so date cells come as serial
    numbers, which the value readers turn into dates (or, for the wild one,
    into an issue naming the cell).
    """
    try:
        return blanks_to_none(book.get_sheet_by_name(name).to_python(skip_empty_area=False))
    except BaseException as exc:
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        if fmt == "xls" or "out of bounds" not in str(exc):
            raise
        import python_calamine as pc

        with pc.CalamineWorkbook.from_filelike(_without_cell_formats(path)) as plain:
            return blanks_to_none(plain.get_sheet_by_name(name).to_python(skip_empty_area=False))


# numFmtId of a cell format (<xf>) in styles.xml; number format definitions
# (<numFmt>) are left alone.
_XF_FORMAT = re.compile(rb"(<(?:\w+:)?xf\b[^>]*?\bnumFmtId=\")\d+(\")")


def _without_cell_formats(path: Path) -> io.BytesIO:
    """The workbook in memory with every cell format General (numFmtId 0)."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.lower().endswith("styles.xml"):
                data = _XF_FORMAT.sub(rb"\g<1>0\g<2>", data)
            zout.writestr(info, data)
    out.seek(0)
    return out


# The extensions calamine reads each format by.
_SUFFIXES = {"xlsx": ("xlsx", "xlsm"), "xlsm": ("xlsx", "xlsm"), "xls": ("xls",)}
_PASSWORD = FileWhy.PASSWORD


def _unreadable(path: Path, fmt: str, sheet: str = "") -> Words:
    """What the manager reads when the workbook reader gives up: the file named
    by what it is, and what to do."""
    if fmt == "xls":
        from .legacy_formats import xls_kind

        kind = xls_kind(path)
        if kind == "encrypted":
            return _PASSWORD
        if kind == "biff5":
            return FileWhy.BIFF5_UNREADABLE
        return FileWhy.XLS_DAMAGED
    part = FileWhy.SHEET_UNREADABLE(sheet=sheet) if sheet else FileWhy.PART_UNREADABLE
    return FileWhy.WORKBOOK_DAMAGED(part=part)


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    if text == "Cannot detect file format":
        return "the file is damaged or not a workbook"
    return text if len(text) <= 200 else text[:197] + "..."


def _encrypted_ooxml(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return _ENCRYPTED_STREAM in fh.read(1 << 22)
    except OSError:
        return False


def _date1904(path: Path) -> bool:
    """The workbookPr date1904 flag of an xlsx/xlsm, read with defusedxml."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        with zipfile.ZipFile(path) as zf:
            root = fromstring(zf.read("xl/workbook.xml"))
    except (KeyError, OSError, zipfile.BadZipFile, DefusedXmlException, SyntaxError, ValueError,
            EOFError, RuntimeError, zlib.error):
        # RuntimeError: an encrypted or unsupported part (NotImplementedError)
        return False
    for el in root.iter():
        if el.tag.rpartition("}")[2] == "workbookPr":
            return el.get("date1904", "0").strip().lower() in ("1", "true")
    return False

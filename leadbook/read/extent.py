"""Refuse a worksheet whose used area is too large to read.

The workbook parser (calamine) builds a dense grid from A1 to the last cell
holding a value. One value typed in XFD1048576 asks it for 17 billion cells:
the allocation fails and the process aborts, which no ``except`` can catch.
So each worksheet part of an .xlsx/.xlsm is scanned, streamed by chunks
without building anything, and a sheet whose grid would pass
:data:`MAX_CELLS` is refused with a message naming the sheet and the cell.
The scan comes before the parser where the file is read in the run's own
process; in a reading child it runs beside the parser (a thread: both work
mostly outside the interpreter's lock), its refusal first all the same, and a
child that the parser aborts is explained by the scan in the parent
(read.stopped_reader).

The scan is cheap for the sheets a store hands in (a fifth of a second for
100,000 rows × 14 columns, most of it inflating the part): only cell
references with a column of two letters or more, or a row of six digits or
more, are collected, and everything else is bounded by that. When the bound
passes the limit, or when cells or rows carry no reference (so that their
place is counted, as the parser does), the sheet is walked tag by tag for
the exact extent of the cells that hold a value; formatted blank cells do not
count, as they do not for the parser.
"""

from __future__ import annotations

import logging
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

from ..excel import column_index, column_letter
from ..model import FileError
from .file_words import FileWhy

log = logging.getLogger("leadbook")

# 25 million cells: a full-height sheet (1,048,576 rows) of 23 columns, or
# 250,000 rows × 100 columns. The parser holds about 1 GB for it.
MAX_CELLS = 25_000_000
CHUNK = 4 << 20
OVERLAP = 64  # longer than any reference the scan looks for

# A reference with a column past Z or a row past 99,999.
_FAR = re.compile(rb' r="([A-Z]{2,}\d*|[A-Z]+\d{6,})')
_REF = re.compile(rb"([A-Z]+)(\d+)")
# Every row and cell start tag, with its attributes and whether it closes itself.
_TAG = re.compile(rb"<(?:[\w.-]+:)?(row|c)(?=[\s/>])([^>]*?)(/?)>")
_R_ATTR = re.compile(rb'\sr="([^"]*)"')
_ROOT_PREFIX = re.compile(rb"<([\w.-]+:)?worksheet[\s>]")
_SHEET = re.compile(r"<(?:[\w.-]+:)?sheet\s([^>]*?)/?>")
_ATTR = re.compile(r'([\w.:-]+)="([^"]*)"')
_REL = re.compile(r"<(?:[\w.-]+:)?Relationship\s([^>]*?)/?>")

LETTERS_PAST_Z = 26
ROWS_BELOW_SIX_DIGITS = 99_999
# Excel's last column and row (XFD, 1,048,576): a reference past them is no cell.
EXCEL_COLUMNS, EXCEL_ROWS = 16_384, 1_048_576


def check_extent(path: Path) -> None:
    """Raise FileError when a worksheet's used area would be too large to parse."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = _sheet_names(zf)
            stored = set(zf.namelist())
            for part in sorted(stored):
                if part not in names and not (
                        part.startswith("xl/worksheets/") and part.lower().endswith(".xml")):
                    continue
                try:
                    rows, cols = sheet_extent(zf, part)
                except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
                    log.info("%s: %s: %s", path, part, exc)  # library text: the -v log only
                    raise FileError(path, FileWhy.PART_DAMAGED(part=part)) from None
                far = f"{column_letter(cols - 1)}{rows}"
                sheet = names.get(part)
                where = (FileWhy.SHEET_NAMED(sheet=sheet) if sheet
                         else FileWhy.SHEET_STORED(part=part))
                if rows * cols > MAX_CELLS:
                    raise FileError(path, FileWhy.TOO_MANY_CELLS(
                        where=where, far=far, rows=f"{rows:,}", cols=f"{cols:,}",
                        cells=f"{rows * cols:,}", limit=f"{MAX_CELLS:,}"))
                if cols > EXCEL_COLUMNS or rows > EXCEL_ROWS:
                    raise FileError(path, FileWhy.BEYOND_XFD(where=where, far=far))
            try:
                check_shared_strings(path, zf, sorted(p for p in stored if p in names or (
                    p.startswith("xl/worksheets/") and p.lower().endswith(".xml"))))
            except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
                log.info("%s: %s", path, exc)  # library text: the -v log only
                raise FileError(path, FileWhy.A_PART_DAMAGED) from None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError,
            RuntimeError, zlib.error) as exc:
        # The parser gives its own message for a damaged directory or an
        # encrypted part.
        if isinstance(exc, FileError):
            raise
        return


def sheet_extent(zf: zipfile.ZipFile, part: str) -> tuple[int, int]:
    """(rows, columns): a bound on the grid the parser would build, exact when the
    quick bound passes the limit."""
    rows = cols = 0
    unplaced = None
    for buf, _tail in _chunks(zf, part):
        if unplaced is None:
            m = _ROOT_PREFIX.search(buf)
            unplaced = _unplaced(m.group(1) or b"" if m else b"")
        for ref in set(_FAR.findall(buf)):
            m = _REF.fullmatch(ref)
            if m is None:  # cut at the chunk's end: seen whole in the next one
                continue
            rows, cols = max(rows, int(m.group(2))), max(cols, column_index(m.group(1)) + 1)
        if unplaced.search(buf):
            # A cell or row without a reference is placed by counting: walk the sheet.
            return _exact_extent(zf, part)
    rows, cols = max(rows, ROWS_BELOW_SIX_DIGITS), max(cols, LETTERS_PAST_Z)
    if rows * cols > MAX_CELLS:
        return _exact_extent(zf, part)
    return rows, cols


def _unplaced(prefix: bytes) -> re.Pattern[bytes]:
    """A cell or row start tag whose first attribute is not its reference."""
    p = re.escape(prefix)
    # Two characters after the name must be there to tell: a tag cut at the
    # chunk's end is seen whole in the next chunk.
    return re.compile(rb"<%s(?:c|row)(?:>|/|\s(?:[^r]|r[^=]))" % p)


def _chunks(zf: zipfile.ZipFile, part: str) -> Iterator[tuple[bytes, bytes]]:
    """(buffer, the part of it already seen) over the inflated part."""
    tail = b""
    with zf.open(part) as fh:
        while chunk := fh.read(CHUNK):
            buf = tail + chunk
            yield buf, tail
            tail = buf[-OVERLAP:]


def _exact_extent(zf: zipfile.ZipFile, part: str) -> tuple[int, int]:
    """The extent of the cells holding a value, placed as the parser places them:
    by their reference, or next to the previous cell (row) when they carry none."""
    rows = cols = row = col = 0
    carry = b""
    with zf.open(part) as fh:
        while chunk := fh.read(CHUNK):
            buf = carry + chunk
            end = buf.rfind(b"<")  # a tag may be cut at the end: keep it for the next chunk
            if end <= 0:
                end = len(buf)
            for m in _TAG.finditer(buf, 0, end):
                ref = _R_ATTR.search(m.group(2))
                if m.group(1) == b"row":
                    row = int(ref.group(1)) if ref and ref.group(1).isdigit() else row + 1
                    col = 0
                    continue
                cell = _REF.fullmatch(ref.group(1)) if ref else None
                if cell:
                    row, col = int(cell.group(2)), column_index(cell.group(1)) + 1
                else:
                    col += 1
                if m.group(3):  # <c .../>: no value, the parser skips it
                    continue
                rows, cols = max(rows, row), max(cols, col)
            carry = buf[end:]
    return rows, cols


def _sheet_names(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part → sheet name, as far as the workbook part tells (else empty)."""
    try:
        book = zf.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except (KeyError, OSError, zipfile.BadZipFile, EOFError, ValueError, NotImplementedError):
        return {}
    targets = {}
    for m in _REL.finditer(rels):
        attrs = dict(_ATTR.findall(m.group(1)))
        target = unquote(attrs.get("Target", ""))
        target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join("xl", target))
        targets[attrs.get("Id", "")] = target
    names = {}
    for m in _SHEET.finditer(book):
        attrs = dict(_ATTR.findall(m.group(1)))
        rid = next((v for k, v in attrs.items() if k.endswith(":id")), "")
        if rid in targets:
            names[targets[rid]] = _unescape(attrs.get("name", ""))
    return names


def _unescape(text: str) -> str:
    from html import unescape

    return unescape(text)


# Shared strings: the parser gives every cell its own copy of the string it
# refers to, so one string of a megabyte used by a thousand cells costs
# gigabytes, though the part is small. Strings longer than LONG_STRING are
# measured and their uses counted; what all uses of them would hold is bounded.
LONG_STRING = 4 << 10
MAX_STRING_BYTES = 256 << 20
_SI = re.compile(rb"<(?:[\w.-]+:)?si[\s>/]")
_SST_CELL = re.compile(rb'<(?:[\w.-]+:)?c\s[^>]*?\bt="s"[^>]*>\s*<(?:[\w.-]+:)?v>\s*(\d+)\s*<')
_SST_TYPE = "relationships/sharedStrings"


def check_shared_strings(path: Path, zf: zipfile.ZipFile, sheets: list[str]) -> None:
    """Raise FileError when the cells referring to long shared strings would hold
    more text than :data:`MAX_STRING_BYTES`."""
    part = _shared_strings_part(zf)
    if part is None or zf.getinfo(part).file_size <= LONG_STRING:
        return
    long = _long_strings(zf, part)
    if not long:
        return
    total = 0
    uses: dict[int, int] = {}
    for sheet in sheets:
        carry = b""
        with zf.open(sheet) as fh:
            while chunk := fh.read(CHUNK):
                buf = carry + chunk
                end = buf.rfind(b"<c")  # a cell cut at the end is read with the next chunk
                if end <= 0 or len(buf) - end > 4096:
                    end = len(buf)
                for m in _SST_CELL.finditer(buf, 0, end):
                    index = int(m.group(1))
                    size = long.get(index)
                    if size is None:
                        continue
                    uses[index] = uses.get(index, 0) + 1
                    total += size
                    if total > MAX_STRING_BYTES:
                        raise FileError(path, FileWhy.LONG_STRINGS(
                            index=f"{index:,}", size=f"{size / (1 << 20):.1f}",
                            uses=f"{uses[index]:,}", limit=MAX_STRING_BYTES >> 20))
                carry = buf[end:]


def _shared_strings_part(zf: zipfile.ZipFile) -> str | None:
    stored = set(zf.namelist())
    try:
        rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except (KeyError, OSError, zipfile.BadZipFile, EOFError, ValueError, NotImplementedError):
        rels = ""
    for m in _REL.finditer(rels):
        attrs = dict(_ATTR.findall(m.group(1)))
        if attrs.get("Type", "").endswith(_SST_TYPE):
            target = unquote(attrs.get("Target", ""))
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join("xl", target))
            if target in stored:
                return target
    return "xl/sharedStrings.xml" if "xl/sharedStrings.xml" in stored else None


def _long_strings(zf: zipfile.ZipFile, part: str) -> dict[int, int]:
    """Index → stored bytes (an upper bound: its markup included) of every shared
    string longer than LONG_STRING."""
    long: dict[int, int] = {}
    index, start, seen = -1, 0, 0  # current string, where it started, bytes read before buf
    carry = b""
    with zf.open(part) as fh:
        while chunk := fh.read(CHUNK):
            buf = carry + chunk
            base = seen - len(carry)
            limit = max(0, len(buf) - OVERLAP)
            for m in _SI.finditer(buf, 0, limit):
                at = base + m.start()
                if index >= 0 and at - start > LONG_STRING:
                    long[index] = at - start
                index, start = index + 1, at
            seen += len(chunk)
            carry = buf[limit:]
    if index >= 0 and seen - start > LONG_STRING:
        long[index] = seen - start
    return long

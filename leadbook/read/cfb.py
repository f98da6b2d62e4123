"""A legacy .xls checked before calamine reads it (domain.md §9).

An .xls (Excel 97–2003, WPS) is a compound file (MS-CFB): a header, a
table of sector chains (the FAT) and a directory of streams, each stream a
chain of sectors. calamine follows those chains without looking for loops
and reserves memory by the sizes the file declares, so one damaged byte can
make it loop until memory runs out and the process is killed, which no
``except`` can catch. The container is opened here with olefile, which
reads the header, the FAT, the mini FAT and the directory with their
sectors held to the file; then the chains calamine will follow (directory,
mini FAT, mini stream, the Workbook stream) are walked once more in the
tables olefile read, each checked for loops, and every declared size held
to the file's size. A file cut short (one byte, one sector) whose Workbook
stream is whole is read, as calamine and olefile both read it. The Workbook
stream's sheets' declared extents (DIMENSIONS records) are held to what an
.xls sheet can hold: the reader reserves memory for them too.

Sources: [MS-CFB] Compound File Binary File Format, sections 2.2–2.6;
[MS-XLS] Excel Binary File Format, 2.4.21 BoundSheet8, 2.4.90 Dimensions.
"""

from __future__ import annotations

import logging
import struct
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..model import FileError
from ..texts import Words, render
from .file_words import FileWhy, os_why

log = logging.getLogger("leadbook")

SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_SECTOR = 0xFFFFFFFA  # above: special values
END_OF_CHAIN = 0xFFFFFFFE
# The streams the workbook reader follows (BIFF8 and BIFF5): other streams
# (summary information, OLE links) are never read, so their damage is harmless.
READ_STREAMS = ("Workbook", "Book")


class _Damaged(Exception):
    """How the compound file is damaged, in words."""

    def __init__(self, why: Words) -> None:
        super().__init__(render(why, "en"))
        self.why = why


def check_cfb(path: Path) -> None:
    """Raise FileError when the compound file's structure cannot be sound."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(len(SIGNATURE))
    except OSError as exc:
        log.info("%s: %s", path, exc)
        raise FileError(path, FileWhy.CANNOT_OPEN(why=os_why(exc))) from exc
    try:
        if head != SIGNATURE:
            raise _Damaged(FileWhy.NO_CFB_HEADER)
        _check(path, size)
    except _Damaged as exc:
        raise FileError(path, FileWhy.XLS_BROKEN(why=exc.why)) from None


def _check(path: Path, size: int) -> None:
    import olefile

    try:
        ole = olefile.OleFileIO(str(path))
    except (OSError, ValueError, IndexError, struct.error, RecursionError) as exc:
        log.info("%s: olefile: %s", path, exc)  # library text: for the -v log only
        raise _Damaged(FileWhy.CFB_BROKEN) from None
    with ole:
        sectors = max(0, -(-(size - ole.sectorsize) // ole.sectorsize))
        fat = list(ole.fat)
        _walk(ole.first_dir_sector, fat, FileWhy.THE_DIRECTORY)
        root = ole.root
        names = [e for e in ole.direntries if e is not None]
        streams = [e for e in names if e.entry_type == olefile.STGTY_STREAM
                   and e.name in READ_STREAMS and e.size]
        small = [e for e in streams if e.size < ole.minisectorcutoff]
        minifat: list[int] = []
        if small:
            _walk(ole.first_mini_fat_sector, fat, FileWhy.THE_MINI_FAT)
            if root.size > size:
                raise _Damaged(FileWhy.MINI_STREAM_LARGER)
            _walk(root.isectStart, fat, FileWhy.THE_MINI_STREAM)
            try:
                ole.loadminifat()
            except (OSError, ValueError, IndexError, struct.error) as exc:
                log.info("%s: olefile: %s", path, exc)
                raise _Damaged(FileWhy.MINI_FAT_BROKEN) from None
            minifat = list(ole.minifat)
        for entry in streams:
            if entry.size > size or entry.size > sectors * ole.sectorsize:
                raise _Damaged(FileWhy.STREAM_LARGER)
            table = minifat if entry.size < ole.minisectorcutoff else fat
            _walk(entry.isectStart, table, FileWhy.A_STREAM)
            try:
                data = ole.openstream(entry.name).read()
            except (OSError, ValueError, IndexError, struct.error) as exc:
                log.info("%s: olefile: %s", path, exc)
                raise _Damaged(FileWhy.STREAM_SHORT(name=entry.name)) from None
            check_extents(data[:entry.size])


def _walk(start: int, table: Sequence[int], what: FileWhy) -> None:
    """A chain of sector numbers: a loop or a special value inside it is damage.

    olefile's tables cover the sectors the file holds: a chain that runs on past
    them belongs to a file cut short, which both readers read as far as it goes
    (a stream calamine needs whole is checked by reading it)."""
    seen: set[int] = set()
    sector = start
    while sector != END_OF_CHAIN:
        if sector >= len(table) and sector <= MAX_SECTOR:
            return
        if sector > MAX_SECTOR or sector in seen:
            raise _Damaged(FileWhy.CHAIN_BROKEN(what=what))
        seen.add(sector)
        sector = table[sector]



# BIFF records (Excel 97–2003 and 5.0 workbook streams) the extent check reads.
BIFF_EOF, BIFF_BOUNDSHEET, BIFF_FILEPASS, BIFF_DIMENSIONS = 0x000A, 0x0085, 0x002F, 0x0200
# The largest sheet a BIFF workbook can hold (BIFF8: 65,536 rows × 256 columns).
BIFF_ROWS, BIFF_COLUMNS = 65_536, 256


def _records(stream: bytes, offset: int) -> Iterator[tuple[int, bytes]]:
    """The records of one substream from ``offset`` up to its EOF record."""
    while offset + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, offset)
        yield kind, stream[offset + 4:offset + 4 + length]
        offset += 4 + length
        if kind == BIFF_EOF:
            return


# Cell records (MS-XLS 2.4: Number, RK, LabelSst, Label, BoolErr, Formula, Blank,
# RString start with row, column; MulRk and MulBlank with row, first column and
# end with the last column): where the reader places values.
CELL_RECORDS = frozenset({0x0203, 0x027E, 0x00FD, 0x0204, 0x0205, 0x0006, 0x0201, 0x00D6})
MULTI_RECORDS = frozenset({0x00BD, 0x00BE})
# The reader builds a dense grid up to the farthest cell: a grid this much larger
# than the cells the sheet holds (and larger than DENSE_FLOOR) is not a table.
DENSE_FLOOR = 4_000_000  # 65,536 rows × 61 columns
DENSE_RATIO = 64


def check_extents(stream: bytes) -> None:
    """Each sheet's DIMENSIONS record and its cells within what a BIFF sheet can hold.

    The workbook reader reserves memory for the declared rows × columns and
    builds a dense grid up to the last cell record: a damaged record (first
    row after the last, a row count in the millions, a cell in column 4,095)
    asks for gigabytes, and the process is killed.
    """
    sheets = []
    for kind, data in _records(stream, 0):
        if kind == BIFF_FILEPASS:
            return  # encrypted: the records after it are not readable here
        if kind == BIFF_BOUNDSHEET and len(data) >= 4:
            sheets.append(struct.unpack_from("<I", data)[0])
    for offset in sheets:
        rows = cols = cells = 0
        for kind, data in _records(stream, offset):
            if kind in CELL_RECORDS and len(data) >= 4:
                row, col = struct.unpack_from("<HH", data)
                rows, cols, cells = max(rows, row + 1), max(cols, col + 1), cells + 1
            elif kind in MULTI_RECORDS and len(data) >= 6:
                row, first = struct.unpack_from("<HH", data)
                (last,) = struct.unpack_from("<H", data, len(data) - 2)
                rows, cols = max(rows, row + 1), max(cols, last + 1, first + 1)
                cells += max(1, last - first + 1)
            elif kind == BIFF_DIMENSIONS:
                _check_dimensions(data)
        if cols > BIFF_COLUMNS:
            raise _Damaged(FileWhy.COLUMN_BEYOND(col=f"{cols:,}", limit=BIFF_COLUMNS))
        if rows * cols > max(DENSE_FLOOR, DENSE_RATIO * cells):
            raise _Damaged(FileWhy.SPREAD_OUT(cells=f"{cells:,}", rows=f"{rows:,}",
                                              cols=f"{cols:,}"))


def _check_dimensions(data: bytes) -> None:
    if len(data) >= 14:
        first_row, last_row, first_col, last_col = struct.unpack_from("<IIHH", data)
    elif len(data) >= 8:
        first_row, last_row, first_col, last_col = struct.unpack_from("<HHHH", data)
    else:
        raise _Damaged(FileWhy.DIMENSIONS_SHORT)
    if (first_row > last_row or first_col > last_col or last_row > BIFF_ROWS
            or last_col > BIFF_COLUMNS):
        raise _Damaged(FileWhy.DIMENSIONS_BEYOND(
            first_row=f"{first_row:,}", last_row=f"{last_row:,}", first_col=f"{first_col:,}",
            last_col=f"{last_col:,}"))

"""A legacy .xls checked before calamine reads it (domain.md §9).

An .xls (Excel 97–2003, WPS) is a compound file (MS-CFB): a header, a
table of sector chains (the FAT) and a directory of streams, each stream a
chain of sectors. calamine follows those chains without looking for loops
and reserves memory by the sizes the file declares, so one damaged byte can
make it loop until memory runs out and the process is killed, which no
``except`` can catch. Here the header, the FAT and the chains the reader
will follow (directory, mini stream, mini FAT, the Workbook stream) are
walked first, in Python, with every sector number and size held to the
file's real size and every chain checked for loops. Nothing is read but the
header, the FAT, the mini FAT, the directory and the Workbook stream, whose
sheets' declared extents (DIMENSIONS records) are held to what an .xls sheet
can hold: the reader reserves memory for them too.

Sources: [MS-CFB] Compound File Binary File Format, sections 2.2–2.6;
[MS-XLS] Excel Binary File Format, 2.4.21 BoundSheet8, 2.4.90 Dimensions.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

from ..model import FileError

SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HEADER_SIZE = 512
HEADER_DIFAT = 109  # FAT sector numbers held in the header itself
SECTOR_SHIFTS = {3: 9, 4: 12}  # major version → sector size 512 / 4096
MINI_SHIFT = 6  # mini sectors of 64 bytes
MINI_CUTOFF = 4096  # streams below this size live in the mini stream
MAX_SECTOR = 0xFFFFFFFA  # above: special values
END_OF_CHAIN = 0xFFFFFFFE
FREE = 0xFFFFFFFF
ENTRY_SIZE = 128
STREAM, ROOT = 2, 5  # directory entry types that own a chain
# The streams the workbook reader follows (BIFF8 and BIFF5): other streams
# (summary information, OLE links) are never read, so their damage is harmless.
READ_STREAMS = frozenset({"Workbook", "Book"})


class _Damaged(Exception):
    pass


def check_cfb(path: Path) -> None:
    """Raise FileError when the compound file's structure cannot be sound."""
    try:
        _Compound(path.read_bytes()).check()
    except _Damaged as exc:
        raise FileError(
            path, f"not a readable workbook: the .xls file is damaged ({exc}); "
                  "open it in Excel or WPS and save it again"
        ) from None
    except OSError as exc:
        raise FileError(path, f"could not be opened ({exc.strerror or exc})") from exc


class _Compound:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.size = len(data)
        self.sector = HEADER_SIZE
        self.sectors = 0

    def _read(self, offset: int, length: int) -> bytes:
        if offset + length > self.size:
            raise _Damaged("the file ends early")
        return self.data[offset:offset + length]

    def check(self) -> None:
        header = self._read(0, HEADER_SIZE) if self.size >= HEADER_SIZE else b""
        if not header.startswith(SIGNATURE):
            raise _Damaged("no compound-file header")
        major, order, shift, mini_shift = struct.unpack_from("<HHHH", header, 26)
        if major not in SECTOR_SHIFTS or shift != SECTOR_SHIFTS[major] or order != 0xFFFE:
            raise _Damaged("its header is not a version 3 or 4 compound file")
        if mini_shift != MINI_SHIFT:
            raise _Damaged("its header has a wrong mini sector size")
        self.sector = 1 << shift
        # Sector n is stored at (n + 1) × sector size: the header fills sector -1.
        self.sectors = max(0, -(-(self.size - self.sector) // self.sector))
        (dir_count, fat_count, dir_start, _txn, _cutoff, minifat_start, minifat_count,
         difat_start, difat_count) = struct.unpack_from("<9I", header, 40)
        for what, count in (("directory", dir_count), ("FAT", fat_count),
                            ("mini FAT", minifat_count), ("DIFAT", difat_count)):
            if count > self.sectors:
                raise _Damaged(f"it declares {count:,} {what} sectors in a file of "
                               f"{self.sectors:,}")
        fat_sectors = self._fat_sectors(header, difat_start, difat_count)
        if fat_count and len(fat_sectors) != fat_count:
            raise _Damaged(f"its header lists {len(fat_sectors):,} FAT sectors, not {fat_count:,}")
        fat = self._table(fat_sectors)
        used = bytearray(self.sectors)  # a sector may belong to one chain only
        directory = self._chain(dir_start, fat, self.sectors, used, "the directory")
        entries = self._entries(directory)
        if not entries or entries[0][0] != ROOT:
            raise _Damaged("its directory has no root entry")
        _, _, root_start, root_size = entries[0]
        mini_stream = self._chain(root_start, fat, self.sectors, used, "the mini stream") \
            if root_size else []
        self._fits(root_size, len(mini_stream) * self.sector, "the mini stream")
        mini_fat = self._table(self._chain(minifat_start, fat, self.sectors, used, "the mini FAT")
                               if minifat_count else [])
        minis = len(mini_stream) * self.sector >> MINI_SHIFT
        used_mini = bytearray(minis)
        for kind, name, start, size in entries[1:]:
            if kind != STREAM or size == 0 or name not in READ_STREAMS:
                continue
            if size < MINI_CUTOFF:
                chain = self._chain(start, mini_fat, minis, used_mini, "a stream")
                self._fits(size, len(chain) << MINI_SHIFT, "a stream")
                mini = b"".join(self._sector(n) for n in mini_stream)
                data = b"".join(mini[n << MINI_SHIFT:(n + 1) << MINI_SHIFT] for n in chain)
            else:
                chain = self._chain(start, fat, self.sectors, used, "a stream")
                self._fits(size, len(chain) * self.sector, "a stream")
                data = b"".join(self._sector(n) for n in chain)
            check_extents(data[:size])

    def _fat_sectors(self, header: bytes, difat_start: int, difat_count: int) -> list[int]:
        """The FAT's sector numbers: the header's 109, then the DIFAT sectors' chain."""
        ids = [i for i in struct.unpack_from(f"<{HEADER_DIFAT}I", header, 76) if i != FREE]
        per_sector = self.sector // 4 - 1  # the last entry links to the next DIFAT sector
        seen: set[int] = set()
        sector = difat_start
        for _ in range(difat_count):
            if sector >= self.sectors or sector in seen:
                raise _Damaged("its DIFAT chain is broken")
            seen.add(sector)
            values = struct.unpack(f"<{per_sector + 1}I", self._sector(sector))
            ids += [i for i in values[:per_sector] if i != FREE]
            sector = values[per_sector]
        if len(set(ids)) != len(ids) or any(i >= self.sectors for i in ids):
            raise _Damaged("its FAT sectors are listed twice or lie outside the file")
        return ids

    def _sector(self, number: int) -> bytes:
        return self._read((number + 1) * self.sector, self.sector)

    def _table(self, sectors: list[int]) -> list[int]:
        table: list[int] = []
        for number in sectors:
            table.extend(struct.unpack(f"<{self.sector // 4}I", self._sector(number)))
        return table

    def _chain(self, start: int, table: list[int], limit: int, used: bytearray,
               what: str) -> list[int]:
        """The sector numbers of a chain; a loop, a shared sector or a number
        outside the file is damage."""
        chain = []
        sector = start
        while sector != END_OF_CHAIN:
            if sector > MAX_SECTOR or sector >= limit or sector >= len(table) or used[sector]:
                raise _Damaged(f"the sector chain of {what} is broken")
            used[sector] = 1
            chain.append(sector)
            sector = table[sector]
        return chain

    def _entries(self, directory: list[int]) -> list[tuple[int, str, int, int]]:
        """(type, name, start sector, size) of every directory entry, in order."""
        entries = []
        wide = self.sector == 4096  # version 4 sizes are 64-bit, version 3 ones 32-bit
        for number in directory:
            data = self._sector(number)
            for offset in range(0, len(data), ENTRY_SIZE):
                kind = data[offset + 66]
                name = data[offset:offset + 64].decode("utf-16-le", "replace").split("\0")[0]
                start, low, high = struct.unpack_from("<III", data, offset + 116)
                entries.append((kind, name, start, low + (high << 32 if wide else 0)))
        return entries

    def _fits(self, size: int, room: int, what: str) -> None:
        """A stream is read into memory reserved by its declared size: no more than
        the file, and no more than its sectors hold."""
        if size > self.size or size > room:
            raise _Damaged(f"{what} is declared larger than its sectors")



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
            raise _Damaged(f"a sheet has a cell in column {cols:,}, beyond the {BIFF_COLUMNS} "
                           "columns an .xls sheet holds")
        if rows * cols > max(DENSE_FLOOR, DENSE_RATIO * cells):
            raise _Damaged(f"a sheet's {cells:,} cells are spread over {rows:,} rows × "
                           f"{cols:,} columns, which no real sheet is")


def _check_dimensions(data: bytes) -> None:
    if len(data) >= 14:
        first_row, last_row, first_col, last_col = struct.unpack_from("<IIHH", data)
    elif len(data) >= 8:
        first_row, last_row, first_col, last_col = struct.unpack_from("<HHHH", data)
    else:
        raise _Damaged("a sheet's DIMENSIONS record is cut short")
    if (first_row > last_row or first_col > last_col or last_row > BIFF_ROWS
            or last_col > BIFF_COLUMNS):
        raise _Damaged(f"a sheet declares rows {first_row:,}–{last_row:,} and columns "
                       f"{first_col:,}–{last_col:,}, beyond what an .xls sheet holds")

"""What a legacy Excel file is, so a file that cannot be read is named by its format.

- Excel 2.x, 3.0 and 4.0 worksheets (BIFF2/3/4) are a bare record stream, no
  compound file: the first record is a BOF whose type says the version.
- Excel 5.0/95 (BIFF5) keeps its records in a ``Book`` stream, Excel 97–2003
  (BIFF8) in ``Workbook``; a FILEPASS record right after the first BOF says
  the workbook is encrypted (password to open).

Sources: [MS-XLS] 2.4.21 BOF, 2.4.117 FilePass; OpenOffice.org's "Microsoft
Excel File Format" (BIFF2–BIFF5 BOF record identifiers 0x0009, 0x0209, 0x0409).
"""

from __future__ import annotations

import logging
import struct
from pathlib import Path

from ..texts import Words
from .file_words import FileWhy

log = logging.getLogger("leadbook")

# BOF record id of a bare BIFF stream → the Excel version that writes it.
OLD_BIFF_BOF = {0x0009: "Excel 2.x (BIFF2)", 0x0209: "Excel 3.0 (BIFF3)",
                0x0409: "Excel 4.0 (BIFF4)"}
BIFF_BOF8, BIFF_FILEPASS, BIFF_CODEPAGE = 0x0809, 0x002F, 0x0042
# An Excel 5.0/95 workbook keeps its text in the code page its CODEPAGE record
# names. The workbook reader decodes the single-byte Windows code pages (1250–1258,
# 874, Mac Roman) and turns the East Asian double-byte ones — 936 GBK (Chinese
# Windows), 950 Big5, 932 Shift-JIS, 949 — into gibberish, as it does text a
# converter stored as UTF-16 under 1200; each was tried on a workbook built to
# MS-XLS (tests/test_legacy_xls.py). Such a workbook is refused in words.
UNREADABLE_BIFF5_CODEPAGES = frozenset({932, 936, 949, 950})
UTF16_CODEPAGE = 1200
CODEPAGE_NAMES = {932: "Shift-JIS", 936: "GBK", 949: "Korean", 950: "Big5"}
# Records read after the first BOF before FILEPASS would have been met.
_LOOK_AHEAD = 16


def old_biff(head: bytes) -> str | None:
    """The Excel version of a bare BIFF2/3/4 file, from its first bytes; None for others."""
    if len(head) < 4:
        return None
    kind, length = struct.unpack_from("<HH", head)
    return OLD_BIFF_BOF.get(kind) if 4 <= length <= 16 else None


def xls_kind(path: Path) -> str | None:
    """'encrypted', 'biff5', 'biff5_utf16' or 'biff8' for a compound-file .xls; None
    when not known."""
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            name = "Workbook" if ole.exists("Workbook") else "Book" if ole.exists("Book") else None
            if name is None:
                return None
            stream = ole.openstream(name).read(1 << 16)
    except (OSError, ValueError, IndexError, struct.error) as exc:
        log.info("%s: olefile: %s", path, exc)
        return None
    offset = 0
    for _ in range(_LOOK_AHEAD):
        if offset + 4 > len(stream):
            break
        kind, length = struct.unpack_from("<HH", stream, offset)
        if kind == BIFF_FILEPASS:
            return "encrypted"
        if kind == BIFF_CODEPAGE and name == "Book" and length >= 2:
            page = struct.unpack_from("<H", stream, offset + 4)[0]
            if page == UTF16_CODEPAGE:
                return "biff5_utf16"
            if page in UNREADABLE_BIFF5_CODEPAGES:
                return f"biff5_{page}"
        offset += 4 + length
    return "biff5" if name == "Book" else "biff8"


# What the manager reads for an .xls leadbook refuses before reading it.
REFUSED_XLS: dict[str, Words] = {
    "encrypted": FileWhy.PASSWORD,
    "biff5_utf16": FileWhy.BIFF5_UTF16,
    **{f"biff5_{page}": FileWhy.BIFF5_CODEPAGE(page=page, name=name)
       for page, name in CODEPAGE_NAMES.items()},
}

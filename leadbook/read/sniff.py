"""What a file really holds, from its first bytes rather than its name.

Dealer systems often save an HTML table or CSV text under an ``.xls`` name,
and a workbook may be renamed. The first bytes decide.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (Excel 97–2003, WPS)
HEAD_BYTES = 4096
MACRO_PART = "xl/vbaProject.bin"
_TEXT_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def _head_text(head: bytes) -> str | None:
    """The first bytes as text, or None when they are not text."""
    for bom, encoding in _TEXT_BOMS:
        if head.startswith(bom):
            body = head[len(bom):]
            if encoding.startswith("utf-16"):
                body = body[: len(body) // 2 * 2]
            return body.decode(encoding, errors="ignore")
    if b"\x00" in head:
        return None
    for encoding in ("utf-8", "gb18030"):
        # A character may be cut at the end of the sample: allow a few bytes of it.
        for cut in range(4 if len(head) == HEAD_BYTES else 1):
            try:
                return head[: len(head) - cut].decode(encoding)
            except UnicodeDecodeError:
                continue
    return None


def _zip_format(path: Path) -> str:
    if path.suffix.lower() == ".xlsm":
        return "xlsm"
    try:
        with zipfile.ZipFile(path) as zf:  # reads the zip directory only
            if MACRO_PART in zf.namelist():
                return "xlsm"
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        pass  # damaged: the zip check reports it
    return "xlsx"


def sniff_format(path: Path) -> str:
    """xlsx | xlsm | xls | html | csv | other."""
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    if head.startswith(ZIP_MAGIC):
        return _zip_format(path)
    if head.startswith(OLE_MAGIC):
        return "xls"
    text = _head_text(head)
    if text is None:
        return "other"
    lowered = text.lstrip().lower()
    if lowered.startswith("<"):
        # An HTML table, or markup of another kind (XML Spreadsheet 2003...).
        return "html" if "<table" in lowered or "<html" in lowered else "other"
    if not lowered:
        return "csv" if path.suffix.lower() == ".csv" else "other"
    return "csv"

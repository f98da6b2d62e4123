"""What a file really holds, from its first bytes rather than its name.

DMS exports often save an HTML table or CSV text under an ``.xls`` name; a
workbook may be renamed. The first bytes decide.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (Excel 97–2003, WPS)
BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def sniff_format(path: Path) -> str:
    """xlsx | xlsm | xls | html | csv | other."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head.startswith(ZIP_MAGIC):
        if path.suffix.lower() == ".xlsm":
            return "xlsm"
        try:
            with zipfile.ZipFile(path) as zf:
                if "xl/vbaProject.bin" in zf.namelist():
                    return "xlsm"
        except (zipfile.BadZipFile, OSError):
            pass
        return "xlsx"
    if head.startswith(OLE_MAGIC):
        return "xls"
    text = head
    for bom in BOMS:
        if text.startswith(bom):
            text = text[len(bom):]
            break
    if b"\x00" in text and not head.startswith(BOMS[1:]):
        return "other"
    lowered = text.lstrip().lower()
    if lowered.startswith(b"<") and (b"<table" in lowered or b"<html" in lowered):
        return "html"
    if not text.strip():
        return "csv" if path.suffix.lower() == ".csv" else "other"
    for encoding in ("utf-8", "gb18030"):
        try:
            text[:-4].decode(encoding) if len(text) == 4096 else text.decode(encoding)
            return "csv"
        except UnicodeDecodeError:
            continue
    return "other"

"""A workbook's worksheets alone, for a reader that refuses other sheet types.

An .xlsx/.xlsm may hold, besides worksheets, Excel 4 macro sheets
(``xl/macrosheets/``), dialog sheets (``xl/dialogsheets/``) and chartsheets.
calamine refuses a workbook with the first two whole ("Unrecognized
sheet:type"); they hold no lead data (domain.md §6: read for its worksheets).
The copy made here, in memory, lists only the other sheets in
``xl/workbook.xml``; every part is otherwise as stored. The input is not
touched, and the annotated copy is made from the input, so it keeps them.

Source: ECMA-376 Part 1, 12.3.2 (relationship types of the workbook part);
[MS-OFFMACRO2] 2.2.1.4 (xlMacrosheet, xlIntlMacrosheet).
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

# Relationship types of sheets calamine does not read (the last path segment).
NOT_READ_TYPES = ("xlMacrosheet", "xlIntlMacrosheet", "dialogsheet")

_REL = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_ATTR = re.compile(rb'\b(Id|Type)\s*=\s*"([^"]*)"')
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?/>")
_RID = re.compile(rb'\br:id\s*=\s*"([^"]*)"|\b\w+:id\s*=\s*"([^"]*)"')


def not_read_ids(rels: bytes) -> set[bytes]:
    """Relationship ids of the workbook's macro and dialog sheets."""
    ids = set()
    for rel in _REL.findall(rels):
        attrs = dict(_ATTR.findall(rel))
        kind = attrs.get(b"Type", b"").rsplit(b"/", 1)[-1].decode("ascii", "replace")
        if kind in NOT_READ_TYPES and b"Id" in attrs:
            ids.add(attrs[b"Id"])
    return ids


def _without(workbook: bytes, ids: set[bytes]) -> bytes:
    def keep(match: re.Match[bytes]) -> bytes:
        rid = _RID.search(match.group(0))
        if rid and (rid.group(1) or rid.group(2)) in ids:
            return b""
        return match.group(0)

    return _SHEET.sub(keep, workbook)


def worksheets_only(path: Path) -> io.BytesIO:
    """The workbook in memory with its macro and dialog sheets left out of the sheet list."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        ids = not_read_ids(zin.read("xl/_rels/workbook.xml.rels"))
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/workbook.xml":
                data = _without(data, ids)
            zout.writestr(info, data)
    out.seek(0)
    return out

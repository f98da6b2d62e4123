"""Every sheet of a file as a grid of Python values, row 0 = Excel row 1.

Workbooks (.xlsx, .xlsm, .xls) are read with calamine (Rust); CSV with its
encoding detected (BOM, strict UTF-8, GB18030, then charset-normalizer); an
HTML table saved under an .xls name with the standard library's parser.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from ..model import FileError


@dataclass
class RawSheet:
    name: str
    hidden: bool
    cells: list[list[Any]]


def load_grids(path: Path, fmt: str) -> tuple[list[RawSheet], bool]:
    """(sheets, date1904). Raises FileError when the file cannot be read."""
    if fmt in ("xlsx", "xlsm", "xls"):
        return _workbook(path, fmt)
    if fmt == "csv":
        return [RawSheet(path.stem[:31] or "Sheet1", False, _csv(path))], False
    if fmt == "html":
        return _html(path), False
    raise FileError(path, "not a spreadsheet")


def _blank_to_none(row: list[Any]) -> list[Any]:
    return [None if v == "" else v for v in row]


def _workbook(path: Path, fmt: str) -> tuple[list[RawSheet], bool]:
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_path(str(path))
    except pc.PasswordError as exc:
        raise FileError(path, "the workbook is password-protected; save it without a password") from exc
    except Exception as exc:  # calamine raises several types for damaged files
        raise FileError(path, f"not a readable workbook: {exc}") from exc
    sheets: list[RawSheet] = []
    try:
        for meta in wb.sheets_metadata:
            if "Chart" in str(meta.typ):
                continue  # chart sheets hold no cells
            sheet = wb.get_sheet_by_name(meta.name)
            rows = sheet.to_python(skip_empty_area=False)
            hidden = not str(meta.visible).endswith(".Visible")
            sheets.append(RawSheet(meta.name, hidden, [_blank_to_none(r) for r in rows]))
    except Exception as exc:
        raise FileError(path, f"not a readable workbook: {exc}") from exc
    finally:
        wb.close()
    return sheets, fmt != "xls" and _date1904(path)


def _date1904(path: Path) -> bool:
    from defusedxml.ElementTree import fromstring

    try:
        with zipfile.ZipFile(path) as zf:
            root = fromstring(zf.read("xl/workbook.xml"))
    except Exception:
        return False
    for el in root.iter():
        if el.tag.endswith("}workbookPr") or el.tag == "workbookPr":
            return el.get("date1904", "0").lower() in ("1", "true")
    return False


def decode_text(data: bytes, path: Path) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise FileError(path, "the text encoding could not be recognised; save it as UTF-8 CSV")
    return str(best)


def _csv(path: Path) -> list[list[Any]]:
    text = decode_text(path.read_bytes(), path)
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows = [[c if c.strip() else None for c in row] for row in csv.reader(io.StringIO(text), dialect)]
    return rows


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[Any]]] = []
        self._rows: list[list[Any]] | None = None
        self._cell: list[str] | None = None
        self._span = 1
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._depth += 1
            if self._depth == 1:
                self._rows = []
        elif self._rows is not None and self._depth == 1:
            if tag == "tr":
                self._rows.append([])
            elif tag in ("td", "th"):
                self._cell = []
                span = dict(attrs).get("colspan") or "1"
                self._span = int(span) if span.isdigit() else 1
            elif tag == "br" and self._cell is not None:
                self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            if self._depth == 1 and self._rows is not None:
                self.tables.append(self._rows)
                self._rows = None
            self._depth = max(0, self._depth - 1)
        elif tag in ("td", "th") and self._cell is not None and self._rows is not None:
            if not self._rows:
                self._rows.append([])
            text = "".join(self._cell).strip()
            self._rows[-1].append(text or None)
            self._rows[-1].extend([None] * (min(self._span, 1000) - 1))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _html(path: Path) -> list[RawSheet]:
    parser = _Tables()
    parser.feed(decode_text(path.read_bytes(), path))
    parser.close()
    if not parser.tables:
        raise FileError(path, "holds HTML but no table")
    return [RawSheet(f"Sheet{i}", False, rows) for i, rows in enumerate(parser.tables, 1)]

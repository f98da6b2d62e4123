"""CSV text as a grid: its encoding detected, its delimiter sniffed (domain.md §6).

Encodings, in order: a byte-order mark; strict UTF-8; GB18030 (a superset of
GBK and GB2312, what Chinese Excel and WPS write); charset-normalizer only
when neither decodes. Delimiters: comma, tab (Excel's "Unicode text"),
semicolon.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path
from typing import Any

from ..model import FileError
from .file_words import FileWhy, os_why

DELIMITERS = (",", "\t", ";")
SNIFF_LINES = 50
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def decode_text(data: bytes, path: Path | str = "") -> str:
    """The text of a file; raises FileError when no encoding fits."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise FileError(path, FileWhy.TEXT_INVALID(encoding=encoding.upper())) from exc
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise FileError(path, FileWhy.ENCODING_UNKNOWN)
    return str(best)


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines most consistently into several fields."""
    lines = [line for line in text.splitlines()[: SNIFF_LINES * 2] if line.strip()][:SNIFF_LINES]
    best, best_score = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        try:
            widths = Counter(len(row) for row in csv.reader(lines, delimiter=delimiter))
        except csv.Error:  # a field past the csv module's limit: read_csv names it
            continue
        if not widths:
            continue
        width, count = widths.most_common(1)[0]
        if width < 2:
            continue
        score = (count / len(lines), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _cell(text: str) -> str | None:
    if not text or text.isspace():
        return None
    # ="0123" is how exports keep a number as text in Excel: the text is what counts.
    if text.startswith('="') and text.endswith('"') and len(text) >= 3:
        return text[2:-1] or None
    return text


def read_csv(path: Path) -> list[list[Any]]:
    """Every row of a CSV file as text cells, blank cells None."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FileError(path, FileWhy.CANNOT_OPEN(why=os_why(exc))) from exc
    text = decode_text(data, path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    rows: list[list[Any]] = []
    try:
        for row in reader:
            rows.append([_cell(c) for c in row])
    except csv.Error as exc:
        line = reader.line_num
        if "field larger than field limit" in str(exc):
            raise FileError(path, FileWhy.CSV_FIELD_TOO_LONG(
                line=f"{line:,}", limit=f"{csv.field_size_limit():,}")) from None
        raise FileError(path, FileWhy.CSV_UNREADABLE(line=f"{line:,}")) from None
    return rows

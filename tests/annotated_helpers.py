"""Shared pieces of the annotated-copy tests: fixtures paths, notes, read-back helpers."""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile
from pathlib import Path

from leadbook.model import RowNote, SheetNotes, SourceFile

RICH = Path(__file__).parent / "fixtures" / "rich"
LEAD_SHEET = "意向客户"
WIDTH = 8  # A..H used; the added columns are I..M
ADDED = ("I", "J", "K", "L", "M")
FILL_RGB = {"overdue": "FFFFC7CE", "due": "FFFFEB9C", "won": "FFC6EFCE", "lost": "FFD9D9D9"}

NOTES = {
    3: RowNote(system_grade="A", next_due=dt.date(2026, 11, 29)),
    4: RowNote(system_grade="O", grade_change="B→O", hint='=HYPERLINK("evil")', fill="won",
               comment="状态为已成交：级别由 B 改为 O"),
    5: RowNote(system_grade="F", grade_change="C→F", hint="战败 <请经理回访> & 复盘", fill="lost"),
    6: RowNote(system_grade="B", next_due=dt.date(2026, 11, 10), overdue_days=12,
               hint="+SUM(1,2)", fill="overdue", comment="预计购车时间已过，请重新确认"),
    9: RowNote(system_grade="A", next_due=dt.date(2026, 11, 22), overdue_days=0, hint="-1",
               fill="due"),
    10: RowNote(system_grade="D", next_due=dt.date(2027, 2, 18), hint="@home"),
}


def lead_notes(rows: dict[int, RowNote] | None = None, header_row: int = 2,
               width: int = WIDTH, name: str = LEAD_SHEET) -> SheetNotes:
    return SheetNotes(name=name, header_row=header_row, width=width,
                      rows=dict(NOTES if rows is None else rows))


def source(path: Path, fmt: str | None = None) -> SourceFile:
    return SourceFile(path=path, name=path.name, format=fmt or path.suffix.lstrip(".").lower())


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sheet_xml(path: Path, part: str = "xl/worksheets/sheet1.xml") -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(part).decode("utf-8")

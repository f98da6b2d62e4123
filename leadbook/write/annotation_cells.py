"""What the annotated copy adds to a row, independent of how the file is written.

The five added columns (vocab.ANNOTATION_HEADERS), their widths, the row
colours by state and the text clean-up shared by the package patcher
(xlsx/xlsm inputs) and the XlsxWriter copy (xls/csv/html inputs).
"""

from __future__ import annotations

import re
from typing import Literal

from ..model import RowNote, SheetNotes
from ..vocab import ANNOTATION_HEADERS

# Row colours by state: Excel's own "Bad", "Neutral", "Good" cell-style fills,
# and a light grey for closed (lost) leads — what Excel users read at a glance.
FILL_COLORS: dict[str, str] = {
    "overdue": "FFC7CE",
    "due": "FFEB9C",
    "won": "C6EFCE",
    "lost": "D9D9D9",
    "added": "DDEBF7",  # the added headers, apart from the user's own
}
# The legend of the row colours: a note on the 系统级别 header cell of every copy.
ROW_COLOUR_LEGEND = ("leadbook 添加了 系统级别 至 提示 五列 (浅蓝表头)。行的颜色: 红 = 已逾期, "
                     "黄 = 今日应跟进, 绿 = 已成交, 灰 = 战败。")
# The added headers and the legend in each language (vocab.ANNOTATION_HEADERS: Chinese).
ADDED_HEADERS = {
    "zh": ANNOTATION_HEADERS,
    "en": ("System grade", "Grade change", "Next follow-up", "Days overdue", "Hints"),
}
LEGENDS = {
    "zh": ROW_COLOUR_LEGEND,
    "en": ("leadbook added the five columns System grade to Hints (light blue headers). Row "
           "colours: red = overdue, yellow = due today, green = won, grey = lost."),
}


def added_headers(notes: SheetNotes) -> tuple[str, ...]:
    return ADDED_HEADERS.get(notes.lang, ANNOTATION_HEADERS)


def legend(notes: SheetNotes) -> str:
    return LEGENDS.get(notes.lang, ROW_COLOUR_LEGEND)

# Widths (Excel character units) of 系统级别, 级别变化, 下次跟进, 逾期天数, 提示.
COLUMN_WIDTHS: tuple[float, ...] = (10, 16, 12, 10, 40)
DATE_FORMAT = "yyyy-mm-dd"
COMMENT_AUTHOR = "leadbook"

CellKind = Literal["text", "date", "number"]
Cell = tuple[CellKind, object]

# Characters XML 1.0 cannot carry at all (C0 controls but tab, LF, CR; U+FFFE/F).
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Excel reads _xHHHH_ in cell text as an escaped character; a literal one is
# written with its underscore escaped (ECMA-376 Part 1, 22.9.2.19 ST_Xstring).
_EXCEL_ESCAPE = re.compile("_(x[0-9A-Fa-f]{4}_)")


def clean_text(text: str) -> str:
    """Text safe to store in a workbook: no characters XML cannot hold."""
    return _ILLEGAL_XML.sub("", text)


def excel_text(text: str) -> str:
    """Text as written into a cell or comment of a package (not yet XML-escaped):
    a literal _xHHHH_ with its underscore escaped, and a character XML cannot
    hold as Excel writes it, _xHHHH_, so that it reads back as it was."""
    text = _EXCEL_ESCAPE.sub(r"_x005F_\1", text)
    return _ILLEGAL_XML.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def note_cells(note: RowNote) -> tuple[Cell | None, ...]:
    """The five added cells of a row, in column order; None where there is nothing."""
    return (
        ("text", note.system_grade) if note.system_grade else None,
        ("text", note.grade_change) if note.grade_change else None,
        ("date", note.next_due) if note.next_due is not None else None,
        ("number", note.overdue_days) if note.overdue_days is not None else None,
        ("text", note.hint) if note.hint else None,
    )


def row_fill(note: RowNote | None) -> str | None:
    """The fill name of a row, or None when the row keeps its own colours."""
    if note is None or note.fill not in FILL_COLORS:
        return None
    return note.fill

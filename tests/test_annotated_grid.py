"""The annotated copy of .xls and .csv inputs: a new .xlsx, every value in its place."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from annotated_helpers import FILL_RGB, LEAD_SHEET, NOTES, RICH, lead_notes, sha256, source

from leadbook.annotate import write_annotated
from leadbook.read.grid import load_grids
from leadbook.vocab import ANNOTATION_HEADERS
from leadbook.write.annotated_grid import sheet_name


def same(original: Any, copied: Any) -> bool:
    if isinstance(original, dt.datetime) or isinstance(copied, dt.datetime):
        as_dt = [v if isinstance(v, dt.datetime) else dt.datetime.combine(v, dt.time())
                 for v in (original, copied)]
        return abs(as_dt[0] - as_dt[1]) < dt.timedelta(seconds=1)
    if isinstance(original, float) and isinstance(copied, (int, float)):
        return original == pytest.approx(copied)
    return bool(original == copied)


def check_cells_kept(path: Path, fmt: str, out: Path) -> None:
    grids, _ = load_grids(path, fmt)
    wb = openpyxl.load_workbook(out)
    assert len(wb.sheetnames) == len(grids)
    for grid, ws in zip(grids, wb.worksheets, strict=True):
        assert ws.title == sheet_name(grid.name, set())
        assert (ws.sheet_state == "hidden") == grid.hidden
        for r, row in enumerate(grid.cells, 1):
            for c, value in enumerate(row, 1):
                copied = ws.cell(r, c)
                if value is None:
                    continue
                assert same(value, copied.value), (grid.name, r, c, value, copied.value)
                if isinstance(value, str):
                    assert copied.data_type == "s"


@pytest.mark.parametrize("name,header_row,width", [("leads.xls", 2, 8), ("leads.csv", 2, 7)])
def test_grid_copy(tmp_path: Path, name: str, header_row: int, width: int) -> None:
    path = RICH / name
    if not path.exists():
        pytest.skip(f"{name} not built (LibreOffice missing when the fixtures were made)")
    copy = tmp_path / name
    shutil.copy(path, copy)
    before = sha256(copy)
    fmt = copy.suffix.lstrip(".")
    sheet = LEAD_SHEET if fmt == "xls" else copy.stem
    out = tmp_path / "annotated" / (copy.stem + ".xlsx")
    write_annotated(source(copy), [lead_notes(name=sheet, header_row=header_row, width=width)], out)
    assert sha256(copy) == before
    check_cells_kept(copy, fmt, out)

    ws = openpyxl.load_workbook(out)[sheet]
    first = width + 1
    assert [ws.cell(header_row, first + i).value for i in range(5)] == list(ANNOTATION_HEADERS)
    assert ws.cell(header_row, first).font.b
    for number, note in NOTES.items():
        grade, change, due, overdue, hint = (ws.cell(number, first + i) for i in range(5))
        assert grade.value == note.system_grade and change.value == (note.grade_change or None)
        assert hint.value == (note.hint or None)
        assert hint.value is None or hint.data_type == "s"
        assert overdue.value == note.overdue_days
        if note.next_due:
            assert due.value == dt.datetime.combine(note.next_due, dt.time())
            assert due.number_format == "yyyy-mm-dd"
        colour = FILL_RGB[note.fill] if note.fill else None
        for col in range(1, first + 5):
            cell = ws.cell(number, col)
            assert (cell.fill.fgColor.rgb if cell.fill.fill_type else None) == colour
    assert ws.cell(4, first).comment.text == NOTES[4].comment
    assert ws.cell(4, first).comment.author == "leadbook"
    assert ws.cell(3, first).comment is None
    assert ws.column_dimensions[openpyxl.utils.get_column_letter(first + 4)].width \
        == pytest.approx(40.7109375)


def test_sheet_names_excel_accepts() -> None:
    taken: set[str] = set()
    assert sheet_name("a/b:c", taken) == "a_b_c"
    assert sheet_name("A/B:C", taken) == "A_B_C~2"
    assert len(sheet_name("x" * 40, taken)) == 31
    assert sheet_name("", taken) == "Sheet"

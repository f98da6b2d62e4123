"""The .xlsx copy of an .xls — and of a BIFF8 workbook saved under an .xlsx name, as
WPS does — keeps the original's merged cells, column widths, hidden columns,
number formats and hidden sheets (domain.md §8).

tests/fixtures/legacy/layout.xls is written by LibreOffice
(tests/fixtures/make_legacy_xls.py): title merged over A1:G1, columns A 3 cm,
B 4 cm, F 2.5 cm wide, G hidden, 预算 as #,##0.00, 折扣率 as 0.0%, and a hidden
sheet 下拉选项.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from leadbook.cli import main
from leadbook.read.biff_layout import xls_layouts

LAYOUT = Path(__file__).parent / "fixtures" / "legacy" / "layout.xls"
AS_OF = dt.date(2026, 11, 22)
CM_PER_CHAR = 3.0 / 15.328125  # column A: 3 cm is 15.33 characters in the .xls


def test_the_layout_read_from_the_xls() -> None:
    layouts = xls_layouts(LAYOUT)
    assert list(layouts) == ["意向客户", "下拉选项"]
    lead = layouts["意向客户"]
    assert lead.merges == [(0, 0, 0, 6)]
    assert lead.hidden_columns == {6}
    assert lead.widths[1] * CM_PER_CHAR == pytest.approx(4.0, abs=0.02)
    assert lead.widths[5] * CM_PER_CHAR == pytest.approx(2.5, abs=0.02)
    assert lead.formats == {(2, 5): "#,##0.00", (2, 6): "0.0%", (3, 5): "#,##0.00",
                            (3, 6): "0.0%"}


@pytest.mark.slow
@pytest.mark.parametrize("name", ["layout.xls", "wps_saved.xlsx"])
def test_the_copy_keeps_merges_widths_formats_and_hidden_sheets(tmp_path: Path,
                                                                 name: str) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(LAYOUT, inbox / name)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["process", str(inbox), "--out", str(out),
                                       "--as-of", AS_OF.isoformat()], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    copy = openpyxl.load_workbook(out / "annotated" / (Path(name).stem + ".xlsx"))
    assert copy.sheetnames == ["意向客户", "下拉选项"]
    assert copy["下拉选项"].sheet_state == "hidden"
    ws = copy["意向客户"]
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:G1"]
    assert ws["A1"].value == "意向客户管理卡(2026年11月)"
    original = xls_layouts(LAYOUT)["意向客户"].widths
    for letter, col in (("A", 0), ("B", 1), ("F", 5)):
        assert ws.column_dimensions[letter].width == pytest.approx(original[col], abs=0.1)
    assert ws.column_dimensions["G"].hidden
    assert (ws["F3"].value, ws["F3"].number_format) == (158000.5, "#,##0.00")
    assert (ws["G3"].value, ws["G3"].number_format) == (0.035, "0.0%")
    assert (ws["F4"].value, ws["F4"].number_format) == (226800, "#,##0.00")
    assert ws["H2"].value == "系统级别"  # the added columns right of the last used one

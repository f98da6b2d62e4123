"""The annotated copy on screen and on paper (domain.md §8): the added headers
styled apart from the user's, a legend of the row colours beside them, and a
print area the user set reaching the added columns."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from leadbook.cli import main
from leadbook.write.annotation_cells import FILL_COLORS, ROW_COLOUR_LEGEND

HEADER = ["客户姓名", "联系电话", "销售顾问", "首次接触日期", "预计购车时间"]
ROWS = [["王先生", "13800000001", "张伟", "2026-10-20", "3个月内"],
        ["李女士", "13800000002", "李娜", "2026-10-28", "半年内"]]


def run(inbox: Path, out: Path) -> None:
    result = CliRunner().invoke(main, ["process", str(inbox), "--out", str(out), "--as-of",
                                       "2026-10-31", "--no-history", "-q"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output


def fill(cell: openpyxl.cell.Cell) -> str:
    return (cell.fill.fgColor.rgb or "")[-6:] if cell.fill and cell.fill.fill_type else ""


def check_copy(copy: Path, header_row: int) -> openpyxl.worksheet.worksheet.Worksheet:
    ws = openpyxl.load_workbook(copy).worksheets[0]
    added = [ws.cell(header_row, 6 + i) for i in range(5)]
    assert [c.value for c in added] == ["系统级别", "级别变化", "下次跟进", "逾期天数", "提示"]
    assert {fill(c) for c in added} == {FILL_COLORS["added"]}
    assert all(fill(ws.cell(header_row, 1 + i)) != FILL_COLORS["added"] for i in range(5))
    assert added[0].comment is not None and added[0].comment.text == ROW_COLOUR_LEGEND
    return ws


@pytest.mark.slow
def test_xlsx_copy_headers_legend_and_print_area(tmp_path: Path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户"
    ws.append(["意向客户管理卡"])
    ws.append(HEADER)
    for r in ROWS:
        ws.append(r)
    ws.print_area = "A1:E4"  # the user's own print area, the five columns of the card
    wb.save(inbox / "cards.xlsx")
    run(inbox, tmp_path / "out")
    ws = check_copy(tmp_path / "out" / "annotated" / "cards.xlsx", 2)
    assert ws.print_area == "'客户'!$A$1:$J$4"  # now to 提示


@pytest.mark.slow
def test_xlsx_copy_without_a_print_area_prints_it_all(tmp_path: Path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in ROWS:
        ws.append(r)
    wb.save(inbox / "cards.xlsx")
    run(inbox, tmp_path / "out")
    ws = check_copy(tmp_path / "out" / "annotated" / "cards.xlsx", 1)
    assert not ws.print_area  # none set: the used area prints, added columns included


@pytest.mark.slow
def test_csv_copy_headers_and_legend(tmp_path: Path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    with open(inbox / "cards.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([HEADER, *ROWS])
    run(inbox, tmp_path / "out")
    check_copy(tmp_path / "out" / "annotated" / "cards.xlsx", 1)

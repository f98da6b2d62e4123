"""Cell grids from workbooks, CSV text and HTML tables."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from leadbook.model import FileError
from leadbook.read.grid import RawSheet, load_grids
from leadbook.read.htmlgrid import read_html
from leadbook.read.textgrid import decode_text, read_csv, sniff_delimiter
from leadbook.texts import render


def _book(path: Path, fill, *, epoch=None) -> Path:
    wb = openpyxl.Workbook()
    if epoch is not None:
        wb.epoch = epoch
    fill(wb)
    wb.save(path)
    return path


def test_blank_rows_and_columns_before_the_first_cell_are_kept(tmp_path: Path) -> None:
    def fill(wb):
        ws = wb.active
        ws["B3"], ws["C3"], ws["D3"] = "客户姓名", "联系电话", "销售顾问"
        ws["B4"], ws["C4"], ws["D4"] = "王先生", 13800138000, "张伟"

    sheets, date1904 = load_grids(_book(tmp_path / "b3.xlsx", fill), "xlsx")
    assert date1904 is False
    [sheet] = sheets
    assert isinstance(sheet, RawSheet)
    assert sheet.cells[0] == [None, None, None, None]
    assert sheet.cells[2] == [None, "客户姓名", "联系电话", "销售顾问"]
    assert sheet.cells[3][1:] == ["王先生", 13800138000, "张伟"]


def test_cell_types(tmp_path: Path) -> None:
    def fill(wb):
        ws = wb.active
        ws.append(["text", 7, 2.5, True, dt.datetime(2026, 11, 3), dt.datetime(2026, 11, 3, 9, 30),
                   dt.time(10, 15), None, "  "])
        ws["B1"].number_format = "0"
        ws["E1"].number_format = "yyyy-mm-dd"
        ws["F1"].number_format = "yyyy-mm-dd hh:mm"
        ws["G1"].number_format = "hh:mm"

    [sheet], _ = load_grids(_book(tmp_path / "types.xlsx", fill), "xlsx")
    row = sheet.cells[0]
    assert row[:4] == ["text", 7, 2.5, True]
    assert row[4] == dt.date(2026, 11, 3)  # a whole day comes back as a date
    assert row[5] == dt.datetime(2026, 11, 3, 9, 30)
    assert row[6] == dt.time(10, 15)
    assert row[7] is None
    assert row[8] in (None, "  ")  # the sheet reader treats whitespace as blank either way


def test_date1904_flag_and_hidden_sheets(tmp_path: Path) -> None:
    def fill(wb):
        wb.active.title = "leads"
        wb.active["A1"] = dt.datetime(2026, 11, 3)
        wb.active["A1"].number_format = "yyyy-mm-dd"
        wb.create_sheet("hidden").sheet_state = "hidden"
        wb.create_sheet("very").sheet_state = "veryHidden"

    sheets, date1904 = load_grids(_book(tmp_path / "mac.xlsx", fill, epoch=CALENDAR_MAC_1904),
                                  "xlsx")
    assert date1904 is True
    assert [(s.name, s.hidden) for s in sheets] == [
        ("leads", False), ("hidden", True), ("very", True)]
    # calamine converts Excel dates itself, in either date system.
    assert sheets[0].cells[0][0] == dt.date(2026, 11, 3)


def test_empty_sheet(tmp_path: Path) -> None:
    [sheet], _ = load_grids(_book(tmp_path / "empty.xlsx", lambda wb: None), "xlsx")
    assert all(v is None for row in sheet.cells for v in row)


def test_a_workbook_with_the_wrong_extension_is_read_by_its_content(tmp_path: Path) -> None:
    real = _book(tmp_path / "real.xlsx", lambda wb: wb.active.append(["客户姓名"]))
    renamed = tmp_path / "renamed.xls"
    renamed.write_bytes(real.read_bytes())
    [sheet], _ = load_grids(renamed, "xlsx")
    assert sheet.cells == [["客户姓名"]]


# --------------------------------------------------------------------- CSV


CSV_TEXT = "客户姓名,联系电话,销售顾问\r\n王先生,13800138000,张伟\r\n\r\n李女士,,李娜\r\n"
CSV_ROWS = [["客户姓名", "联系电话", "销售顾问"], ["王先生", "13800138000", "张伟"], [],
            ["李女士", None, "李娜"]]


@pytest.mark.parametrize(
    "encoded",
    [
        CSV_TEXT.encode("utf-8"),
        CSV_TEXT.encode("utf-8-sig"),
        CSV_TEXT.encode("gbk"),
        CSV_TEXT.encode("gb18030"),
    ],
    ids=["utf-8", "utf-8-bom", "gbk", "gb18030"],
)
def test_csv_encodings(tmp_path: Path, encoded: bytes) -> None:
    path = tmp_path / "leads.csv"
    path.write_bytes(encoded)
    assert read_csv(path) == CSV_ROWS


def test_gb18030_beyond_gbk(tmp_path: Path) -> None:
    path = tmp_path / "rare.csv"
    path.write_bytes("客户姓名,电话\n𠀾先生,138\n".encode("gb18030"))  # a name outside GBK
    assert read_csv(path)[1] == ["𠀾先生", "138"]


def test_excel_unicode_text_is_utf16_and_tab_separated(tmp_path: Path) -> None:
    path = tmp_path / "unicode.csv"
    path.write_bytes("客户姓名\t联系电话\r\n王先生\t13800138000\r\n".encode("utf-16"))
    assert read_csv(path) == [["客户姓名", "联系电话"], ["王先生", "13800138000"]]


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_delimiters(tmp_path: Path, delimiter: str) -> None:
    lines = [["客户姓名", "联系电话", "备注"], ["王先生", "138", "说明, 有逗号"],
             ["李女士", "139", ""]]
    text = "\n".join(delimiter.join(f'"{c}"' if "," in c else c for c in row) for row in lines)
    path = tmp_path / "d.csv"
    path.write_text(text, encoding="utf-8")
    rows = read_csv(path)
    assert rows[0] == ["客户姓名", "联系电话", "备注"]
    assert rows[1] == ["王先生", "138", "说明, 有逗号"]
    assert rows[2] == ["李女士", "139", None]


def test_sniff_delimiter_defaults_to_comma() -> None:
    assert sniff_delimiter("只有一列\n第二行\n") == ","
    assert sniff_delimiter("") == ","


def test_excel_text_formula_is_unwrapped(tmp_path: Path) -> None:
    path = tmp_path / "dms.csv"
    path.write_text('姓名,电话\n王先生,"=""013800138000"""\n', encoding="utf-8")
    assert read_csv(path)[1] == ["王先生", "013800138000"]


def test_unknown_encoding_falls_back_to_detection(tmp_path: Path) -> None:
    data = "name;city\nRenée;Besançon\nJosé;Málaga\n".encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("gb18030")
    text = decode_text(data, "x.csv")
    assert text.startswith("name;city")


def test_csv_through_load_grids_is_one_sheet_named_after_the_file(tmp_path: Path) -> None:
    path = tmp_path / "线索导出.csv"
    path.write_text(CSV_TEXT, encoding="utf-8")
    sheets, date1904 = load_grids(path, "csv")
    assert [(s.name, s.hidden) for s in sheets] == [("线索导出", False)]
    assert date1904 is False


# -------------------------------------------------------------------- HTML


def _html(tmp_path: Path, body: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "export.xls"
    path.write_bytes(f"<html><body>{body}</body></html>".encode(encoding))
    return path


def test_html_spans_leave_covered_cells_empty(tmp_path: Path) -> None:
    path = _html(tmp_path, """
    <table>
      <tr><td colspan="3">线索导出</td></tr>
      <tr><th rowspan="2">客户姓名</th><th colspan="2">跟进</th></tr>
      <tr><th>状态</th><th>级别</th></tr>
      <tr><td>王&nbsp;先生</td><td>跟进中</td><td>A &amp; B</td></tr>
      <tr><td rowspan="2">李女士</td><td>战败</td><td></td></tr>
      <tr><td>已成交</td><td>O</td></tr>
    </table>""")
    [rows] = read_html(path)
    assert rows == [
        ["线索导出", None, None],
        ["客户姓名", "跟进", None],
        [None, "状态", "级别"],
        ["王\xa0先生", "跟进中", "A & B"],
        ["李女士", "战败", None],
        [None, "已成交", "O"],
    ]


def test_html_unclosed_cells_and_nested_tables(tmp_path: Path) -> None:
    path = _html(tmp_path, """
    <table><tr><td>客户姓名<td>电话<tr><td>王先生<td>138
      <table><tr><td>内层</td></tr></table></td></tr></table>
    <table><tr><td>第二张</td></tr></table>""")
    first, second = read_html(path)
    assert first[0] == ["客户姓名", "电话"]
    assert first[1][0] == "王先生" and first[1][1].startswith("138")
    assert second == [["第二张"]]


def test_html_tables_become_sheets(tmp_path: Path) -> None:
    path = _html(tmp_path, "<table><tr><td>一</td></tr></table><table><tr><td>二</td></tr></table>",
                 "gb18030")
    sheets, _ = load_grids(path, "html")
    assert [(s.name, s.cells) for s in sheets] == [("Sheet1", [["一"]]), ("Sheet2", [["二"]])]


def test_html_without_a_table(tmp_path: Path) -> None:
    with pytest.raises(FileError, match="没有表格") as caught:
        load_grids(_html(tmp_path, "<p>nothing</p>"), "html")
    assert "no table" in render(caught.value.reason, "en")


def test_html_span_bounds(tmp_path: Path) -> None:
    path = _html(tmp_path, '<table><tr><td colspan="99999999">x</td></tr>'
                           '<tr><td rowspan="abc">y</td></tr></table>')
    [rows] = read_html(path)
    assert len(rows[0]) == 1000 and rows[1] == ["y"]

"""Every string any writer puts into a workbook stays the text it was.

A value shaped like Excel rich text (``<r>价格</r>``), Excel's own escape form
(``_x0041_``), a control character and text that looks like a formula go from
the input sheets through every writer — report.xlsx (every sheet), the
``--split`` call lists, the annotated copies of .xlsx, .csv and (with
LibreOffice) .xls inputs — and each is read back with calamine, which reads
cell text as Excel does. The files must also open in openpyxl.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from leadbook.cli import main
from leadbook.write.xlsx_text import looks_rich

RICH = "<r>价格</r>"
RICH_SOURCE = "<r>汽车之家</r>"
ESCAPE = "_x0041_"
CONTROL = "王\x01五"
FORMULA = '=HYPERLINK("http://x","y")'
STORE = "<r>测试店</r>"

HEADER = ["客户姓名", "联系电话", "销售顾问", "信息来源", "意向车型", "首次接触日期",
          "最近跟进日期", "预计购车时间", "客户级别", "客户状态", "战败原因", "竞品", "备注"]
AS_OF = "2026-11-22"


def BOLD(book: xlsxwriter.Workbook) -> object:  # noqa: N802 - a format, named as one
    return book.add_format({"bold": True})


def rows() -> list[list[object]]:
    return [
        [FORMULA, "13800000001", "张伟", RICH_SOURCE, ESCAPE, "2026-11-17", "2026-11-18",
         "3个月内", "A", "跟进中", "", "", RICH],
        ["+SUM(1,2)", "13800000002", "张伟", RICH_SOURCE, "卡罗拉", "2026-11-18", "2026-11-19",
         "", "B", "战败", RICH, RICH, ESCAPE],
        [CONTROL, "13800000003", "李娜", "懂车帝", "凯美瑞", "2026-11-18", "2026-11-20",
         "半年内", "B", "战败", ESCAPE, "", FORMULA],
        [RICH, "13800000004", "李娜", ESCAPE, "凯美瑞", "2026-11-16", "2026-11-16",
         "", "", "跟进中", "", "", ""],
    ]


def input_workbook(path: Path) -> None:
    """The lead card, every value a text cell, as XlsxWriter writes it (a control
    character as _x0001_, as Excel does; a rich-looking value as two real runs)."""
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("意向客户")
    for i, r in enumerate([HEADER, *rows()]):
        for j, v in enumerate(r):
            if looks_rich(str(v)):
                ws.write_rich_string(i, j, str(v)[:1], BOLD(book), str(v)[1:])
            else:
                ws.write_string(i, j, str(v))
    book.close()


def texts(path: Path) -> dict[str, set[str]]:
    """Every text cell of every sheet, as Excel reads it."""
    book = CalamineWorkbook.from_path(str(path))
    return {name: {v for row in book.get_sheet_by_name(name).to_python() for v in row
                   if isinstance(v, str)}
            for name in book.sheet_names}


def all_texts(path: Path) -> set[str]:
    out: set[str] = set()
    for values in texts(path).values():
        out |= values
    return out


def opens_in_openpyxl(path: Path) -> None:
    book = openpyxl.load_workbook(path)
    assert book.sheetnames


def run(inbox: Path, out: Path) -> None:
    (inbox / "leadbook.toml").write_text(f'store = "{STORE}"\n[marketing]\nspend = 30000\n',
                                         encoding="utf-8")
    result = CliRunner().invoke(main, ["process", str(inbox), "--out", str(out), "--as-of",
                                       AS_OF, "--split", "--jobs", "1"], catch_exceptions=False)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def xlsx_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    inbox = tmp_path_factory.mktemp("inbox")
    input_workbook(inbox / "cards.xlsx")
    out = tmp_path_factory.mktemp("out")
    run(inbox, out)
    return out


def test_report_keeps_every_text(xlsx_run: Path):
    report = xlsx_run / "report.xlsx"
    opens_in_openpyxl(report)
    sheets = texts(report)
    # Titles carry the store's name on every sheet.
    for name, values in sheets.items():
        assert any(STORE in v for v in values), name
    due, lost, channels = sheets["待跟进"], sheets["战败"], sheets["渠道"]
    assert {FORMULA, RICH, ESCAPE, RICH_SOURCE} <= due
    assert {RICH, ESCAPE, RICH_SOURCE} <= lost  # reasons, competitors, channels, the list
    assert RICH_SOURCE in channels and ESCAPE in channels
    assert "+SUM(1,2)" in lost and CONTROL in lost


def test_split_call_lists_keep_every_text(xlsx_run: Path):
    split = sorted((xlsx_run / "due").glob("*.xlsx"))
    assert len(split) == 2
    values = set()
    for path in split:
        opens_in_openpyxl(path)
        values |= all_texts(path)
    assert {FORMULA, RICH, ESCAPE, RICH_SOURCE} <= values


def test_annotated_xlsx_copy_keeps_every_text(xlsx_run: Path):
    copy = xlsx_run / "annotated" / "cards.xlsx"
    opens_in_openpyxl(copy)
    values = all_texts(copy)
    for r in rows():
        for v in r:
            if isinstance(v, str) and v:
                assert v in values, v


def _grid_copy_keeps_every_text(out: Path, stem: str) -> None:
    copy = out / "annotated" / f"{stem}.xlsx"
    opens_in_openpyxl(copy)
    values = all_texts(copy)
    for r in rows():
        for v in r:
            if isinstance(v, str) and v and not v.startswith("13800"):
                assert v in values, v


@pytest.mark.slow
def test_annotated_csv_copy_keeps_every_text(tmp_path: Path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with open(inbox / "cards.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows())
    run(inbox, tmp_path / "out")
    _grid_copy_keeps_every_text(tmp_path / "out", "cards")
    assert RICH in texts(tmp_path / "out" / "report.xlsx")["战败"]


@pytest.mark.client
def test_annotated_xls_copy_keeps_every_text(tmp_path: Path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is needed for this test (apt-get install libreoffice-calc-nogui)"
    src = tmp_path / "src"
    src.mkdir()
    input_workbook(src / "cards.xlsx")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "xls", "--outdir", str(inbox), str(src / "cards.xlsx")],
                   check=True, capture_output=True, timeout=180)
    assert (inbox / "cards.xls").is_file()
    run(inbox, tmp_path / "out")
    _grid_copy_keeps_every_text(tmp_path / "out", "cards")

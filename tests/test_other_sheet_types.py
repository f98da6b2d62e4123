"""Workbooks that also hold Excel 4 macro sheets, dialog sheets or chartsheets
(domain.md §6): read for their worksheets; the annotated copy keeps those parts.

XlsxWriter writes the workbook and its chartsheet; the macro and dialog sheet
parts are added as Excel stores them (ECMA-376 12.3.2, MS-OFFMACRO2 2.2.1.4):
a part, its content type, the workbook relationship and a <sheet> entry.
"""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from click.testing import CliRunner

from leadbook.cli import main
from leadbook.model import SheetKind
from leadbook.read import read_file

AS_OF = dt.date(2026, 11, 22)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MACRO = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<xm:macrosheet '
         f'xmlns="{MAIN}" xmlns:r="{REL}" '
         'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><sheetData>'
         '<row r="1"><c r="A1" t="b"><f>ALERT("盘点")</f><v>1</v></c></row>'
         '<row r="2"><c r="A2" t="b"><f>RETURN()</f><v>1</v></c></row></sheetData></xm:macrosheet>')
DIALOG = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<dialogsheet '
          f'xmlns="{MAIN}" xmlns:r="{REL}"><sheetPr/><sheetViews><sheetView workbookViewId="0"/>'
          '</sheetViews><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" '
          'header="0.3" footer="0.3"/></dialogsheet>')
EXTRA_PARTS = {
    "macro": ("xl/macrosheets/sheet1.xml", "application/vnd.ms-excel.macrosheet+xml",
              "http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet", "Macro1",
              MACRO),
    "dialog": ("xl/dialogsheets/sheet1.xml",
               "application/vnd.openxmlformats-officedocument.spreadsheetml.dialogsheet+xml",
               f"{REL}/dialogsheet", "Dialog1", DIALOG),
}


def write_workbook(path: Path, kinds: tuple[str, ...]) -> Path:
    base = path.with_suffix(".base.xlsx")
    wb = xlsxwriter.Workbook(str(base))
    ws = wb.add_worksheet("意向客户")
    ws.write_row(0, 0, ["客户姓名", "联系电话", "销售顾问", "首次接触日期", "预计购车时间"])
    ws.write_row(1, 0, ["王先生", "13812345678", "张伟", "2026-11-10", "3个月内"])
    ws.write_row(2, 0, ["李女士", "13987654321", "李娜", "2026-11-12", "半年内"])
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"values": "=意向客户!$A$2:$A$3"})
    wb.add_chartsheet("图表").set_chart(chart)
    wb.close()
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info).decode("utf-8")
            for n, kind in enumerate(kinds, 90):
                part, ctype, rtype, name, _ = EXTRA_PARTS[kind]
                if info.filename == "[Content_Types].xml":
                    data = data.replace("</Types>", f'<Override PartName="/{part}" '
                                                    f'ContentType="{ctype}"/></Types>')
                elif info.filename == "xl/_rels/workbook.xml.rels":
                    data = data.replace("</Relationships>", f'<Relationship Id="rId{n}" '
                                        f'Type="{rtype}" Target="{part[3:]}"/></Relationships>')
                elif info.filename == "xl/workbook.xml":
                    data = data.replace("</sheets>", f'<sheet name="{name}" sheetId="{n}" '
                                                     f'state="hidden" r:id="rId{n}"/></sheets>')
            zout.writestr(info, data.encode("utf-8"))
        for kind in kinds:
            zout.writestr(EXTRA_PARTS[kind][0], EXTRA_PARTS[kind][4])
    base.unlink()
    return path


@pytest.mark.parametrize("kinds", [("macro",), ("dialog",), ("macro", "dialog")])
def test_read_for_its_worksheets(tmp_path: Path, kinds: tuple[str, ...]) -> None:
    src = read_file(write_workbook(tmp_path / "book.xlsm", kinds), "book.xlsm")
    assert (src.status, src.message("zh")) == ("ok", "")
    assert [(s.name, s.kind) for s in src.sheets] == [("意向客户", SheetKind.LEADS)]
    assert [row for row, _ in src.sheets[0].rows] == [2, 3]


def test_the_annotated_copy_keeps_the_macro_dialog_and_chart_sheets(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    original = write_workbook(inbox / "book.xlsm", ("macro", "dialog"))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["process", str(inbox), "--out", str(out),
                                       "--as-of", AS_OF.isoformat()], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["leads"]["rows"] == 2
    with zipfile.ZipFile(original) as a, zipfile.ZipFile(out / "annotated" / "book.xlsm") as b:
        names = set(b.namelist())
        for part in ("xl/macrosheets/sheet1.xml", "xl/dialogsheets/sheet1.xml",
                     "xl/chartsheets/sheet1.xml", "xl/charts/chart1.xml"):
            assert part in names and a.read(part) == b.read(part)
        workbook = b.read("xl/workbook.xml").decode("utf-8")
        for name in ("意向客户", "图表", "Macro1", "Dialog1"):
            assert f'name="{name}"' in workbook
        assert b.read("xl/_rels/workbook.xml.rels") == a.read("xl/_rels/workbook.xml.rels")
        types = b.read("[Content_Types].xml").decode("utf-8")
        assert "macrosheet+xml" in types and "dialogsheet+xml" in types
        assert "系统级别" in b.read("xl/sharedStrings.xml").decode("utf-8") or \
            "系统级别" in b.read("xl/worksheets/sheet1.xml").decode("utf-8")

"""The annotated copy of .xlsx/.xlsm workbooks written by real programs (XlsxWriter,
LibreOffice): added columns, fills, notes — and everything else kept."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from annotated_helpers import (
    ADDED,
    FILL_RGB,
    LEAD_SHEET,
    NOTES,
    RICH,
    lead_notes,
    sha256,
    sheet_xml,
    source,
)

from leadbook.annotate import write_annotated
from leadbook.vocab import ANNOTATION_HEADERS
from leadbook.write.annotation_cells import ROW_COLOUR_LEGEND

PATCHED = {"xl/worksheets/sheet1.xml", "xl/styles.xml", "xl/worksheets/_rels/sheet1.xml.rels",
           "[Content_Types].xml"}


@pytest.fixture(scope="module")
def rich_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("annotated") / "rich.xlsx"
    write_annotated(source(RICH / "rich.xlsx"), [lead_notes()], out)
    return out


def test_every_other_part_is_copied_byte_for_byte(rich_out: Path) -> None:
    with zipfile.ZipFile(RICH / "rich.xlsx") as src, zipfile.ZipFile(rich_out) as out:
        src_infos = src.infolist()
        out_names = [i.filename for i in out.infolist()]
        assert out_names[:len(src_infos)] == [i.filename for i in src_infos]  # order kept
        for info in src_infos:
            if info.filename in PATCHED:
                continue
            copied = out.getinfo(info.filename)
            assert out.read(info.filename) == src.read(info.filename), info.filename
            assert (copied.compress_type, copied.compress_size, copied.CRC) == (
                info.compress_type, info.compress_size, info.CRC), info.filename
        new = set(out_names) - {i.filename for i in src_infos}
        assert new == {"xl/comments1.xml", "xl/drawings/vmlDrawing1.vml"}
        assert out.testzip() is None


def test_input_is_not_modified(tmp_path: Path) -> None:
    copy = tmp_path / "in.xlsx"
    shutil.copy(RICH / "rich.xlsx", copy)
    before = sha256(copy)
    write_annotated(source(copy), [lead_notes()], tmp_path / "out" / "in.xlsx")
    assert sha256(copy) == before
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["in.xlsx"]  # no temp file left


def test_headers_and_values_read_back(rich_out: Path) -> None:
    ws = openpyxl.load_workbook(rich_out)[LEAD_SHEET]
    assert [ws[f"{c}2"].value for c in ADDED] == list(ANNOTATION_HEADERS)
    for number, note in NOTES.items():
        grade, change, due, overdue, hint = (ws[f"{c}{number}"] for c in ADDED)
        assert grade.value == note.system_grade
        assert change.value == (note.grade_change or None)
        if note.next_due:
            assert isinstance(due.value, dt.datetime) and due.value.date() == note.next_due
            assert due.number_format == "yyyy-mm-dd"
        else:
            assert due.value is None
        assert overdue.value == note.overdue_days
        assert overdue.value is None or isinstance(overdue.value, int)
        assert hint.value == (note.hint or None)
        assert hint.value is None or hint.data_type == "s"  # "=…", "+…", "-1", "@…" stay text
    assert ws["M5"].value == "战败 <请经理回访> & 复盘"
    # The user's cells are where they were.
    assert ws["A1"].value == "XX汽车4S店 意向客户管理卡"
    assert ws["A3"].value == "张三" and ws["A4"].value == '=HYPERLINK("x")'
    assert ws["A4"].data_type == "s"
    assert ws["D3"].value == dt.datetime(2026, 11, 1) and ws["D3"].number_format == "yyyy-mm-dd"
    assert ws["H3"].value == "=G3*2"
    assert ws["A7"].value is None and ws["I7"].value is None


def test_cached_formula_values_kept(rich_out: Path) -> None:
    ws = openpyxl.load_workbook(rich_out, data_only=True)[LEAD_SHEET]
    assert [ws[f"H{n}"].value for n in (3, 4, 5, 6, 9, 10)] == [240000, 196000, 300000, 0,
                                                                 420000, 150000]
    assert "<f>G3*2</f><v>240000</v>" in sheet_xml(rich_out)


def test_row_fills_cover_the_row(rich_out: Path) -> None:
    ws = openpyxl.load_workbook(rich_out)[LEAD_SHEET]
    for number, note in NOTES.items():
        for col in "ABCDEFGH" + "".join(ADDED):
            rgb = ws[f"{col}{number}"].fill.fgColor.rgb if ws[f"{col}{number}"].fill.fill_type \
                else None
            assert rgb == (FILL_RGB[note.fill] if note.fill else None), f"{col}{number}"
    # A filled copy keeps the rest of the cell's format.
    assert ws["D4"].number_format == "yyyy-mm-dd"
    assert ws["G4"].number_format == "#,##0" and ws["G4"].border.left.style == "thin"
    # Rows without a note keep their look; the header keeps its own.
    assert ws["A2"].fill.fgColor.rgb == "FFDDEBF7"
    assert ws["I2"].font.b


def test_comments(rich_out: Path) -> None:
    ws = openpyxl.load_workbook(rich_out)[LEAD_SHEET]
    assert ws["I4"].comment.text == NOTES[4].comment
    assert ws["I4"].comment.author == "leadbook"
    assert ws["I6"].comment.text == NOTES[6].comment
    assert ws["I3"].comment is None
    xml = sheet_xml(rich_out)
    assert re.search(r"<legacyDrawing r:id=\"rId\d+\"/>", xml)
    assert xml.index("<drawing ") < xml.index("<legacyDrawing") < xml.rindex("<extLst>")


def test_extensions_and_features_kept(rich_out: Path) -> None:
    xml = sheet_xml(rich_out)
    original = sheet_xml(RICH / "rich.xlsx")
    for marker in ("<x14:dataBar", "<x14:sparklineGroups", "<dataValidations", "<autoFilter",
                   "<mergeCells", '<drawing r:id="rId', "<pane "):
        assert marker in xml, marker
    # The worksheet's extension list (data bar, sparkline) comes through verbatim.
    assert original[original.rindex("<extLst>"):] in xml
    wb = openpyxl.load_workbook(rich_out)
    ws = wb[LEAD_SHEET]
    assert "A1:H1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws.column_dimensions["A"].width == pytest.approx(12.7109375)
    assert ws.column_dimensions["M"].width == pytest.approx(40.7109375)
    assert wb["隐藏"].sheet_state == "hidden" and wb["统计"].sheet_state == "visible"
    assert "意向金额" in wb.defined_names
    assert ws.freeze_panes == "B3"
    assert str(ws.data_validations.dataValidation[0].sqref) == "F3:F20"


def test_dimension_and_styles_only_appended(rich_out: Path) -> None:
    xml = sheet_xml(rich_out)
    assert '<dimension ref="A1:M10"/>' in xml
    with zipfile.ZipFile(RICH / "rich.xlsx") as z:
        before = z.read("xl/styles.xml").decode()
    after = sheet_xml(rich_out, "xl/styles.xml")
    old_xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", before).group(1)
    new_xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", after).group(1)
    assert new_xfs.startswith(old_xfs)  # existing formats keep their numbers
    count = len(re.findall(r"<xf ", new_xfs))
    assert re.search(rf'<cellXfs count="{count}">', after)
    assert count - len(re.findall(r"<xf ", old_xfs)) <= 20  # a few formats, not one per cell
    assert before[:before.index("<fills")] in after  # fonts etc. untouched up to fills


def test_xlsm_keeps_its_macros(tmp_path: Path) -> None:
    out = tmp_path / "rich.xlsm"
    write_annotated(source(RICH / "rich.xlsm"), [lead_notes()], out)
    with zipfile.ZipFile(RICH / "rich.xlsm") as src, zipfile.ZipFile(out) as dst:
        assert dst.read("xl/vbaProject.bin") == src.read("xl/vbaProject.bin")
        types = dst.read("[Content_Types].xml").decode()
        assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
        assert "vbaProject" in dst.read("xl/_rels/workbook.xml.rels").decode()
    wb = openpyxl.load_workbook(out, keep_vba=True)
    assert wb[LEAD_SHEET]["I2"].value == "系统级别"
    assert wb.vba_archive is not None


def test_existing_comments_stay(tmp_path: Path) -> None:
    out = tmp_path / "commented.xlsx"
    write_annotated(source(RICH / "commented.xlsx"), [lead_notes()], out)
    ws = openpyxl.load_workbook(out)[LEAD_SHEET]
    assert ws["B3"].comment.text == "客户要求周末联系" and ws["B3"].comment.author == "王芳"
    assert ws["A5"].comment.text == "老客户介绍"
    assert ws["I4"].comment.text == NOTES[4].comment and ws["I4"].comment.author == "leadbook"
    assert ws["I6"].comment.text == NOTES[6].comment
    assert ws["I2"].comment.text == ROW_COLOUR_LEGEND
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        assert "xl/comments2.xml" not in names and "xl/drawings/vmlDrawing2.vml" not in names
        vml = z.read("xl/drawings/vmlDrawing1.vml").decode()
        ids = re.findall(r'id="_x0000_s(\d+)"', vml)
        # the user's two, two regrades and the row colours' legend on the 系统级别 header
        assert len(ids) == 5 and len(set(ids)) == 5
        blocks = {int(b) for b in re.search(r'data="([^"]*)"', vml).group(1).split(",")}
        assert {int(i) // 1024 for i in ids} <= blocks
    assert sheet_xml(out).count("<legacyDrawing") == 1


@pytest.mark.parametrize("name", ["prefixed.xlsx", "rich_lo.xlsx"])
def test_other_writers(tmp_path: Path, name: str) -> None:
    if not (RICH / name).exists():
        pytest.skip(f"{name} not built (LibreOffice missing when the fixtures were made)")
    out = tmp_path / name
    write_annotated(source(RICH / name), [lead_notes()], out)
    ws = openpyxl.load_workbook(out)[LEAD_SHEET]
    assert [ws[f"{c}2"].value for c in ADDED] == list(ANNOTATION_HEADERS)
    assert ws["I4"].value == "O" and ws["M4"].value == '=HYPERLINK("evil")'
    assert ws["A4"].fill.fgColor.rgb == FILL_RGB["won"]
    assert ws["I6"].comment.text == NOTES[6].comment
    assert ws["A3"].value == "张三" and ws["H3"].value == "=G3*2"
    xml = sheet_xml(out)
    if name == "prefixed.xlsx":
        assert "<x:c " in xml and not re.search(r"<(c|row|col|cols|legacyDrawing)[ >]", xml)


def test_unknown_sheet_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="不存在的表"):
        write_annotated(source(RICH / "rich.xlsx"), [lead_notes(name="不存在的表")],
                        tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.client
@pytest.mark.parametrize("name", ["rich.xlsx", "rich.xlsm", "commented.xlsx", "prefixed.xlsx"])
def test_libreoffice_opens_the_copy(tmp_path: Path, name: str) -> None:
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    out = tmp_path / name
    write_annotated(source(RICH / name), [lead_notes()], out)
    profile = (tmp_path / "profile").as_uri()
    for target in ("pdf", "csv:Text - txt - csv (StarCalc):44,34,76"):
        subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless",
                        "--convert-to", target, "--outdir", str(tmp_path), str(out)],
                       check=True, capture_output=True, timeout=180)
    assert (tmp_path / (out.stem + ".pdf")).stat().st_size > 1000
    lines = (tmp_path / (out.stem + ".csv")).read_text(encoding="utf-8").splitlines()
    assert lines[1].endswith("系统级别,级别变化,下次跟进,逾期天数,提示")
    assert lines[3].endswith('O,B→O,,,"=HYPERLINK(""evil"")"')
    assert lines[5].endswith('B,,2026-11-10,12,"+SUM(1,2)"')

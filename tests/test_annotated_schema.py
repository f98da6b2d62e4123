"""Every part the annotated copy patches keeps the child order its schema requires
(ECMA-376 Part 1, the sequences below); a sparse styles part comes out complete.

Excel offers to repair a workbook whose parts break these sequences; the sheet
opens in LibreOffice all the same, so only a check of the order catches it.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from annotated_helpers import RICH, lead_notes, source
from defusedxml import ElementTree

from leadbook.annotate import write_annotated

# xsd:sequence of the complex types of the parts leadbook patches (ECMA-376
# Part 1, A.2 SpreadsheetML schema): element local name → its children in order.
SEQUENCES: dict[str, tuple[str, ...]] = {
    "worksheet": (
        "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData",
        "sheetCalcPr", "sheetProtection", "protectedRanges", "scenarios", "autoFilter",
        "sortState", "dataConsolidate", "customSheetViews", "mergeCells", "phoneticPr",
        "conditionalFormatting", "dataValidations", "hyperlinks", "printOptions", "pageMargins",
        "pageSetup", "headerFooter", "rowBreaks", "colBreaks", "customProperties", "cellWatches",
        "ignoredErrors", "smartTags", "drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF",
        "picture", "oleObjects", "controls", "webPublishItems", "tableParts", "extLst"),
    "styleSheet": ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs",
                   "cellStyles", "dxfs", "tableStyles", "colors", "extLst"),
    "row": ("c", "extLst"),
    "c": ("f", "v", "is", "extLst"),
    "xf": ("alignment", "protection", "extLst"),
    "patternFill": ("fgColor", "bgColor"),
    "border": ("start", "left", "end", "right", "top", "bottom", "diagonal", "vertical",
               "horizontal"),
    "comments": ("authors", "commentList", "extLst"),
    "comment": ("text", "commentPr"),
    "sheetView": ("pane", "selection", "pivotSelection", "extLst"),
    "conditionalFormatting": ("cfRule", "extLst"),
}
MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
# A styles part every cell format can point into: these sections, each with a child.
COMPLETE_STYLES = ("fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles")


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def order_problems(xml: bytes) -> list[str]:
    """Every element whose children break its type's sequence, as 'parent: a after b'."""
    problems = []
    for el in ElementTree.fromstring(xml).iter():
        if not el.tag.startswith(MAIN_NS):
            continue  # extensions (x14:conditionalFormatting …) follow their own schemas
        order = SEQUENCES.get(_local(el.tag))
        if order is None:
            continue
        last = -1
        for child in el:
            name = _local(child.tag)
            if name not in order:
                problems.append(f"{_local(el.tag)}: unknown child {name}")
                continue
            if order.index(name) < last:
                problems.append(f"{_local(el.tag)}: {name} after {order[last]}")
            last = max(last, order.index(name))
    return problems


def patched_parts(original: Path, copy: Path) -> dict[str, bytes]:
    """The XML parts of the copy that differ from the original's (or are new)."""
    with zipfile.ZipFile(original) as a, zipfile.ZipFile(copy) as b:
        before = {n: a.read(n) for n in a.namelist()}
        return {n: b.read(n) for n in b.namelist()
                if n.endswith(".xml") and before.get(n) != b.read(n)}


def sparse_workbook(path: Path, styles: bytes) -> Path:
    """A lead card by XlsxWriter, its styles part replaced by ``styles`` (as some DMS
    exports write it); no cell carries a format, so the sheet stays valid."""
    base = path.with_suffix(".base.xlsx")
    wb = xlsxwriter.Workbook(str(base))
    ws = wb.add_worksheet("意向客户")
    ws.write(0, 0, "意向客户管理卡")
    ws.write_row(1, 0, ["序号", "客户姓名", "联系电话", "销售顾问", "首次接触日期", "最近跟进日期",
                        "预计购车时间", "状态"])
    for r in range(2, 10):
        ws.write_row(r, 0, [r - 1, f"客户{r}", f"1380000{r:04d}", "张伟", "2026-11-01",
                            "2026-11-10", "3个月内", "跟进中"])
    wb.close()
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = styles if info.filename == "xl/styles.xml" else zin.read(info)
            zout.writestr(info, data)
    base.unlink()
    return path


MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
SPARSE = {
    "bare": b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet ' + MAIN
            + b"/>",
    "no_borders": b'<?xml version="1.0" encoding="UTF-8"?><styleSheet ' + MAIN + b">"
                  b'<fonts count="1"><font><sz val="11"/><name val="SimSun"/></font></fonts>'
                  b'<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
                  b"</cellXfs></styleSheet>",
}


@pytest.mark.parametrize("kind", sorted(SPARSE))
def test_a_sparse_styles_part_comes_out_complete_and_in_order(tmp_path: Path, kind: str) -> None:
    original = sparse_workbook(tmp_path / "sparse.xlsx", SPARSE[kind])
    copy = write_annotated(source(original), [lead_notes()], tmp_path / "copy.xlsx")
    parts = patched_parts(original, copy)
    assert "xl/styles.xml" in parts and "xl/worksheets/sheet1.xml" in parts
    for name, xml in parts.items():
        assert order_problems(xml) == [], name
    root = ElementTree.fromstring(parts["xl/styles.xml"])
    sections = {_local(el.tag): el for el in root}
    for name in COMPLETE_STYLES:
        assert name in sections and len(sections[name]) >= 1, name
        assert sections[name].get("count") == str(len(sections[name])), name
    # Every cell format of the copy points at a font, fill and border that exist.
    for xf in sections["cellXfs"]:
        assert int(xf.get("fontId", "0")) < len(sections["fonts"])
        assert int(xf.get("fillId", "0")) < len(sections["fills"])
        assert int(xf.get("borderId", "0")) < len(sections["borders"])
    # ... and every s="…" of the sheet at a cell format.
    styles_used = {int(s) for s in re.findall(rb'\ss="(\d+)"',
                                              parts["xl/worksheets/sheet1.xml"])}
    assert styles_used and max(styles_used) < len(sections["cellXfs"])


@pytest.mark.parametrize("name", ["rich.xlsx", "rich.xlsm", "rich_lo.xlsx", "prefixed.xlsx",
                                  "commented.xlsx"])
def test_every_patched_part_keeps_its_schema_order(tmp_path: Path, name: str) -> None:
    original = RICH / name
    target = tmp_path / ("copy" + original.suffix)
    copy = write_annotated(source(original), [lead_notes()], target)
    parts = patched_parts(original, copy)
    assert parts  # the sheet and its styles at least
    for part, xml in parts.items():
        assert order_problems(xml) == [], f"{name}: {part}"

"""The annotated copy, row by row: row numbers, missing rows, unusual sheet XML.

Each workbook here is written by XlsxWriter in the test (and sometimes its XML
edited the way other programs write it), then annotated and read back.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from annotated_helpers import FILL_RGB, source

from leadbook.annotate import write_annotated
from leadbook.model import FileError, RowNote, SheetNotes
from leadbook.vocab import ANNOTATION_HEADERS
from leadbook.write.annotation_cells import excel_text

SHEET = "线索"


def make_book(path: Path, build: Callable[[xlsxwriter.worksheet.Worksheet], None],
              options: dict | None = None) -> Path:
    wb = xlsxwriter.Workbook(str(path), options or {})
    build(wb.add_worksheet(SHEET))
    wb.close()
    return path


def rewrite_sheet(path: Path, edit: Callable[[str], str]) -> None:
    """Rewrite sheet1.xml in place, the way another program would have written it."""
    with zipfile.ZipFile(path) as z:
        parts = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in parts:
            if info.filename == "xl/worksheets/sheet1.xml":
                data = edit(data.decode()).encode()
            z.writestr(info, data)


def annotate(path: Path, rows: dict[int, RowNote], width: int, header_row: int = 1) -> Path:
    out = path.with_name("out_" + path.name)
    write_annotated(source(path), [SheetNotes(SHEET, header_row, width, rows)], out)
    return out


def rows_in_xml(path: Path) -> list[int]:
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    return [int(n) for n in re.findall(r"<(?:\w+:)?row [^>]*?r=\"(\d+)\"", xml)]


def grid(build_rows: dict[int, list]) -> Callable[[xlsxwriter.worksheet.Worksheet], None]:
    def build(ws: xlsxwriter.worksheet.Worksheet) -> None:
        ws.write_row(0, 0, ["客户姓名", "联系电话", "客户级别"])
        for number, values in build_rows.items():
            ws.write_row(number - 1, 0, values)
    return build


def test_notes_land_on_exactly_their_rows(tmp_path: Path) -> None:
    # Rows 7 and 8 are empty, so the sheet XML has no <row> for them.
    book = make_book(tmp_path / "gaps.xlsx", grid({
        n: [f"客户{n}", f"1380000000{n}", "B"] for n in (2, 3, 4, 5, 6, 9, 10)}))
    assert rows_in_xml(book) == [1, 2, 3, 4, 5, 6, 9, 10]
    notes = {n: RowNote(system_grade=f"G{n}", hint=f"row {n}") for n in (5, 6, 9)}
    out = annotate(book, notes, width=3)
    ws = openpyxl.load_workbook(out)[SHEET]
    for number in range(1, 12):
        expected = f"G{number}" if number in notes else None
        assert ws[f"D{number}"].value == (ANNOTATION_HEADERS[0] if number == 1 else expected)
        assert ws[f"H{number}"].value == (f"row {number}" if number in notes else
                                         ANNOTATION_HEADERS[4] if number == 1 else None)
        assert ws[f"A{number}"].value == (f"客户{number}" if number in (2, 3, 4, 5, 6, 9, 10)
                                          else "客户姓名" if number == 1 else None)
    assert rows_in_xml(out) == [1, 2, 3, 4, 5, 6, 9, 10]


def test_rows_without_xml_get_one_in_order(tmp_path: Path) -> None:
    book = make_book(tmp_path / "insert.xlsx", grid({n: [f"客户{n}", "", "A"] for n in (2, 3, 9)}))
    notes = {n: RowNote(system_grade="A", fill="overdue", overdue_days=n) for n in (3, 7, 8, 12)}
    out = annotate(book, notes, width=3)
    assert rows_in_xml(out) == [1, 2, 3, 7, 8, 9, 12]
    ws = openpyxl.load_workbook(out)[SHEET]
    assert [ws[f"G{n}"].value for n in (3, 7, 8, 9, 12)] == [3, 7, 8, None, 12]
    assert ws["A7"].fill.fgColor.rgb == FILL_RGB["overdue"]  # the whole row is coloured
    assert ws["A9"].fill.fill_type is None


def test_self_closing_rows_and_row_formats(tmp_path: Path) -> None:
    def build(ws: xlsxwriter.worksheet.Worksheet) -> None:
        grid({2: ["甲", "1", "A"]})(ws)
        ws.set_row(2, 30)  # an empty row with a height: <row r="3" ... />
        ws.set_row(3, None, ws.book_format)
        ws.write_string(3, 0, "乙")

    def build_with_format(ws: xlsxwriter.worksheet.Worksheet) -> None:
        ws.book_format = ws_formats["bold"]
        build(ws)

    path = tmp_path / "closed.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws_formats = {"bold": wb.add_format({"bold": True})}
    ws = wb.add_worksheet(SHEET)
    build_with_format(ws)
    wb.close()
    with zipfile.ZipFile(path) as z:
        assert re.search(r'<row r="3"[^>]*/>', z.read("xl/worksheets/sheet1.xml").decode())
    out = annotate(path, {3: RowNote(system_grade="B", fill="due"),
                          4: RowNote(system_grade="C", fill="won")}, width=3)
    ws = openpyxl.load_workbook(out)[SHEET]
    assert ws.row_dimensions[3].height == 30
    assert ws["D3"].value == "B" and ws["A3"].fill.fgColor.rgb == FILL_RGB["due"]
    # A row with its own format: its empty cells are coloured with that format's copy.
    assert ws["B4"].fill.fgColor.rgb == FILL_RGB["won"] and ws["B4"].font.b
    assert ws["A4"].value == "乙"


def test_sheet_without_cols_or_rows(tmp_path: Path) -> None:
    book = make_book(tmp_path / "empty.xlsx", lambda ws: None)
    with zipfile.ZipFile(book) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<sheetData/>" in xml and "<cols>" not in xml
    out = annotate(book, {}, width=0)
    ws = openpyxl.load_workbook(out)[SHEET]
    assert [ws.cell(1, c).value for c in range(1, 6)] == list(ANNOTATION_HEADERS)
    with zipfile.ZipFile(out) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert re.search(r"<sheetFormatPr[^>]*/><cols>.*</cols><sheetData>", xml)


def test_cols_reaching_over_the_added_columns_are_split(tmp_path: Path) -> None:
    def build(ws: xlsxwriter.worksheet.Worksheet) -> None:
        grid({2: ["甲", "1", "A"]})(ws)
        ws.set_column("A:XFD", 9)  # <col min="1" max="16384">, as LibreOffice writes it too

    out = annotate(make_book(tmp_path / "wide.xlsx", build), {2: RowNote(system_grade="A")}, 3)
    with zipfile.ZipFile(out) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    ranges = [(int(a), int(b)) for a, b in re.findall(r'<col min="(\d+)" max="(\d+)"', xml)]
    assert ranges == [(1, 3), (4, 4), (5, 5), (6, 6), (7, 7), (8, 8), (9, 16384)]
    ws = openpyxl.load_workbook(out)[SHEET]
    assert ws.column_dimensions["A"].width == pytest.approx(9.7109375)
    assert ws.column_dimensions["H"].width == pytest.approx(40.7109375)


def test_cells_right_of_the_added_columns_and_without_references(tmp_path: Path) -> None:
    def build(ws: xlsxwriter.worksheet.Worksheet) -> None:
        grid({2: ["甲", "1", "A"], 3: ["乙", "2", "B"]})(ws)
        ws.write_string(1, 25, "Z列备注")  # Z2: far right of the added D..H

    book = make_book(tmp_path / "far.xlsx", build)
    # Row 3 written without cell references, as some generators do.
    rewrite_sheet(book, lambda xml: re.sub(r'(<row r="3"[^>]*>.*?</row>)',
                                           lambda m: re.sub(r' r="[A-Z]+3"', "", m.group(1)),
                                           xml))
    notes = {2: RowNote(system_grade="A", fill="won"), 3: RowNote(system_grade="B", fill="lost")}
    out = annotate(book, notes, width=3)
    ws = openpyxl.load_workbook(out)[SHEET]
    assert ws["D2"].value == "A" and ws["Z2"].value == "Z列备注"
    assert ws["A3"].value == "乙" and ws["C3"].value == "B" and ws["D3"].value == "B"
    assert ws["C3"].fill.fgColor.rgb == FILL_RGB["lost"]
    with zipfile.ZipFile(out) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    row2 = re.search(r'<row r="2".*?</row>', xml).group(0)
    assert re.findall(r'<c r="([A-Z]+)2"', row2) == list("ABCDEFGH") + ["Z"]


def test_date_system_1904(tmp_path: Path) -> None:
    book = make_book(tmp_path / "mac.xlsx", grid({2: ["甲", "1", "A"]}), {"date_1904": True})
    out = annotate(book, {2: RowNote(next_due=dt.date(2026, 12, 1))}, width=3)
    ws = openpyxl.load_workbook(out)[SHEET]
    assert ws["F2"].value == dt.datetime(2026, 12, 1)


@pytest.mark.slow
def test_many_comments_take_several_shape_blocks(tmp_path: Path) -> None:
    rows = {n: ["客户", str(n), "A"] for n in range(2, 1502)}
    book = make_book(tmp_path / "many.xlsx", grid(rows), {"constant_memory": True})
    notes = {n: RowNote(system_grade="B", comment=f"第{n}行: A→B") for n in rows}
    out = annotate(book, notes, width=3)
    with zipfile.ZipFile(out) as z:
        vml = z.read("xl/drawings/vmlDrawing1.vml").decode()
    assert re.search(r'<o:idmap v:ext="edit" data="1,2"/>', vml)
    ids = [int(i) for i in re.findall(r'id="_x0000_s(\d+)"', vml)]
    # 1,500 regrades and the legend on the header: 1,501 shapes in two blocks
    assert len(set(ids)) == 1501 and {i // 1024 for i in ids} == {1, 2}
    ws = openpyxl.load_workbook(out)[SHEET]
    assert ws["D1501"].comment.text == "第1501行: A→B"


def test_package_without_styles_part_and_stored_members(tmp_path: Path) -> None:
    book = make_book(tmp_path / "bare.xlsx", grid({2: ["甲", "1", "A"]}))
    with zipfile.ZipFile(book) as z:
        parts = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    bare = tmp_path / "stored.xlsx"
    with zipfile.ZipFile(bare, "w", zipfile.ZIP_STORED) as z:
        for name, data in parts:
            if name == "xl/styles.xml":
                continue
            text = data.decode()
            if name in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
                text = re.sub(r"<[^<>]*styles[^<>]*/>", "", text)
            if name == "xl/worksheets/sheet1.xml":
                text = re.sub(r' s="\d+"', "", text)
            z.writestr(name, text)
    out = annotate(bare, {2: RowNote(system_grade="A", fill="overdue")}, width=3)
    with zipfile.ZipFile(out) as z:
        assert z.getinfo("xl/theme/theme1.xml").compress_type == zipfile.ZIP_STORED
        assert "xl/styles.xml" in z.namelist()
    ws = openpyxl.load_workbook(out)[SHEET]
    assert ws["A2"].fill.fgColor.rgb == FILL_RGB["overdue"] and ws["D2"].value == "A"


def test_text_that_xml_or_excel_would_misread() -> None:
    assert excel_text("a\x01b\x0bc") == "a_x0001_b_x000B_c"  # kept, as Excel writes it
    assert excel_text("code _x0041_ here") == "code _x005F_x0041_ here"
    assert excel_text("=1+1") == "=1+1"


def test_every_format_gets_its_filled_copy(tmp_path: Path) -> None:
    # Format numbers that end like the row number (s="3" on row 3, s="13" on row 13)
    # must not confuse the row analysis.
    path = tmp_path / "formats.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    formats = [wb.add_format({"num_format": f"0.{'0' * (i % 5)}", "italic": i % 2 == 0})
               for i in range(1, 16)]
    ws = wb.add_worksheet(SHEET)
    ws.write_row(0, 0, ["客户姓名", "金额", "数量"])
    for row in range(1, 40):
        ws.write_string(row, 0, f"客户{row}")
        ws.write_number(row, 1, row * 1.5, formats[row % 15])
        ws.write_number(row, 2, row, formats[(row * 7) % 15])
    wb.close()
    fills = ["overdue", "due", "won", "lost"]
    notes = {n: RowNote(system_grade="A", fill=fills[n % 4]) for n in range(2, 41)}
    out = annotate(path, notes, width=3)
    before = openpyxl.load_workbook(path)[SHEET]
    after = openpyxl.load_workbook(out)[SHEET]
    for n in range(2, 41):
        for col in "ABC":
            old, new = before[f"{col}{n}"], after[f"{col}{n}"]
            assert new.value == old.value
            assert new.number_format == old.number_format, f"{col}{n}"
            assert new.font.i == old.font.i, f"{col}{n}"
            assert new.fill.fgColor.rgb == FILL_RGB[fills[n % 4]], f"{col}{n}"


def test_two_annotated_sheets_with_notes(tmp_path: Path) -> None:
    path = tmp_path / "two.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    for name in (SHEET, "日报"):
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, ["客户姓名", "联系电话"])
        ws.write_row(1, 0, [name, "1"])
    wb.close()
    notes = [SheetNotes(name, 1, 2, {2: RowNote(system_grade="A", comment=f"{name}说明")})
             for name in (SHEET, "日报")]
    out = tmp_path / "out.xlsx"
    write_annotated(source(path), notes, out)
    wb2 = openpyxl.load_workbook(out)
    assert wb2[SHEET]["C2"].comment.text == f"{SHEET}说明"
    assert wb2["日报"]["C2"].comment.text == "日报说明"
    with zipfile.ZipFile(out) as z:
        maps = [re.search(r'data="([^"]*)"', z.read(f"xl/drawings/vmlDrawing{i}.vml").decode())
                .group(1) for i in (1, 2)]
    assert maps[0] != maps[1]


def test_html_table_saved_as_xls(tmp_path: Path) -> None:
    page = tmp_path / "export.xls"
    page.write_text("<html><body><table><tr><td>客户姓名</td><td>联系电话</td></tr>"
                    "<tr><td>=CMD()</td><td>13800000000</td></tr></table></body></html>",
                    encoding="utf-8")
    out = tmp_path / "export.xlsx"
    write_annotated(source(page, "html"),
                    [SheetNotes("Sheet1", 1, 2, {2: RowNote(system_grade="B", fill="due")})], out)
    ws = openpyxl.load_workbook(out)["Sheet1"]
    assert ws["A2"].value == "=CMD()" and ws["A2"].data_type == "s"
    assert ws["C1"].value == "系统级别" and ws["C2"].value == "B"
    assert ws["B2"].fill.fgColor.rgb == FILL_RGB["due"]


def test_zip_bomb_is_refused_and_nothing_written(tmp_path: Path) -> None:
    book = make_book(tmp_path / "bomb.xlsx", grid({2: ["甲", "1", "A"]}))
    with zipfile.ZipFile(book, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/padding.bin", bytes(20 << 20))  # 20 MB of zeros, ~1000:1
    out = tmp_path / "out.xlsx"
    with pytest.raises(FileError, match="refused"):
        write_annotated(source(book), [SheetNotes(SHEET, 1, 3, {})], out)
    assert list(tmp_path.iterdir()) == [book]


def test_a_layouts_recipe_gives_the_bytes_of_the_long_way(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # Filled rows of a few layouts: gaps before, between and after the cells, cells
    # with and without a format (formats numbered like the rows), texts holding "%",
    # "%s" and ' s="' (that one takes the slow path), a row format. Each layout's
    # first row makes its recipe; the copy must be the one the long way makes.
    path = tmp_path / "layouts.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})  # texts in the cells
    formats = [wb.add_format({"num_format": f"0.{'0' * (i % 4)}", "bold": i % 3 == 0})
               for i in range(1, 14)]
    ws = wb.add_worksheet(SHEET)
    ws.write_row(0, 0, ["客户姓名", "联系电话", "金额", "数量", "备注", "级别"])
    texts = ["100%", "%s 与 %d", ' s="3" 不是格式', "普通"]
    for row in range(1, 120):
        layout = row % 4
        ws.write_string(row, 0, f"客户{row}")
        if layout != 1:
            ws.write_number(row, 2, row * 1.25, formats[row % 13])
        if layout in (0, 3):
            ws.write_string(row, 4, texts[(row // 4) % 4])
        if layout == 2:
            ws.write_number(row, 3, row, formats[(row * 5) % 13])
        if row % 17 == 0:
            ws.set_row(row, None, formats[row % 13])
    wb.close()
    fills = ["overdue", "due", "won", "lost", None]
    notes = {n: RowNote(system_grade="A", hint=f"第{n}行 %s", fill=fills[n % 5],
                        overdue_days=n % 3 or None) for n in range(2, 121)}

    def sheet_of(book: Path) -> bytes:
        with zipfile.ZipFile(book) as z:
            return z.read("xl/worksheets/sheet1.xml")

    written = sheet_of(path)
    assert "%s 与 %d".encode() in written and ' s="3" 不是格式'.encode() in written
    from leadbook.write import xlsx_rows

    made: list[object] = []
    recipe = xlsx_rows.RowPatcher._recipe

    def counted(self: xlsx_rows.RowPatcher, *args: object) -> object:
        made.append(result := recipe(self, *args))  # type: ignore[arg-type]
        return result

    monkeypatch.setattr(xlsx_rows.RowPatcher, "_recipe", counted)
    quick = sheet_of(annotate(path, notes, width=6))
    assert sum(r is not None for r in made) >= 8  # layouts × fills, each made once
    monkeypatch.setattr(xlsx_rows.RowPatcher, "_recipe", lambda self, *args: None)
    (tmp_path / "out_layouts.xlsx").unlink()
    assert quick == sheet_of(annotate(path, notes, width=6))


def test_the_added_cells_by_pattern_are_the_cells_made_one_by_one() -> None:
    # Rows sharing a pattern (grade, change, hint, day, days overdue, fill) get its
    # bytes with their own row number; texts holding "%", "%d" and a control
    # character, every fill, days and no days, rows of one to six digits.
    from leadbook.write import xlsx_rows
    from leadbook.write.xlsx_styles import StyleBook

    def patcher() -> xlsx_rows.RowPatcher:
        return xlsx_rows.RowPatcher(width=6, header_row=1, notes={}, styles=StyleBook(None),
                                    date1904=False, prefix=b"", col_styles={})

    fills = ["overdue", "due", "won", "lost", "unknown", None]
    hints = ["", "100% 到店", "%d 天未跟进", "换行\x0b之后", "逾期 3 天"]
    notes = [RowNote(system_grade=("A", "H", "")[n % 3], grade_change=("", "B→A")[n % 2],
                     next_due=None if n % 4 == 0 else dt.date(2026, 11, 1 + n % 20),
                     overdue_days=(None, 0, 7, 120)[n % 4], hint=hints[n % 5],
                     fill=fills[n % 6]) for n in range(60)]
    quick, slow = patcher(), patcher()
    rows = [2, 9, 10, 99, 1000, 123456, 999999]
    for note in notes:
        for number in rows:
            cells = [c for c in slow._added(number, note, None) if c]
            assert quick._added_bytes(number, note, None) == b"".join(cells)
    assert 0 < len(quick._added_pieces) <= len(notes)  # the patterns were used

"""Legacy .xls and what a file that cannot be read is called (domain.md §6, §9).

tests/fixtures/legacy/ holds .xls files LibreOffice wrote
(tests/fixtures/make_legacy_xls.py): ``locked.xls`` with a password to open,
``plain.xls`` without. The tests cut ``plain.xls`` short, as a copy interrupted
or a mail attachment cut off leaves it.
"""

from __future__ import annotations

import datetime as dt
import logging
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import olefile
import pytest
import python_calamine
import xlsxwriter
from cards import rows_of

from leadbook.model import SheetKind
from leadbook.read import read_file
from leadbook.read.cfb import check_cfb
from leadbook.records import read_records

LEGACY = Path(__file__).parent / "fixtures" / "legacy"
SECTOR = 512
# Library text that must never be what the manager reads.
LIBRARY_TEXT = ("Cfb", "Codepage", "Range is missing", "Relationships", "Unrecognized",
                "CalamineError", "XlsError", "olefile", "Traceback")


def _clean(message: str) -> None:
    for words in LIBRARY_TEXT:
        assert words not in message, message


def test_a_password_protected_xls_says_so() -> None:
    src = read_file(LEGACY / "locked.xls", "locked.xls")
    assert src.status == "error" and src.sheets == []
    assert src.message("zh") == "locked.xls: 工作簿设有打开密码; 请另存一份不带密码的副本后再运行"
    assert src.message("en") == ("locked.xls: the workbook is password-protected; save a copy "
                                 "without a password and run again")


@pytest.mark.parametrize("cut", [1, SECTOR], ids=["one byte", "one sector"])
def test_an_xls_cut_short_is_read_when_both_readers_read_it(tmp_path: Path, cut: int) -> None:
    data = (LEGACY / "plain.xls").read_bytes()
    assert len(data) % SECTOR == 0
    path = tmp_path / "cut.xls"
    path.write_bytes(data[:-cut])
    # What the two libraries make of it: both read the whole Workbook stream and sheet.
    with olefile.OleFileIO(str(path)) as ole:
        assert len(ole.openstream("Workbook").read()) == ole.get_size("Workbook")
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    assert len(book.get_sheet_by_index(0).to_python()) == 64
    check_cfb(path)  # no FileError
    src = read_file(path, "cut.xls")
    assert (src.status, src.message("zh")) == ("ok", "")
    assert [(s.name, s.kind, s.row_count) for s in src.sheets] == [
        ("意向客户", SheetKind.LEADS, 63)]
    leads = rows_of(read_records([src], dt.date(2026, 11, 22)).leads)
    assert (leads[0].name, leads[0].phone, leads[-1].row) == ("王先生", "13812345678", 64)


def test_an_xls_whose_workbook_stream_is_cut_is_refused_in_words(tmp_path: Path) -> None:
    data = (LEGACY / "plain.xls").read_bytes()
    path = tmp_path / "half.xls"
    path.write_bytes(data[: len(data) // 2])
    src = read_file(path, "half.xls")
    assert src.status == "error"
    assert src.message("zh").startswith("half.xls: 工作簿无法读取: 这个 .xls 文件已损坏")
    assert "请用 Excel 或 WPS 打开" in src.message("zh")
    assert src.message("en").startswith("half.xls: not a readable workbook: the .xls file is damaged")
    assert "save it" in src.message("en")
    _clean(src.message("zh"))
    _clean(src.message("en"))


def test_an_excel_95_workbook_whose_text_cannot_be_read_is_named(tmp_path: Path) -> None:
    path = LEGACY / "excel95.xls"
    with olefile.OleFileIO(str(path)) as ole:
        assert ole.exists("Book") and not ole.exists("Workbook")  # BIFF5
    # calamine opens it, but its text comes out as gibberish: no sheet name is right.
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    assert [m.name for m in book.sheets_metadata] != ["意向客户"]
    src = read_file(path, "excel95.xls")
    assert src.status == "error"
    assert src.message("zh") == (
        "excel95.xls: 这是 Excel 5.0/95 工作簿 (BIFF5), 文字以 UTF-16 存储, leadbook 无法读取; "
        "请用 Excel、WPS 或 LibreOffice 打开, 另存为 .xlsx")
    assert src.message("en") == (
        "excel95.xls: an Excel 5.0/95 workbook (BIFF5) whose text is stored as UTF-16, which "
        "leadbook cannot read; open it in Excel, WPS or LibreOffice and save it as .xlsx")


def _biff2(path: Path) -> Path:
    """An Excel 2.x worksheet: BOF (0x0009), one LABEL cell (0x0004), EOF — MS-XLS's
    BIFF2 record layout, as Excel 2.1 saved it."""
    text = "客户".encode("gbk")
    records = [
        struct.pack("<HHHH", 0x0009, 4, 0x0002, 0x0010),
        struct.pack("<HHHH3sB", 0x0004, 8 + len(text), 0, 0, b"\0\0\0", len(text)) + text,
        struct.pack("<HH", 0x000A, 0),
    ]
    path.write_bytes(b"".join(records))
    return path


def test_an_excel_2_worksheet_is_named_by_its_format(tmp_path: Path) -> None:
    src = read_file(_biff2(tmp_path / "old.xls"), "old.xls")
    assert src.status == "error"
    assert src.message("zh") == ("old.xls: 这是 Excel 2.x (BIFF2) 工作表, 格式比 leadbook 能读的还旧; "
                                 "请用 Excel 或 WPS 打开, 另存为 .xlsx")
    assert src.message("en") == ("old.xls: an Excel 2.x (BIFF2) worksheet, a format older than "
                                 "leadbook reads; open it in Excel or WPS and save it as .xlsx")


def test_library_text_goes_to_the_log_not_the_message(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    good = tmp_path / "good.xlsx"
    wb = xlsxwriter.Workbook(str(good))
    ws = wb.add_worksheet("线索")
    ws.write_row(0, 0, ["客户姓名", "联系电话", "销售顾问"])
    ws.write_row(1, 0, ["王先生", "13800001111", "张伟"])
    wb.close()
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'r="A2"', b'r="A"')  # a cell reference with no row
            zout.writestr(info, data)
    with caplog.at_level(logging.INFO, logger="leadbook"):
        src = read_file(bad, "bad.xlsx")
    assert src.status == "error"
    assert src.message("zh") == ("bad.xlsx: 工作簿无法读取: 文件已损坏 (工作表「线索」无法读取); "
                                 "请用 Excel 或 WPS 打开, 重新另存为 .xlsx")
    assert src.message("en") == ("bad.xlsx: not a readable workbook: the file is damaged (sheet '线索' "
                                 "cannot be read); open it in Excel or WPS and save it again as .xlsx")
    _clean(src.message("zh"))
    _clean(src.message("en"))
    assert "Range is missing the expected row component" in caplog.text


@pytest.mark.slow
def test_the_v_log_has_the_library_text_the_message_has_not(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    data = (LEGACY / "plain.xls").read_bytes()
    (inbox / "half.xls").write_bytes(data[: len(data) // 2])
    args = [sys.executable, "-m", "leadbook", "process", str(inbox), "--out",
            str(tmp_path / "out"), "--as-of", "2026-11-22"]
    quiet = subprocess.run(args, capture_output=True, text=True, timeout=120)
    verbose = subprocess.run([*args, "-v"], capture_output=True, text=True, timeout=120)
    english = subprocess.run([*args, "--lang", "en"], capture_output=True, text=True, timeout=120)
    assert quiet.returncode == verbose.returncode == english.returncode == 1
    assert "half.xls: 工作簿无法读取" in quiet.stdout + quiet.stderr
    assert "half.xls: not a readable workbook" in english.stdout + english.stderr
    assert "olefile" not in quiet.stdout + quiet.stderr
    assert "olefile" not in english.stdout + english.stderr
    assert "olefile:" in verbose.stderr  # what the library said, for whoever debugs it


def _biff5(path: Path, codepage: int, cells: list[list[str]], sheet: str = "Leads") -> Path:
    """An Excel 5.0/95 workbook built to MS-XLS's BIFF5 layout: the workbook globals
    (BOF, CODEPAGE, BOUNDSHEET, EOF) and one worksheet of LABEL cells, in the text's
    code page, written into the ``Book`` stream of a compound file (the container of
    the committed excel95.xls, its stream overwritten in place, padded after EOF)."""
    encoding = {1252: "cp1252", 936: "gbk", 950: "big5"}[codepage]

    def rec(kind: int, data: bytes) -> bytes:
        return struct.pack("<HH", kind, len(data)) + data

    def bof(kind: int) -> bytes:
        return rec(0x0809, struct.pack("<HHHH", 0x0500, kind, 0x0DBB, 0x07CC))

    body = bof(0x0010)
    for r, row in enumerate(cells):
        for c, text in enumerate(row):
            data = text.encode(encoding)
            body += rec(0x0204, struct.pack("<HHHH", r, c, 0x0F, len(data)) + data)
    body += rec(0x000A, b"")
    name = sheet.encode(encoding)

    def globals_(offset: int) -> bytes:
        return (bof(0x0005) + rec(0x0042, struct.pack("<H", codepage))
                + rec(0x0085, struct.pack("<IHB", offset, 0, len(name)) + name)
                + rec(0x000A, b""))

    book = globals_(len(globals_(0))) + body
    path.write_bytes((LEGACY / "excel95.xls").read_bytes())
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        size = ole.get_size("Book")
        assert len(book) <= size
        ole.write_stream("Book", book + b"\0" * (size - len(book)))
    return path


def test_an_excel_95_workbook_the_reader_can_read_is_read(tmp_path: Path) -> None:
    """A single-byte code page (1252, Western Windows): read as it is, cell for cell.
    (Its headers cannot be the Chinese ones of a lead card, so the sheet is then
    ignored for its headers, like any sheet leadbook does not know.)"""
    from leadbook.read.grid import load_grids

    cells = [["Customer", "Phone", "Consultant", "First contact", "Horizon"],
             ["Wang", "13800000001", "Zhang Wei", "2026-11-02", "3 months"],
             ["Müller", "13800000002", "Li Na", "2026-11-03", "6 months"]]
    path = _biff5(tmp_path / "old95.xls", 1252, cells)
    sheets, _ = load_grids(path, "xls")
    assert [(s.name, s.cells) for s in sheets] == [("Leads", cells)]
    src = read_file(path, "old95.xls")
    assert src.status == "ok", src.message("zh")
    assert [(s.name, s.kind) for s in src.sheets] == [("Leads", SheetKind.IGNORED)]


@pytest.mark.parametrize("codepage,name,cells", [
    (936, "GBK", [["客户姓名", "联系电话", "销售顾问"], ["王先生", "13800000001", "张伟"]]),
    (950, "Big5", [["客戶姓名", "聯絡電話", "銷售顧問"], ["王先生", "13800000001", "張偉"]]),
])
def test_an_excel_95_workbook_in_a_chinese_code_page_is_named(
        tmp_path: Path, codepage: int, name: str, cells: list[list[str]]) -> None:
    path = _biff5(tmp_path / "old95.xls", codepage, cells, cells[0][0][:2])
    # The workbook reader opens it, but its Chinese text comes out as gibberish.
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    assert book.get_sheet_by_index(0).to_python()[0][0] != cells[0][0]
    src = read_file(path, "old95.xls")
    assert src.status == "error"
    assert src.message("zh") == (
        f"old95.xls: 这是 Excel 5.0/95 工作簿 (BIFF5), 文字使用代码页 {codepage} ({name}), "
        "leadbook 无法读取; 请用 Excel、WPS 或 LibreOffice 打开, 另存为 .xlsx")
    assert src.message("en") == (
        f"old95.xls: an Excel 5.0/95 workbook (BIFF5) whose text is in code page {codepage} "
        f"({name}), which leadbook cannot read; open it in Excel, WPS or LibreOffice and save "
        "it as .xlsx")

"""Reading an inbox: the committed fixtures (tests/fixtures/reader/), and hostile files."""

from __future__ import annotations

import hashlib
import os
import shutil
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest

from leadbook.model import Severity, SheetKind
from leadbook.read import read_file, read_inbox

FIXTURES = Path(__file__).parent / "fixtures" / "reader"
FIXTURE_NAMES = ["daily.xlsx", "gbk_leads.csv", "html_as.xls", "lo_leads.xlsx",
                 "trad_two_row.xlsx", "wps_leads.xls"]


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def fixtures_read(tmp_path_factory) -> dict:
    inbox = tmp_path_factory.mktemp("fixtures")
    for name in FIXTURE_NAMES:
        shutil.copy2(FIXTURES / name, inbox / name)
    return {f.name: f for f in read_inbox(inbox)}


def _kinds(src) -> list[tuple[str, str, bool]]:
    return [(s.name, s.kind.value, s.hidden) for s in src.sheets]


def test_every_fixture_is_read(fixtures_read) -> None:
    assert list(fixtures_read) == FIXTURE_NAMES  # sorted by name
    for src in fixtures_read.values():
        assert (src.status, src.message("zh")) == ("ok", "")
        assert src.issues == []


def test_libreoffice_leads_with_title_group_row_and_two_row_header(fixtures_read) -> None:
    src = fixtures_read["lo_leads.xlsx"]
    assert src.format == "xlsx" and _kinds(src) == [("意向客户", "leads", False)]
    [sheet] = src.sheets
    assert (sheet.header_row, sheet.header_rows, sheet.width) == (3, 2, 12)
    assert sheet.columns == {"name": 1, "phone": 2, "consultant": 3, "first_contact": 4,
                             "last_contact": 5, "next_contact": 6, "model": 7, "horizon": 8,
                             "source": 9, "grade": 10, "status": 11}
    assert sheet.headers["next_contact"] == "下次跟进日期（计划）"
    # twelve leads on rows 4–16, row 10 left blank between the weeks
    assert [r for r, _ in sheet.rows] == [4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16]
    first = sheet.rows[0][1]
    assert first[1:4] == ["王先生", 13800138001, "张伟"]
    assert sheet.rows[2][1][4] == "2026/11/4"  # a date typed as text stays text


def test_legacy_xls_with_a_hidden_sheet(fixtures_read) -> None:
    src = fixtures_read["wps_leads.xls"]
    assert src.format == "xls"
    assert _kinds(src) == [("客户跟进表", "leads", False), ("下拉选项", "ignored", True)]
    sheet = src.sheets[0]
    assert (sheet.header_row, sheet.header_rows) == (2, 1)
    assert [r for r, _ in sheet.rows] == list(range(3, 15))
    assert sheet.columns["phone"] == 1 and sheet.headers["phone"] == "手机号码"


def test_gbk_csv(fixtures_read) -> None:
    src = fixtures_read["gbk_leads.csv"]
    assert src.format == "csv" and _kinds(src) == [("gbk_leads", "leads", False)]
    sheet = src.sheets[0]
    assert sheet.header_row == 1 and [r for r, _ in sheet.rows] == list(range(2, 14))
    assert sheet.rows[1][1][:3] == ["李女士", "139-1234-0002", "李娜"]
    assert sheet.rows[3][1][1] == "+86 136 0000 0004"


def test_traditional_two_row_header_with_total_and_hidden_instructions(fixtures_read) -> None:
    src = fixtures_read["trad_two_row.xlsx"]
    assert _kinds(src) == [("客戶名單", "leads", False), ("填表說明", "ignored", True)]
    sheet = src.sheets[0]
    assert (sheet.header_row, sheet.header_rows, sheet.width) == (2, 2, 7)
    assert sheet.columns == {"name": 0, "phone": 1, "consultant": 2, "first_contact": 3,
                             "horizon": 4, "grade": 5, "status": 6}
    assert sheet.headers["consultant"] == "銷售顧問"
    # rows 3–6, blank row 7, rows 8–11; the 合計 row 12 is not data
    assert [r for r, _ in sheet.rows] == [3, 4, 5, 6, 8, 9, 10, 11]


def test_daily_report(fixtures_read) -> None:
    src = fixtures_read["daily.xlsx"]
    assert _kinds(src) == [("11月日报", "activity", False)]
    sheet = src.sheets[0]
    assert (sheet.header_row, sheet.width) == (2, 10)
    assert list(sheet.columns) == ["date", "consultant", "traffic", "kept", "calls",
                                   "invited_visits", "test_drives", "orders", "deliveries", "lost"]
    assert [r for r, _ in sheet.rows] == [3, 4, 5, 6, 7, 8]  # 合计 on row 9 is not data


def test_html_saved_as_xls(fixtures_read) -> None:
    src = fixtures_read["html_as.xls"]
    assert src.format == "html" and _kinds(src) == [("Sheet1", "leads", False)]
    sheet = src.sheets[0]
    assert (sheet.header_row, sheet.header_rows) == (3, 2)
    assert sheet.columns == {"name": 0, "phone": 1, "consultant": 2, "model": 3,
                             "first_contact": 4, "grade": 5, "status": 6}
    assert [r for r, _ in sheet.rows] == list(range(4, 16))
    assert sheet.rows[0][1][:3] == ["王先生", "13800138001", "张伟"]


def test_inputs_stay_byte_identical(tmp_path: Path) -> None:
    for name in FIXTURE_NAMES:
        shutil.copy2(FIXTURES / name, tmp_path / name)
    before = _digests(tmp_path)
    stat_before = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    read_inbox(tmp_path)
    assert _digests(tmp_path) == before
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == stat_before


# ----------------------------------------------------------- hostile files


def _xlsx(path: Path, rows: list[list]) -> Path:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


LEAD_ROWS = [["客户姓名", "联系电话", "销售顾问", "状态"],
             ["王先生", "13800138000", "张伟", "跟进中"]]


def _encrypted_ooxml(path: Path) -> Path:
    """An OLE compound file as Excel writes a password-protected .xlsx (MS-OFFCRYPTO).

    Sector 0 is the FAT, sector 1 the directory, then two 4 KiB streams
    (EncryptionInfo, EncryptedPackage) so no mini stream is needed.
    """
    end, free, fat_sect, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    stream_sectors = 8
    fat = [fat_sect, end]
    for start in (2, 2 + stream_sectors):
        fat += [start + i + 1 for i in range(stream_sectors - 1)] + [end]
    fat += [free] * (128 - len(fat))
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<109I", 0, *([free] * 108)))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        raw = (name + "\0").encode("utf-16-le") if name else b""
        return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1)
                + struct.pack("<III", nostream, right, child) + bytes(16 + 4 + 16)
                + struct.pack("<IQ", start, size))

    directory = (entry("Root Entry", 5, 1, nostream, end, 0)
                 + entry("EncryptionInfo", 2, nostream, 2, 2, 4096)
                 + entry("EncryptedPackage", 2, nostream, nostream, 2 + stream_sectors, 4096)
                 + entry("", 0, nostream, nostream, 0, 0))
    body = struct.pack("<128I", *fat) + directory + os.urandom(2 * 4096)
    path.write_bytes(header + body)
    return path


def _with_doctype(xml: str, root: str, uri: str) -> str:
    doctype = f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "{uri}">]>'
    head, sep, rest = xml.partition("?>")
    return head + sep + doctype + rest if sep else doctype + xml


def _xxe(path: Path, secret_file: Path) -> Path:
    """An xlsx whose shared strings, sheet and workbook declare an external entity
    pointing at a local file, and use it in a cell."""
    import xlsxwriter

    plain = path.with_name("plain.xlsx")
    wb = xlsxwriter.Workbook(plain)
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["客户姓名", "联系电话", "销售顾问", "备注"])
    ws.write_row(1, 0, ["王先生", "13800138000", "张伟", "见附注"])
    wb.close()
    uri = secret_file.as_uri()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        names = src.namelist()
        assert "xl/sharedStrings.xml" in names
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/sharedStrings.xml":
                data = _with_doctype(data.decode().replace("见附注", "&xxe;"), "sst", uri).encode()
            elif info.filename == "xl/workbook.xml":
                data = _with_doctype(data.decode(), "workbook", uri).encode()
            out.writestr(info, data)
    plain.unlink()
    return path


@pytest.fixture()
def hostile_inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    good = _xlsx(inbox / "good.xlsx", LEAD_ROWS)
    data = good.read_bytes()
    (inbox / "truncated.xlsx").write_bytes(data[: len(data) // 2])
    (inbox / "random.xlsx").write_bytes(os.urandom(4096))
    (inbox / "csv_named.xlsx").write_text("客户姓名,联系电话,销售顾问\n王先生,138,张伟\n",
                                          encoding="utf-8")
    _encrypted_ooxml(inbox / "locked.xlsx")
    (inbox / "~$good.xlsx").write_bytes(b"\x05owner" + bytes(100))
    (inbox / ".~lock.good.xlsx#").write_text(",user,host,22.11.2026 10:00,file:///;", "utf-8")
    (inbox / ".hidden.xlsx").write_bytes(data)
    (inbox / "notes.txt").write_text("周会记录", encoding="utf-8")
    (inbox / "leadbook.toml").write_text('store = "测试店"\n', encoding="utf-8")
    (inbox / "archive").mkdir()
    shutil.copy2(good, inbox / "archive" / "old.xlsx")
    return inbox


def test_hostile_inbox(hostile_inbox: Path) -> None:
    files = {f.name: f for f in read_inbox(hostile_inbox)}
    assert list(files) == [".hidden.xlsx", ".~lock.good.xlsx#", "csv_named.xlsx", "good.xlsx",
                           "locked.xlsx", "notes.txt", "random.xlsx", "truncated.xlsx",
                           "~$good.xlsx"]
    status = {name: (f.status, f.message("zh")) for name, f in files.items()}
    english = {name: (f.status, f.message("en")) for name, f in files.items()}
    assert status[".hidden.xlsx"] == ("skipped", "已跳过: 隐藏文件")
    assert english[".hidden.xlsx"] == ("skipped", "skipped: hidden file")
    lock = status[".~lock.good.xlsx#"]
    assert lock[0] == "skipped" and "LibreOffice" in lock[1] and "锁定文件" in lock[1]
    assert "LibreOffice" in english[".~lock.good.xlsx#"][1]
    assert status["~$good.xlsx"][0] == "skipped" and "临时文件" in status["~$good.xlsx"][1]
    assert "owner file" in english["~$good.xlsx"][1]
    assert status["notes.txt"][0] == "skipped" and "不是表格文件" in status["notes.txt"][1]
    assert "not a spreadsheet" in english["notes.txt"][1]

    assert status["good.xlsx"] == english["good.xlsx"] == ("ok", "")
    assert files["good.xlsx"].sheets[0].kind is SheetKind.LEADS

    assert status["truncated.xlsx"][0] == "error"
    assert status["truncated.xlsx"][1].startswith("truncated.xlsx: 工作簿无法读取")
    assert english["truncated.xlsx"][1].startswith("truncated.xlsx: not a readable workbook")
    assert status["random.xlsx"][0] == "error"
    assert status["random.xlsx"][1].startswith("random.xlsx: 不是 leadbook 能读取的表格")
    assert english["random.xlsx"][1].startswith("random.xlsx: not a spreadsheet")
    assert status["locked.xlsx"][0] == "error" and "打开密码" in status["locked.xlsx"][1]
    assert "password" in english["locked.xlsx"][1]
    for name in ("truncated.xlsx", "random.xlsx", "locked.xlsx"):
        assert files[name].sheets == [] and files[name].issues == []

    # CSV text under an .xlsx name is read as CSV, with a warning.
    csv_named = files["csv_named.xlsx"]
    assert (csv_named.status, csv_named.format) == ("ok", "csv")
    assert csv_named.sheets[0].kind is SheetKind.LEADS
    assert [(i.code, i.severity) for i in csv_named.issues] == [
        ("format_mismatch", Severity.WARNING)]


def test_damaged_part_inside_a_sound_zip(tmp_path: Path) -> None:
    good = _xlsx(tmp_path / "good.xlsx", LEAD_ROWS)
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(tmp_path / "bad.xlsx", "w") as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # cut in the middle of the XML
            out.writestr(info, data)
    src = read_file(tmp_path / "bad.xlsx", "bad.xlsx")
    assert src.status == "error" and src.message("zh").startswith("bad.xlsx: 工作簿无法读取")
    assert src.message("en").startswith("bad.xlsx: not a readable workbook")


def test_external_entities_are_never_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-4711", encoding="utf-8")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    _xxe(inbox / "xxe.xlsx", secret)
    [src] = read_inbox(inbox)
    cells = [v for sheet in src.sheets for _, row in sheet.rows for v in row]
    assert not any("TOP-SECRET" in str(v) for v in cells)
    assert "TOP-SECRET" not in src.message("zh") and "TOP-SECRET" not in src.message("en")
    # refused before any part is parsed
    assert src.status == "error" and "文档类型 (DOCTYPE)" in src.message("zh")
    assert "document type (DOCTYPE)" in src.message("en")


def test_a_declared_but_unused_entity_is_refused_too(tmp_path: Path) -> None:
    """No part of a package declaring a document type is parsed, used or not."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-4711", encoding="utf-8")
    path = _xxe(tmp_path / "xxe.xlsx", secret)
    unused = tmp_path / "unused.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(unused, "w") as out:
        for info in src.infolist():
            out.writestr(info, src.read(info).replace(b"&xxe;", b"plain"))
    got = read_file(unused, "unused.xlsx")
    assert got.status == "error"
    assert got.message("zh").startswith("unused.xlsx: 已拒绝: 部件 ")
    assert "文档类型" in got.message("zh") and "TOP-SECRET" not in got.message("zh")
    assert got.message("en").startswith("unused.xlsx: refused: its part ")
    assert "document type" in got.message("en") and "TOP-SECRET" not in got.message("en")
    assert got.sheets == []


def test_a_missing_file_is_an_error_not_an_exception(tmp_path: Path) -> None:
    src = read_file(tmp_path / "gone.xlsx", "gone.xlsx")
    assert src.status == "error" and src.message("zh").startswith("gone.xlsx: ")


def test_header_issues_reach_the_file(tmp_path: Path) -> None:
    _xlsx(tmp_path / "nophone.xlsx", [["客户姓名", "销售顾问", "意向车型"],
                                      ["王先生", "张伟", "星越L"]])
    [src] = read_inbox(tmp_path)
    assert src.status == "ok"
    assert [(i.code, i.row, i.severity) for i in src.issues] == [
        ("missing_column", 1, Severity.ERROR)]


@pytest.mark.slow
def test_reading_several_files_at_once_gives_what_one_at_a_time_gives(tmp_path: Path) -> None:
    """--jobs reads the inbox's files in threads (the parser works outside the
    interpreter's lock): every file, sheet, row, cell and issue as read one by one,
    in name order, a damaged file among them."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for folder in (FIXTURES, Path(__file__).parent / "fixtures" / "messy"):
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() in (".xlsx", ".xls", ".csv"):
                shutil.copy2(path, inbox / f"{folder.name}_{path.name}")
    (inbox / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (inbox / "notes.txt").write_text("not a sheet", encoding="utf-8")
    one = read_inbox(inbox)
    several = read_inbox(inbox, jobs=3)
    assert [f.name for f in several] == sorted(f.name for f in several)
    assert len(one) >= 12
    assert several == one
    assert {f.status for f in one} == {"ok", "error", "skipped"}

"""Hostile and broken inputs, and outputs that cannot be written (domain.md §9).

Every hostile file is made here, in tmp_path: damaged workbooks, a 1 GiB zip
bomb, workbooks declaring XML entities, formula-like text. Whatever comes in,
the other files are still processed, nothing raises, the inputs stay byte for
byte as they were, and every output is either complete or absent.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from cards import rows_of
from click.testing import CliRunner, Result

import leadbook.write.annotated_grid
import leadbook.write.atomic
import leadbook.write.report_xlsx
import leadbook.write.split
import leadbook.write.xlsx_package
from leadbook.cli import main
from leadbook.config import Config
from leadbook.outputs import write_outputs
from leadbook.pipeline import analyse
from leadbook.read import load_grids, read_file
from leadbook.write.atomic import TEMP_PREFIX

AS_OF = dt.date(2026, 11, 22)
MESSY = Path(__file__).parent / "fixtures" / "messy"
MIB = 1 << 20
HEADER = ["客户姓名", "联系电话", "销售顾问", "首次接触日期", "预计购车时间", "客户级别", "状态",
          "备注"]


def good_workbook(path: Path, rows: list[list[Any]] | None = None) -> Path:
    """A plain lead workbook (XlsxWriter: shared strings), text always written as text."""
    rows = rows or [
        ["王先生", "13800001001", "张伟", "2026-11-02", "1个月内", "A", "跟进中", "看过星越L"],
        ["李女士", "13800001002", "李娜", "2026-11-03", "3个月内", "B", "跟进中", None],
    ]
    wb = xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_numbers": False})
    ws = wb.add_worksheet("意向客户")
    ws.write_row(0, 0, HEADER)
    for r, row in enumerate(rows, 1):
        for c, value in enumerate(row):
            if value is not None:
                ws.write_string(r, c, str(value))
    wb.close()
    return path


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def process(inbox: Path, out: Path, *extra: str) -> Result:
    """Run the command line in-process; inputs must come out byte for byte as they went in."""
    before = digests(inbox)
    result = CliRunner().invoke(
        main, ["process", str(inbox), "--out", str(out), "--as-of", AS_OF.isoformat(),
               "--jobs", "1", "--no-history", *extra], catch_exceptions=False)
    assert digests(inbox) == before
    assert "Traceback" not in result.output
    return result


def summary_of(out: Path) -> dict[str, Any]:
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


def files_of(out: Path) -> dict[str, dict[str, Any]]:
    return {f["path"]: f for f in summary_of(out)["files"]}


def temp_files(out: Path) -> list[Path]:
    return [p for p in out.rglob("*") if p.name.startswith(TEMP_PREFIX)]


@pytest.fixture()
def inbox(tmp_path: Path) -> Path:
    box = tmp_path / "inbox"
    box.mkdir()
    good_workbook(box / "good.xlsx")
    return box


# --------------------------------------------------------------------------
# Damaged files
# --------------------------------------------------------------------------


@pytest.mark.slow
def test_damaged_files_are_errors_and_the_rest_is_processed(inbox: Path, tmp_path: Path) -> None:
    whole = (inbox / "good.xlsx").read_bytes()
    (inbox / "truncated.xlsx").write_bytes(whole[: len(whole) // 2])
    (inbox / "random.xlsx").write_bytes(random.Random(7).randbytes(20_000))
    (inbox / "zipped_junk.xlsx").write_bytes(b"PK\x03\x04" + random.Random(8).randbytes(3_000))
    (inbox / "empty.xlsx").write_bytes(b"")
    # The central directory survives, one part's data does not.
    broken = bytearray(whole)
    start = whole.index(b"xl/worksheets/sheet1.xml") + 40
    broken[start:start + 200] = bytes(200)
    (inbox / "bad_part.xlsx").write_bytes(bytes(broken))
    out = tmp_path / "out"
    result = process(inbox, out)
    assert result.exit_code == 1
    files = files_of(out)
    assert files["good.xlsx"]["status"] == "ok"
    assert files["good.xlsx"]["sheets"] == [{"name": "意向客户", "kind": "leads", "rows": 2}]
    english_out = tmp_path / "out_en"
    english = process(inbox, english_out, "--lang", "en")
    assert english.exit_code == 1
    expected = {  # (Chinese, English)
        "truncated.xlsx": ("文件已损坏或不完整", "damaged or incomplete"),
        "random.xlsx": ("不是 leadbook 能读取的表格", "not a spreadsheet"),
        "zipped_junk.xlsx": ("文件已损坏或不完整", "damaged or incomplete"),
        "empty.xlsx": ("文件是空的", "empty"),
        "bad_part.xlsx": ("工作簿无法读取", "not a readable workbook"),
    }
    for name, said in expected.items():
        for got, (outcome, words) in ((files, (result, said[0])),
                                      (files_of(english_out), (english, said[1]))):
            entry = got[name]
            assert entry["status"] == "error", name
            assert entry["message"].startswith(f"{name}: ") and words in entry["message"], entry
            assert entry["sheets"] == []
            head = "错误" if outcome is result else "Error"
            assert f"{head}: {entry['message']}\n" in outcome.output  # the name said once
    # Everything was still written, for the files that could be read.
    for part in ("summary.json", "report.xlsx", "summary.html", "annotated/good.xlsx"):
        assert (out / part).is_file(), part
    assert not (out / "annotated" / "truncated.xlsx").exists()
    assert summary_of(out)["leads"]["rows"] == 2


def _looping_chain(data: bytearray) -> None:
    """The directory's first sector made to point at itself in the FAT."""
    dir_start = struct.unpack_from("<I", data, 48)[0]
    fat_sector = struct.unpack_from("<I", data, 76)[0]  # the FAT's first sector
    struct.pack_into("<I", data, (fat_sector + 1) * 512 + dir_start * 4, dir_start)


def _huge_dimensions(data: bytearray) -> None:
    """The first sheet's DIMENSIONS record claims 8,388,623 rows (an .xls holds 65,536)."""
    record = struct.pack("<HHIIHHH", 0x0200, 14, 0, 15, 0, 10, 0)
    at = data.index(record)
    struct.pack_into("<I", data, at + 8, 8_388_623)


@pytest.mark.parametrize(("damage", "words"), [
    (_looping_chain, ("目录的扇区链已损坏", "the sector chain of the directory is broken")),
    (_huge_dimensions, ("行 0–8,388,623", "rows 0–8,388,623")),
])
@pytest.mark.slow
def test_a_damaged_xls_is_refused_before_it_is_parsed(
        inbox: Path, tmp_path: Path, damage: Any, words: tuple[str, str]) -> None:
    """A legacy .xls damaged where the workbook parser would reserve memory until the
    process is killed (a sector chain looping back on itself, a sheet claiming millions of
    rows). It is refused with a message, the other files are read.

    The read runs in a child process, so a regression shows as a failed test, not a
    killed test run.
    """
    data = bytearray((MESSY / "wps_leads.xls").read_bytes())
    damage(data)
    damaged = inbox / "damaged.xls"
    damaged.write_bytes(bytes(data))
    child = subprocess.run(
        [sys.executable, "-c",
         "import sys; from pathlib import Path; from leadbook.read import read_file; "
         "src = read_file(Path(sys.argv[1]), 'damaged.xls'); print(src.status); "
         "print(src.message('zh')); print(src.message('en'))",
         str(damaged)],
        capture_output=True, text=True, timeout=120, env={**os.environ, "RUST_BACKTRACE": "0"})
    assert child.returncode == 0, child.stderr[-500:]
    status, message, english = child.stdout.splitlines()[:3]
    assert status == "error"
    assert message.startswith("damaged.xls: 工作簿无法读取: 这个 .xls 文件已损坏")
    assert words[0] in message
    assert english.startswith("damaged.xls: not a readable workbook: the .xls file is damaged")
    assert words[1] in english
    out = tmp_path / "out"
    result = process(inbox, out)
    assert result.exit_code == 1
    assert files_of(out)["good.xlsx"]["status"] == "ok"


def _with_sheet_data(path: Path, like: Path, sheet_data: str) -> Path:
    """``like`` with its lead sheet's rows replaced by ``sheet_data`` (raw XML)."""
    with zipfile.ZipFile(like) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                head, rest = text.split("<sheetData>", 1)
                text = (head + "<sheetData>" + sheet_data + "</sheetData>"
                        + rest.split("</sheetData>", 1)[1])
                text = re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1"/>', text)
                data = text.encode("utf-8")
            out.writestr(info, data)
    return path


def _read_in_child(path: Path) -> tuple[str, str, str]:
    """(status, message in Chinese, in English) of reading ``path`` in a child process, so
    that a parser which aborts shows as a failed test rather than a killed test run."""
    child = subprocess.run(
        [sys.executable, "-c",
         "import sys; from pathlib import Path; from leadbook.read import read_file; "
         "src = read_file(Path(sys.argv[1]), Path(sys.argv[1]).name); "
         "print(src.status); print(src.message('zh')); print(src.message('en'))", str(path)],
        capture_output=True, text=True, timeout=120, env={**os.environ, "RUST_BACKTRACE": "0"})
    assert child.returncode == 0, child.stderr[-300:]
    status, message, english = (child.stdout.splitlines() + ["", ""])[:3]
    return status, message, english


HEAD_ROW = ('<row r="1"><c r="A1" t="inlineStr"><is><t>客户姓名</t></is></c>'
            '<c r="B1" t="inlineStr"><is><t>联系电话</t></is></c>'
            '<c r="C1" t="inlineStr"><is><t>销售顾问</t></is></c></row>'
            '<row r="2"><c r="A2" t="inlineStr"><is><t>王先生</t></is></c>'
            '<c r="B2" t="inlineStr"><is><t>13800001001</t></is></c>'
            '<c r="C2" t="inlineStr"><is><t>张伟</t></is></c></row>')


@pytest.mark.parametrize(("name", "rows", "corner"), [
    # one value typed in the last cell a sheet has
    ("far.xlsx", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', "XFD1048576"),
    # a row reference far down, with cells placed by counting across 20,000 columns
    ("counted.xlsx", '<row r="1048576">' + "<c><v>1</v></c>" * 20_000 + "</row>", "ACOF1048576"),
    # a cell whose reference disagrees with its row
    ("stray.xlsx", '<row r="3"><c r="ZZ999999"><v>1</v></c></row>', "ZZ999999"),
])
@pytest.mark.slow
def test_a_used_area_too_large_to_read_is_refused_before_parsing(
        inbox: Path, tmp_path: Path, name: str, rows: str, corner: str) -> None:
    """The workbook parser builds a dense grid from A1 to the farthest value: one value
    in XFD1048576 asks for 17 billion cells and the process aborts. Such a sheet is
    refused with a message naming it and the cell, and the other files are read."""
    path = _with_sheet_data(inbox / name, inbox / "good.xlsx", HEAD_ROW + rows)
    status, message, english = _read_in_child(path)
    assert status == "error"
    assert message.startswith(f"{name}: 已拒绝: 工作表「意向客户」的数据一直到单元格 {corner}")
    assert "Ctrl+End" in message
    assert english.startswith(f"{name}: refused: sheet '意向客户' has values as far as cell "
                              f"{corner}")
    assert "Ctrl+End" in english
    result = process(inbox, tmp_path / "out")
    assert result.exit_code == 1
    files = files_of(tmp_path / "out")
    assert files[name]["status"] == "error"
    assert files["good.xlsx"]["status"] == "ok"


@pytest.mark.slow
def test_a_parser_that_aborts_on_a_sheet_too_large_is_explained(
        inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reading child checks the used area while the parser reads. Should the parser
    abort first (on a far cell it asks for 17 billion cells), the child ends without
    a result, and the run says what the check says: the sheet and the cell."""
    import leadbook.read

    path = _with_sheet_data(inbox / "far.xlsx", inbox / "good.xlsx",
                            HEAD_ROW + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    real = leadbook.read.load_grids

    def aborts(file: Path, fmt: str) -> Any:
        if file.name == "far.xlsx":
            os.abort()  # as a failed allocation does, before the check is seen
        return real(file, fmt)

    monkeypatch.setattr(leadbook.read, "load_grids", aborts)
    result = process(inbox, tmp_path / "out")
    assert result.exit_code == 1
    files = files_of(tmp_path / "out")
    assert files["good.xlsx"]["status"] == "ok"
    assert files[path.name]["status"] == "error"
    # (summary.json masks the row number's run of digits like a phone number's)
    message = files[path.name]["message"]
    assert message.startswith("far.xlsx: 已拒绝: 工作表「意向客户」的数据一直到单元格 XFD")
    assert "17,179,869,184 个单元格" in message and "Ctrl+End" in message


@pytest.mark.parametrize(("rows", "height", "width"), [
    # formatted blank cells far away hold no value: the parser does not reach them
    ('<row r="1048576"><c r="XFD1048576" s="0"/></row>', 2, 3),
    # a stray value inside the limit is read, the grid as large as it is
    ('<row r="200000"><c r="AB200000"><v>7</v></c></row>', 200_000, 28),
])
@pytest.mark.slow
def test_a_large_but_readable_used_area_is_read(
        tmp_path: Path, rows: str, height: int, width: int) -> None:
    like = good_workbook(tmp_path / "like.xlsx")
    path = _with_sheet_data(tmp_path / "wide.xlsx", like, HEAD_ROW + rows)
    src = read_file(path, "wide.xlsx")
    assert src.status == "ok", src.message("zh")
    [sheet], _ = load_grids(path, "xlsx")
    assert (len(sheet.cells), max(len(r) for r in sheet.cells)) == (height, width)
    assert [row for _, row in src.sheets[0].rows][0][:3] == ["王先生", "13800001001", "张伟"]


def test_a_date_cell_far_outside_the_calendar_is_an_issue(tmp_path: Path) -> None:
    """A date-formatted cell holding -123456789012 (Excel shows ####): the workbook
    parser cannot make a date of it. The row is kept and the cell named in an issue;
    the other date cells of the sheet are still dates."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "意向客户"
    ws.append(["客户姓名", "联系电话", "销售顾问", "首次接触日期", "最近跟进日期"])
    ws.append(["王先生", "13800001001", "张伟", dt.datetime(2026, 11, 2),
               dt.datetime(2026, 11, 9, 14, 30)])
    ws.append(["李女士", "13800001002", "李娜", -123456789012, None])
    ws.append(["赵敏", "13800001003", "张伟", dt.datetime(2026, 11, 4), None])
    for row in (2, 3, 4):
        ws.cell(row, 4).number_format = "yyyy-mm-dd"
    ws.cell(2, 5).number_format = "yyyy-mm-dd hh:mm"
    wb.save(inbox / "wild_date.xlsx")
    analysis = analyse(inbox, Config(), AS_OF)
    assert [f.status for f in analysis.files] == ["ok"]
    leads = {lead.row: lead for lead in rows_of(analysis.leads)}
    assert sorted(leads) == [2, 3, 4]
    assert leads[2].first_contact == dt.date(2026, 11, 2)
    assert leads[2].last_contact == dt.date(2026, 11, 9)
    assert leads[4].first_contact == dt.date(2026, 11, 4)
    assert leads[3].first_contact is None
    bad = [(i.row, i.column, i.code) for i in analysis.outcome.issues if i.code == "bad_date"]
    assert bad == [(3, "首次接触日期", "bad_date")]


# --------------------------------------------------------------------------
# A 1 GiB zip bomb
# --------------------------------------------------------------------------


def _deflated_zeros(mib: int) -> tuple[bytes, int]:
    """A raw deflate stream of ``mib`` MiB of zeros and its CRC-32, made in well under a second.

    Deflating the whole GiB with zipfile takes seconds. After a full flush the
    compressor starts afresh, so every MiB of zeros deflates to the same bytes:
    one MiB is deflated and its block repeated, the stream streamed by chunks.
    """
    zeros = bytes(MIB)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(zeros) + comp.flush(zlib.Z_FULL_FLUSH)
    assert comp.compress(zeros) + comp.flush(zlib.Z_FULL_FLUSH) == block
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(zeros, crc)
    return block * mib + comp.flush(), crc


def zip_bomb(path: Path, like: Path) -> Path:
    """``like`` with its sheet replaced by 1 GiB of zeros, deflated (about 1 MB on disk).

    The zip is written record by record (local headers, central directory),
    as any zip tool would lay it out; the sizes it declares are the true ones.
    """
    with zipfile.ZipFile(like) as src:
        members = [(i.filename, src.read(i)) for i in src.infolist()]
    local, central = bytearray(), bytearray()
    for name, data in members:
        if name == "xl/worksheets/sheet1.xml":
            packed, crc = _deflated_zeros(1024)
            size = 1024 * MIB
        else:
            comp = zlib.compressobj(6, zlib.DEFLATED, -15)
            packed, crc, size = comp.compress(data) + comp.flush(), zlib.crc32(data), len(data)
        raw = name.encode()
        offset = len(local)
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(packed),
                             size, len(raw), 0) + raw + packed
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc,
                               len(packed), size, len(raw), 0, 0, 0, 0, 0, offset) + raw
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central),
                      len(local), 0)
    path.write_bytes(bytes(local + central + end))
    return path


@pytest.mark.slow
def test_zip_bomb_is_refused_at_once(inbox: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    bomb = zip_bomb(inbox / "bomb.xlsx", inbox / "good.xlsx")
    assert bomb.stat().st_size < 2 * MIB
    with zipfile.ZipFile(bomb) as zf:  # a well-formed zip that really holds the zeros
        info = zf.getinfo("xl/worksheets/sheet1.xml")
        assert info.file_size == 1 << 30
        with zf.open(info) as part:
            assert part.read(4 * MIB) == bytes(4 * MIB)

    start = time.perf_counter()
    src = read_file(bomb, bomb.name)
    took = time.perf_counter() - start
    with capsys.disabled():
        print(f"\n1 GiB zip bomb refused in {took * 1000:.2f} ms")

    assert src.status == "error"
    assert src.message("zh").startswith("bomb.xlsx: 已拒绝: ")
    assert "1.0 GiB" in src.message("zh") and "不是真正的工作簿" in src.message("zh")
    assert src.message("en").startswith("bomb.xlsx: refused: ")
    assert "1.0 GiB" in src.message("en") and "not a real workbook" in src.message("en")

    out = tmp_path / "out"
    result = process(inbox, out)
    assert result.exit_code == 1
    files = files_of(out)
    assert files["bomb.xlsx"]["status"] == "error"
    assert files["good.xlsx"]["status"] == "ok"
    assert "错误: bomb.xlsx: 已拒绝" in result.output
    assert "Error: bomb.xlsx: refused" in process(inbox, tmp_path / "out_en", "--lang", "en").output


# --------------------------------------------------------------------------
# XML entities
# --------------------------------------------------------------------------

SECRET = "SECRET-7f3a-DO-NOT-LEAK"


def _with_doctype(path: Path, like: Path, part: str, doctype: str, use: str | None) -> Path:
    """``like`` with a document type declared in ``part``; ``use`` replaces a cell's text."""
    with zipfile.ZipFile(like) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == part:
                text = data.decode("utf-8")
                text = text.replace("?>", "?>" + doctype, 1)
                if use is not None:
                    text = text.replace("看过星越L", use)
                data = text.encode("utf-8")
            out.writestr(info, data)
    return path


def _xxe_cases(secret: Path) -> dict[str, tuple[str, str, str | None]]:
    uri = secret.as_uri()
    laughs = ('<!DOCTYPE sst [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
              '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
              '<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;">]>')
    return {
        # an external entity used in a cell
        "xxe_used.xlsx": ("xl/sharedStrings.xml",
                          f'<!DOCTYPE sst [<!ENTITY xxe SYSTEM "{uri}">]>', "&xxe;"),
        # declared, never used
        "xxe_unused.xlsx": ("xl/sharedStrings.xml",
                            f'<!DOCTYPE sst [<!ENTITY xxe SYSTEM "{uri}">]>', None),
        # a parameter entity pulling in the file inside the DTD
        "xxe_parameter.xlsx": ("xl/sharedStrings.xml",
                               f'<!DOCTYPE sst [<!ENTITY % p SYSTEM "{uri}"> %p;]>', None),
        # an external DTD
        "xxe_dtd.xlsx": ("xl/sharedStrings.xml", f'<!DOCTYPE sst SYSTEM "{uri}">', None),
        # in the workbook part, which several readers parse
        "xxe_workbook.xlsx": ("xl/workbook.xml",
                              f'<!DOCTYPE workbook [<!ENTITY xxe SYSTEM "{uri}">]>', None),
        # entity expansion ("billion laughs")
        "laughs.xlsx": ("xl/sharedStrings.xml", laughs, "&d;"),
    }


def _all_text(out: Path) -> bytes:
    """Every byte of every output, zip parts inflated."""
    chunks = []
    for path in sorted(out.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        chunks.append(data)
        if data.startswith(b"PK"):
            with zipfile.ZipFile(path) as zf:
                chunks.extend(zf.read(i) for i in zf.infolist())
    return b"\n".join(chunks)


@pytest.mark.slow
def test_xml_entities_are_never_resolved(inbox: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    like = inbox / "good.xlsx"
    cases = _xxe_cases(secret)
    for name, (part, doctype, use) in cases.items():
        _with_doctype(inbox / name, like, part, doctype, use)
    # An HTML table under an .xls name declaring the same entity.
    (inbox / "xxe_page.xls").write_text(
        f'<!DOCTYPE html [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]><html><body><table>'
        "<tr><td>客户姓名</td><td>联系电话</td><td>销售顾问</td></tr>"
        "<tr><td>&xxe;</td><td>13800001009</td><td>张伟</td></tr></table></body></html>",
        encoding="utf-8")
    out = tmp_path / "out"
    result = process(inbox, out)
    assert result.exit_code in (0, 1)
    assert SECRET not in result.output
    assert SECRET.encode() not in _all_text(out)
    files = files_of(out)
    assert files["good.xlsx"]["status"] == "ok"
    # Every package declaring a document type is refused before any part is parsed,
    # whether its entities are used or not, naming the part that declares it.
    english_out = tmp_path / "out_en"
    english = process(inbox, english_out, "--lang", "en")
    assert SECRET not in english.output
    in_english = files_of(english_out)
    for name, (part, _, _) in cases.items():
        assert files[name]["status"] == in_english[name]["status"] == "error", name
        assert files[name]["message"] == (
            f"{name}: 已拒绝: 部件 {part} 声明了文档类型 (DOCTYPE), 也就是声明 XML 实体之处; "
            "Excel、WPS 和 LibreOffice 都不会这样写")
        assert in_english[name]["message"] == (
            f"{name}: refused: its part {part} declares a document type (DOCTYPE), "
            "where XML entities are declared; Excel, WPS and LibreOffice never write that")
    assert files["xxe_page.xls"]["status"] in ("ok", "error")
    assert SECRET not in json.dumps(files["xxe_page.xls"], ensure_ascii=False)


@pytest.mark.slow
def test_no_output_carries_a_document_type(inbox: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    part, doctype, use = _xxe_cases(secret)["xxe_unused.xlsx"]
    _with_doctype(inbox / "xxe_unused.xlsx", inbox / "good.xlsx", part, doctype, use)
    out = tmp_path / "out"
    process(inbox, out)
    assert files_of(out)["xxe_unused.xlsx"]["status"] == "error"
    # The HTML page's own "<!DOCTYPE html>" is the only one in any output.
    pages = sorted(out.rglob("*.html"))
    assert [p.read_bytes().count(b"<!DOCTYPE") for p in pages] == [1] * len(pages)
    assert all(p.read_bytes().startswith(b"<!DOCTYPE html>") for p in pages)
    assert _all_text(out).count(b"<!DOCTYPE") == len(pages)


# --------------------------------------------------------------------------
# Formula-like text stays text
# --------------------------------------------------------------------------

FORMULA_LIKE = ['=HYPERLINK("http://x","y")', "+SUM(1,2)", "-1+2", "@cmd"]
HTML_LIKE = "<script>alert(1)</script>"


@pytest.fixture()
def formula_inbox(tmp_path: Path) -> Path:
    box = tmp_path / "inbox"
    box.mkdir()
    rows = [[name, f"1380000200{i}", "张伟", "2026-10-02", "1个月内", "A", "跟进中", note]
            for i, (name, note) in enumerate(
                zip(FORMULA_LIKE, reversed(FORMULA_LIKE), strict=True), 1)]
    rows.append([HTML_LIKE, "=1+2", "李娜", "2026-10-03", "1个月内", "A", "跟进中", "@SUM(A1)"])
    good_workbook(box / "formulas.xlsx", rows)
    # The same as CSV text: its annotated copy is a new workbook, not a patched one.
    lines = [",".join(HEADER)]
    for row in rows:
        lines.append(",".join('"' + str(v or "").replace('"', '""') + '"' for v in row))
    (box / "formulas_csv.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return box


def _sheet_xml(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/sheet")}


def _formula_count(xml: bytes) -> int:
    return xml.count(b"<f>") + xml.count(b"<f ") + xml.count(b":f>") + xml.count(b":f ")


def _text_cells(path: Path) -> dict[str, list[str]]:
    """Formula-like text found in a workbook → the data types of its cells."""
    found: dict[str, list[str]] = {}
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
                    found.setdefault(cell.value, []).append(cell.data_type)
    return found


@pytest.mark.slow
def test_formula_like_text_stays_text_in_every_workbook(formula_inbox: Path,
                                                         tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = process(formula_inbox, out, "--split")
    assert result.exit_code == 0, result.output
    report = out / "report.xlsx"
    annotated = [out / "annotated" / "formulas.xlsx", out / "annotated" / "formulas_csv.xlsx"]
    split = sorted((out / "due").glob("*.xlsx"))
    assert split, "the per-consultant lists were not written"
    inputs = {out / "annotated" / "formulas.xlsx": formula_inbox / "formulas.xlsx"}
    for book in [report, *annotated, *split]:
        cells = _text_cells(book)
        assert cells, book
        for text, types in cells.items():
            assert set(types) == {"s"}, (book.name, text, types)
        # No formula element that the input did not have.
        source = inputs.get(book)
        had = sum(_formula_count(x) for x in _sheet_xml(source).values()) if source else 0
        assert sum(_formula_count(x) for x in _sheet_xml(book).values()) == had, book
    # Names reach the call list; the unreadable phone "=1+2" reaches 数据问题; as text.
    report_cells = _text_cells(report)
    for text in FORMULA_LIKE:
        assert text in report_cells, text
        for book in annotated:
            assert text in _text_cells(book), (book.name, text)
    assert "=1+2" in report_cells
    page = (out / "summary.html").read_text(encoding="utf-8")
    assert HTML_LIKE not in page and "<script>alert" not in page


# --------------------------------------------------------------------------
# Outputs: temporary name and rename, a crash half-way, a locked file
# --------------------------------------------------------------------------

OUTPUT_MODULES = [leadbook.write.atomic, leadbook.write.report_xlsx, leadbook.write.xlsx_package,
                  leadbook.write.annotated_grid, leadbook.write.split]


@pytest.mark.slow
def test_every_output_is_written_under_a_temporary_name_then_renamed(
        inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(MESSY / "gbk_leads.csv", inbox)
    renames: list[tuple[Path, Path]] = []
    real_replace = os.replace

    def spy(src: Any, dst: Any) -> None:
        renames.append((Path(src), Path(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    out = tmp_path / "out"
    assert process(inbox, out, "--split").exit_code == 0
    written = {p for p in out.rglob("*") if p.is_file()}
    assert {dst for _, dst in renames} == written
    for src, dst in renames:
        assert src.parent == dst.parent and src.name.startswith(TEMP_PREFIX)
    assert not temp_files(out)


def _crash_on(monkeypatch: pytest.MonkeyPatch, victim: str) -> None:
    """The process dies while ``victim`` is being written: after its temporary file holds
    data, before the rename."""
    real = leadbook.write.atomic.atomic_path

    @contextlib.contextmanager
    def dying(target: Path) -> Iterator[Path]:
        with real(target) as tmp:
            yield tmp
            if Path(target).name == victim:
                assert tmp.stat().st_size > 0  # a half-written file exists at this moment
                raise RuntimeError(f"killed while writing {victim}")

    for module in OUTPUT_MODULES:
        if hasattr(module, "atomic_path"):
            monkeypatch.setattr(module, "atomic_path", dying)


@pytest.mark.slow
@pytest.mark.parametrize("victim", ["summary.json", "report.xlsx", "summary.html", "good.xlsx"])
def test_a_crash_half_way_leaves_no_half_written_output(
        inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, victim: str) -> None:
    analysis = analyse(inbox, Config(), AS_OF)
    fresh, earlier = tmp_path / "fresh", tmp_path / "earlier"
    write_outputs(analysis, earlier)
    before = digests(earlier)
    _crash_on(monkeypatch, victim)
    for out in (fresh, earlier):
        try:
            written = write_outputs(analysis, out)
        except RuntimeError as exc:
            assert victim in str(exc)
        else:  # the failure is reported and the other outputs are written
            assert [e for e in written.errors if victim in e], written.errors
        assert not temp_files(out), out
    # Fresh folder: the file is absent, never half there. Earlier run: unchanged.
    assert victim not in {p.name for p in fresh.rglob("*")}
    target = next(k for k in before if Path(k).name == victim)
    assert digests(earlier)[target] == before[target]


@pytest.mark.slow
@pytest.mark.parametrize("locked", ["report.xlsx", "good.xlsx"])
def test_a_locked_output_is_a_clear_error(inbox: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch, locked: str) -> None:
    """Excel holds the file open (Windows refuses the rename): exit 1, the file named."""
    real_replace = os.replace

    def refuse(src: Any, dst: Any) -> None:
        if Path(dst).name == locked:
            raise PermissionError(13, "Permission denied", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", refuse)
    out = tmp_path / "out"
    result = process(inbox, out)
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("错误:")]
    assert len(errors) == 1
    assert locked in errors[0] and "文件正被另一个程序打开 (Excel 或 WPS?)。关闭它后再运行 leadbook。" \
        in errors[0]
    assert not (out / locked).exists() and not (out / "annotated" / locked).exists()
    assert (out / "summary.json").is_file() and (out / "summary.html").is_file()
    assert not temp_files(out)

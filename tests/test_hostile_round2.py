"""Hostile and broken input, second round: nothing lost, nothing leaked, nothing
brought down (domain.md §9).

Each reproducer is made here, in tmp_path (big files on the fly, sparse where
they can be). Each asserts the file's own status and message, that the good
file beside it was processed, the exit status, and that no traceback shows.
"""

from __future__ import annotations

import json
import os
import re
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest
from test_hostile import (
    HEAD_ROW,
    MESSY,
    _with_sheet_data,
    digests,
    files_of,
    good_workbook,
    process,
    summary_of,
    temp_files,
)

import leadbook.read
import leadbook.read.isolated
import leadbook.write.xlsx_sheet
from leadbook.model import SourceFile
from leadbook.read import read_file
from leadbook.write.atomic import TEMP_PREFIX


@pytest.fixture()
def inbox(tmp_path: Path) -> Path:
    box = tmp_path / "inbox"
    box.mkdir()
    good_workbook(box / "good.xlsx")
    return box


def _ok_beside(out: Path, name: str, zh: str, en: str) -> None:
    """``name`` is an error whose message holds ``zh`` (and ``en`` when the inbox beside
    ``out`` is run again with --lang en); good.xlsx was read."""
    english = out.parent / f"{out.name}_en"
    if not english.exists():
        assert process(out.parent / "inbox", english, "--lang", "en").exit_code == 1
    for folder, expected in ((out, zh), (english, en)):
        files = files_of(folder)
        assert files["good.xlsx"]["status"] == "ok"
        assert files["good.xlsx"]["sheets"][0]["rows"] == 2
        assert files[name]["status"] == "error", files[name]
        assert files[name]["message"].startswith(f"{name}: ")
        assert expected in files[name]["message"], files[name]["message"]
        assert (folder / "report.xlsx").is_file() and (folder / "summary.html").is_file()


# --------------------------------------------------------------------------
# Data lost or overwritten
# --------------------------------------------------------------------------


def test_an_output_folder_holding_the_inputs_is_refused_before_anything_is_written(
        inbox: Path) -> None:
    """--out INBOX with an input named report.xlsx would replace it."""
    good_workbook(inbox / "report.xlsx")
    before = digests(inbox)
    result = process(inbox, inbox)
    assert result.exit_code == 2
    assert "错误: --out" in result.output and "report.xlsx" in result.output
    assert "没有写入任何文件" in result.output
    english = process(inbox, inbox, "--lang", "en")
    assert english.exit_code == 2
    assert "Error: --out" in english.output and "report.xlsx" in english.output
    assert "nothing was written" in english.output
    assert digests(inbox) == before  # not even summary.json or annotated/


@pytest.mark.slow
def test_an_earlier_runs_annotated_folder_as_inbox_is_refused(inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert process(inbox, out).exit_code == 0
    copy = out / "annotated" / "good.xlsx"
    before = copy.read_bytes()
    result = process(out / "annotated", out)
    assert result.exit_code == 2 and "good.xlsx" in result.output
    assert copy.read_bytes() == before


def test_an_output_folder_linked_to_the_inbox_is_refused(inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "annotated").symlink_to(inbox)  # annotated/good.xlsx would be written through it
    before = digests(inbox)
    result = process(inbox, out)
    assert result.exit_code == 2
    assert digests(inbox) == before
    assert not (out / "summary.json").exists()
    # an input that is a link into the output folder is caught the same way
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    good_workbook(elsewhere / "report.xlsx")
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / "leads.xlsx").symlink_to(elsewhere / "report.xlsx")
    result = process(linked, elsewhere)
    assert result.exit_code == 2 and "leads.xlsx" in result.output


@pytest.mark.slow
def test_every_input_gets_its_own_annotated_copy(tmp_path: Path) -> None:
    """leads.csv, leads.xls and leads.xlsx used to share annotated/leads.xlsx."""
    box = tmp_path / "inbox"
    box.mkdir()
    good_workbook(box / "leads.xlsx")
    (box / "leads.xls").write_bytes((MESSY / "wps_leads.xls").read_bytes())
    (box / "leads.csv").write_text(
        "客户姓名,联系电话,销售顾问,首次接触日期,预计购车时间\n"
        "赵先生,13800001003,王强,2026-11-04,1个月内\n", encoding="utf-8")
    out = tmp_path / "out"
    result = process(box, out)
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (out / "annotated").iterdir())
    assert names == ["leads (csv).xlsx", "leads (xls).xlsx", "leads.xlsx"]
    # each copy holds its own input's rows
    def first_names(path: Path) -> set[str]:
        wb = openpyxl.load_workbook(path, read_only=True)
        return {str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
                for v in row if v}
    assert "赵先生" in first_names(out / "annotated" / "leads (csv).xlsx")
    assert "李女士" in first_names(out / "annotated" / "leads.xlsx")
    assert "赵先生" not in first_names(out / "annotated" / "leads (xls).xlsx")


def _named_inbox(tmp_path: Path, consultants: list[str]) -> Path:
    box = tmp_path / "inbox"
    box.mkdir()
    rows = [[f"客户{i}", f"1380000{i:04d}", who, "2026-10-01", "1个月内", "A", "跟进中", None]
            for i, who in enumerate(consultants)]
    good_workbook(box / "leads.xlsx", rows)
    return box


@pytest.mark.slow
def test_split_names_too_long_for_the_file_system_are_shortened(tmp_path: Path) -> None:
    """320 bytes of name (ext4 takes 255) used to stop every due/ file."""
    long_a, long_b = "😀" * 80 + "甲", "😀" * 80 + "乙"
    box = _named_inbox(tmp_path, [long_a, long_b, "张伟"])
    out = tmp_path / "out"
    result = process(box, out, "--split")
    assert result.exit_code == 0, result.output
    due = sorted(p.name for p in (out / "due").iterdir())
    assert len(due) == 3 and "张伟.xlsx" in due
    assert all(len(name.encode("utf-8")) <= 255 for name in due)
    assert len(set(due)) == 3  # the two long names, cut alike, told apart


@pytest.mark.slow
def test_one_due_file_that_cannot_be_written_does_not_stop_the_others(tmp_path: Path) -> None:
    box = _named_inbox(tmp_path, ["李娜", "张伟", "王强"])
    out = tmp_path / "out"
    (out / "due" / "张伟.xlsx").mkdir(parents=True)  # in the way: cannot be replaced
    result = process(box, out, "--split")
    assert result.exit_code == 1
    assert "错误: due/张伟.xlsx: 未能写出 (无法写入 " in result.output
    assert sorted(p.name for p in (out / "due").iterdir() if p.is_file()) == ["李娜.xlsx",
                                                                              "王强.xlsx"]
    assert temp_files(out) == []


@pytest.mark.slow
def test_split_names_carry_no_phone_number(tmp_path: Path) -> None:
    box = _named_inbox(tmp_path, ["张伟13812340301"])
    out = tmp_path / "out"
    assert process(box, out, "--split").exit_code == 0
    [name] = [p.name for p in (out / "due").iterdir()]
    assert "13812340301" not in name and name.startswith("张伟138")


def test_leftovers_of_a_killed_run_are_removed(inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "annotated").mkdir(parents=True)
    (out / "due").mkdir()
    for folder in (out, out / "annotated", out / "due"):
        (folder / f"{TEMP_PREFIX}k1ll3d.xlsx").write_bytes(b"half")
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    assert process(inbox, out).exit_code == 0
    assert temp_files(out) == []
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"  # nothing else touched


# --------------------------------------------------------------------------
# One file must not bring the run down: each read in a child with limits
# --------------------------------------------------------------------------


@pytest.mark.slow
def test_a_reader_that_aborts_natively_fails_only_its_file(
        inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capfd: pytest.CaptureFixture[str]) -> None:
    """What a Rust panic or a failed allocation does: the process aborts. It was the
    whole run; now it is that file's error, and the panic line goes to the log."""
    good_workbook(inbox / "bomb.xlsx")
    real = leadbook.read.read_file

    def reader(path: Path, name: str, extra: object = None) -> SourceFile:
        if name == "bomb.xlsx":
            os.write(2, b"thread '<unnamed>' panicked at calamine: capacity overflow\n")
            os.abort()
        return real(path, name, extra)  # type: ignore[arg-type]

    monkeypatch.setattr(leadbook.read, "read_file", reader)
    out = tmp_path / "out"
    result = process(inbox, out)
    assert result.exit_code == 1
    _ok_beside(out, "bomb.xlsx", "无法读取", "could not be read")
    assert "请用 Excel 或 WPS 打开后重新保存" in files_of(out)["bomb.xlsx"]["message"]
    assert "Open it in Excel or WPS" in files_of(out.parent / "out_en")["bomb.xlsx"]["message"]
    assert "panicked" not in result.output + capfd.readouterr().err


@pytest.mark.slow
def test_a_reader_that_runs_out_of_memory_fails_only_its_file(
        inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good_workbook(inbox / "greedy.xlsx")
    real = leadbook.read.read_file
    monkeypatch.setattr(leadbook.read.isolated, "MEMORY_LIMIT", 256 << 20)

    def reader(path: Path, name: str, extra: object = None) -> SourceFile:
        if name == "greedy.xlsx":
            hog = [bytearray(64 << 20) for _ in range(64)]  # 4 GiB, a page at a time
            return SourceFile(path, name, str(len(hog)))
        return real(path, name, extra)  # type: ignore[arg-type]

    monkeypatch.setattr(leadbook.read, "read_file", reader)
    out = tmp_path / "out"
    result = process(inbox, out)
    assert result.exit_code == 1
    _ok_beside(out, "greedy.xlsx", "内存", "memory")


@pytest.mark.slow
def test_a_reader_that_runs_too_long_fails_only_its_file(
        inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good_workbook(inbox / "endless.xlsx")
    real = leadbook.read.read_file
    monkeypatch.setattr(leadbook.read.isolated, "CPU_LIMIT", 1)

    def reader(path: Path, name: str, extra: object = None) -> SourceFile:
        while name == "endless.xlsx":
            pass
        return real(path, name, extra)  # type: ignore[arg-type]

    monkeypatch.setattr(leadbook.read, "read_file", reader)
    out = tmp_path / "out"
    result = process(inbox, out)
    assert result.exit_code == 1
    _ok_beside(out, "endless.xlsx", "读取时间超过了 leadbook 给一个文件的上限",
               "took longer than leadbook allows")


def _bad_crc(path: Path, part: str) -> Path:
    """The stored checksum of ``part`` made wrong (local header and directory)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(part)
    wrong = struct.pack("<I", info.CRC ^ 0xFFFF)
    data[info.header_offset + 14:info.header_offset + 18] = wrong
    name = part.encode()
    at = data.index(b"PK\x01\x02", 0)
    while at >= 0:
        length = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46:at + 46 + length]) == name:
            data[at + 16:at + 20] = wrong
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))
    return path


@pytest.mark.slow
def test_a_far_cell_behind_a_wrong_checksum_is_refused(inbox: Path, tmp_path: Path) -> None:
    """The extent check swallowed the zip error and let the file through; the parser
    then allocated the whole grid and the process aborted."""
    path = _with_sheet_data(inbox / "far_crc.xlsx", inbox / "good.xlsx",
                            HEAD_ROW + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    _bad_crc(path, "xl/worksheets/sheet1.xml")
    out = tmp_path / "out"
    result = process(inbox, out)
    assert result.exit_code == 1
    _ok_beside(out, "far_crc.xlsx", "已损坏", "is damaged")


def _xls_with_far_cell(path: Path, row: int, col: int) -> Path:
    """The fixture .xls with its last cell record moved to (row, col): 13 KB of file."""
    data = bytearray((MESSY / "wps_leads.xls").read_bytes())
    offset = data.index(b"\x09\x08\x10\x00\x00\x06")  # BOF of the Workbook stream
    last = None
    while offset + 4 <= len(data):
        kind, length = struct.unpack_from("<HH", data, offset)
        if kind in (0x00FD, 0x0203, 0x027E, 0x0204):
            last = offset
        if kind == 0 and length == 0:
            break
        offset += 4 + length
    assert last is not None
    struct.pack_into("<HH", data, last + 4, row, col)
    path.write_bytes(bytes(data))
    return path


@pytest.mark.slow
@pytest.mark.parametrize("col", [4095, 1023])
def test_an_xls_cell_record_far_out_is_refused(inbox: Path, tmp_path: Path, col: int) -> None:
    """At column 1,023 reading took 30 s and 2.7 GB; at 4,095 the process aborted."""
    path = _xls_with_far_cell(inbox / "far.xls", 65535, col)
    src = read_file(path, path.name)
    assert src.status == "error"
    assert "超过了 .xls 工作表的 256 列" in src.message("zh")
    assert "beyond the 256 columns an .xls sheet holds" in src.message("en")
    out = tmp_path / "out"
    assert process(inbox, out).exit_code == 1
    _ok_beside(out, "far.xls", "已损坏", "damaged")


def test_an_xls_grid_far_larger_than_its_cells_is_refused(tmp_path: Path) -> None:
    path = _xls_with_far_cell(tmp_path / "sparse.xls", 65535, 255)
    src = read_file(path, path.name)
    assert src.status == "error" and "真实的工作表不会这样" in src.message("zh")
    assert "no real sheet is" in src.message("en")
    # the fixture itself, its cells where they are, is read
    assert read_file(MESSY / "wps_leads.xls", "wps_leads.xls").status == "ok"


def _shared_string_bomb(path: Path, like: Path, size: int, uses: int) -> Path:
    """One shared string of ``size`` bytes referred to by ``uses`` cells."""
    cells = "".join(f'<row r="{r}"><c r="H{r}" t="s"><v>0</v></c></row>'
                    for r in range(3, 3 + uses))
    with zipfile.ZipFile(like) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/sharedStrings.xml":
                text = data.decode("utf-8")
                text = re.sub(r"<sst [^>]*>", lambda m: m.group(0) + "<si><t>" + "x" * size
                              + "</t></si>", text, count=1)
                # every other string's index moves up by one
                data = text.encode("utf-8")
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                text = re.sub(r'(t="s"[^>]*>\s*<v>)(\d+)',
                              lambda m: m.group(1) + str(int(m.group(2)) + 1), text)
                text = text.replace("</sheetData>", cells + "</sheetData>")
                data = text.encode("utf-8")
            out.writestr(info, data)
    return path


@pytest.mark.slow
def test_one_long_shared_string_used_by_many_cells_is_refused(inbox: Path,
                                                             tmp_path: Path) -> None:
    """A 1 MB string referred to by a thousand cells cost 2 GB; the part is small."""
    path = _shared_string_bomb(inbox / "sst.xlsx", inbox / "good.xlsx", 1_000_000, 1_000)
    assert path.stat().st_size < 1 << 20
    out = tmp_path / "out"
    result = process(inbox, out)
    assert result.exit_code == 1
    _ok_beside(out, "sst.xlsx", "很长的共享字符串", "long shared strings")


def test_a_long_shared_string_used_a_few_times_is_read(tmp_path: Path) -> None:
    like = good_workbook(tmp_path / "like.xlsx")
    path = _shared_string_bomb(tmp_path / "notes.xlsx", like, 20_000, 10)
    src = read_file(path, path.name)
    assert src.status == "ok", src.message("zh")
    assert [row for _, row in src.sheets[0].rows][0][:3] == ["王先生", "13800001001", "张伟"]


@pytest.mark.slow
def test_a_csv_line_past_the_field_limit_is_the_files_error(inbox: Path, tmp_path: Path) -> None:
    """It raised _csv.Error outside any handler: a traceback and no outputs."""
    (inbox / "long.csv").write_text(
        "客户姓名,联系电话,销售顾问\n王先生,13800001001,张伟\n"
        '"' + "长" * (200 << 10) + ',1,2\n', encoding="utf-8")
    out = tmp_path / "out"
    result = process(inbox, out)
    assert result.exit_code == 1
    _ok_beside(out, "long.csv", "第 3 行有一个超过 131,072 个字符的字段",
               "line 3 holds a field of more than 131,072 characters")


def test_a_csv_whose_first_line_is_past_the_field_limit(tmp_path: Path) -> None:
    path = tmp_path / "head.csv"
    path.write_text('"' + "x" * (200 << 10) + "\n", encoding="utf-8")
    src = read_file(path, path.name)
    assert src.status == "error" and "第 1 行有一个超过" in src.message("zh")
    assert "line 1 holds a field" in src.message("en")


@pytest.mark.slow
def test_an_html_row_of_40000_cells_is_read(tmp_path: Path) -> None:
    """Each cell scanned the row from column 0 (34 s); the row is read as it is."""
    path = tmp_path / "wide.xls"
    path.write_text("<html><table><tr><td>客户姓名</td><td>联系电话</td><td>销售顾问</td></tr>"
                    "<tr>" + "<td>1</td>" * 16_000 + "</tr></table></html>", encoding="utf-8")
    src = read_file(path, path.name)
    assert src.status == "ok", src.message("zh")
    [sheet], _ = leadbook.read.load_grids(path, "html")
    assert len(sheet.cells[1]) == 16_000


@pytest.mark.slow
def test_an_html_row_wider_than_excel_is_refused(inbox: Path, tmp_path: Path) -> None:
    """1,500 cells with colspan=999 ran for minutes."""
    (inbox / "spans.xls").write_text(
        "<html><table><tr><td>客户姓名</td><td>联系电话</td><td>销售顾问</td></tr><tr>"
        + '<td colspan="999">x</td>' * 1_500 + "</tr></table></html>", encoding="utf-8")
    (inbox / "cells.xls").write_text(
        "<html><table><tr>" + "<td>1</td>" * 40_000 + "</tr></table></html>", encoding="utf-8")
    out = tmp_path / "out"
    result = process(inbox, out)
    assert result.exit_code == 1
    _ok_beside(out, "spans.xls", "超过 Excel 的 16,384 列", "wider than Excel's 16,384 columns")
    _ok_beside(out, "cells.xls", "超过 Excel 的 16,384 列", "wider than Excel's 16,384 columns")


@pytest.mark.slow
def test_a_link_to_a_huge_file_is_refused_unread(inbox: Path, tmp_path: Path) -> None:
    """A link to a 1 GiB file whose head is CSV text was read whole (19 s, 7 GB)."""
    huge = tmp_path / "disk.img"
    with open(huge, "wb") as fh:
        fh.write("客户姓名,联系电话,销售顾问\n".encode())
        fh.truncate(1 << 30)  # sparse: no disk used
    (inbox / "huge.csv").symlink_to(huge)
    out = tmp_path / "out"
    result = process(inbox, out)
    assert result.exit_code == 1
    _ok_beside(out, "huge.csv", "文件有 1,024 MiB, 超过 leadbook 读取的上限 (200 MiB)",
               "the file is 1,024 MiB, more than leadbook reads (200 MiB)")


# --------------------------------------------------------------------------
# Carried into outputs
# --------------------------------------------------------------------------

DOCTYPE = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'


def _with_part(path: Path, like: Path, part: str, data: bytes,
               bad_crc_before: str | None = None) -> Path:
    with zipfile.ZipFile(like) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info, src.read(info))
        out.writestr(part, data)
    if bad_crc_before:
        _bad_crc(path, bad_crc_before)
    return path


XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>'
DOCTYPE_CASES = {
    # a sheet-like part under a name that is not .xml
    "odd_name.xlsx": ("xl/worksheets/sheet9.bin", (XML_HEAD + DOCTYPE + "<worksheet/>").encode()),
    # UTF-16 without a byte-order mark
    "utf16.xlsx": ("xl/custom.xml", ('<?xml version="1.0" encoding="UTF-16"?>' + DOCTYPE
                                     + "<a/>").encode("utf-16-le")),
    "utf16be.xlsx": ("xl/custom.xml", (DOCTYPE + "<a/>").encode("utf-16-be")),
    # the keyword in mixed case
    "mixed.xlsx": ("xl/custom.xml", (XML_HEAD + DOCTYPE.replace("DOCTYPE", "DocType")
                                     + "<a/>").encode()),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(DOCTYPE_CASES))
def test_a_document_type_anywhere_in_the_package_is_refused(inbox: Path, tmp_path: Path,
                                                            name: str) -> None:
    part, data = DOCTYPE_CASES[name]
    _with_part(inbox / name, inbox / "good.xlsx", part, data)
    out = tmp_path / "out"
    assert process(inbox, out).exit_code == 1
    _ok_beside(out, name, f"部件 {part} 声明了文档类型", f"its part {part} declares a document type")
    assert not (out / "annotated" / name).exists()


@pytest.mark.slow
def test_a_document_type_after_a_part_with_a_wrong_checksum_is_refused(
        inbox: Path, tmp_path: Path) -> None:
    """The check stopped at the damaged part; the parts after it were never looked at."""
    _with_part(inbox / "after_crc.xlsx", inbox / "good.xlsx", "xl/custom.xml",
               (XML_HEAD + DOCTYPE + "<a/>").encode(), bad_crc_before="docProps/app.xml")
    out = tmp_path / "out"
    assert process(inbox, out).exit_code == 1
    _ok_beside(out, "after_crc.xlsx", "部件 docProps/app.xml 已损坏",
               "its part docProps/app.xml is damaged")
    assert not (out / "annotated" / "after_crc.xlsx").exists()


def _with_entry(path: Path, like: Path, name: str, symlink: bool = False) -> Path:
    with zipfile.ZipFile(like) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info, src.read(info))
        entry = zipfile.ZipInfo(name)
        if symlink:
            entry.create_system = 3
            entry.external_attr = (0o120777 << 16)
        out.writestr(entry, b"/etc/passwd" if symlink else b"x")
    return path


@pytest.mark.slow
@pytest.mark.parametrize(("name", "entry", "symlink", "said"), [
    ("dotdot.xlsx", "../../x.txt", False, ("名称指向包外", "climbs out of the package")),
    ("absolute.xlsx", "/abs_x.txt", False, ("绝对路径名", "absolute name")),
    ("backslash.xlsx", "..\\..\\x.txt", False, ("反斜杠", "backslash")),
    ("link.xlsx", "xl/media/link.png", True, ("链接或特殊文件", "a link or a special file")),
])
def test_zip_entries_no_workbook_holds_are_refused(inbox: Path, tmp_path: Path, name: str,
                                                   entry: str, symlink: bool,
                                                   said: tuple[str, str]) -> None:
    _with_entry(inbox / name, inbox / "good.xlsx", entry, symlink)
    out = tmp_path / "out"
    assert process(inbox, out).exit_code == 1
    _ok_beside(out, name, *said)
    assert not (out / "annotated" / name).exists()
    for copy in (out / "annotated").iterdir():
        with zipfile.ZipFile(copy) as zf:
            assert all(".." not in n and not n.startswith("/") and "\\" not in n
                       for n in zf.namelist())


@pytest.mark.slow
def test_a_part_compressed_another_way_is_refused(inbox: Path, tmp_path: Path) -> None:
    """A part the zip module cannot inflate ended the document-type check early,
    leaving the parts after it unchecked."""
    path = inbox / "ppmd.xlsx"
    with zipfile.ZipFile(inbox / "good.xlsx") as src, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info, src.read(info))
        out.writestr("docProps/odd.xml", b"<a/>", compress_type=zipfile.ZIP_STORED)
        out.writestr("xl/custom.xml", (XML_HEAD + DOCTYPE + "<a/>").encode())
    # the part's method made PPMd (98), which the zip module does not implement
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        offset = zf.getinfo("docProps/odd.xml").header_offset
    struct.pack_into("<H", data, offset + 8, 98)
    at = data.index(b"PK\x01\x02")
    while at >= 0:
        length = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46:at + 46 + length]) == b"docProps/odd.xml":
            struct.pack_into("<H", data, at + 10, 98)
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))
    out = tmp_path / "out"
    assert process(inbox, out).exit_code == 1
    _ok_beside(out, "ppmd.xlsx", "以第 98 种方法压缩", "compressed by method 98")


@pytest.mark.slow
def test_added_columns_past_xfd_refuse_that_copy(inbox: Path, tmp_path: Path) -> None:
    """Five added columns after a value in column XFD landed in XFE…XFI."""
    rows = HEAD_ROW.replace('<c r="C2" t="inlineStr"><is><t>张伟</t></is></c>',
                            '<c r="C2" t="inlineStr"><is><t>张伟</t></is></c>'
                            '<c r="XFD2"><v>1</v></c>')
    _with_sheet_data(inbox / "xfd.xlsx", inbox / "good.xlsx", rows)
    out = tmp_path / "out"
    result = process(inbox, out)
    assert result.exit_code == 1
    files = files_of(out)
    assert files["xfd.xlsx"]["status"] == "ok"  # it is read; only its copy is refused
    assert "xfd.xlsx: 未生成注释副本: 工作表 '意向客户' 的数值一直到 XFD 列, 添加的 5 列会超出 " \
        "Excel 的最后一列 XFD" in result.output
    assert not (out / "annotated" / "xfd.xlsx").exists()
    assert (out / "annotated" / "good.xlsx").is_file()


@pytest.mark.slow
def test_a_reference_beyond_xfd_is_refused(inbox: Path, tmp_path: Path) -> None:
    """ZZZ9 made a copy openpyxl could not open."""
    _with_sheet_data(inbox / "zzz.xlsx", inbox / "good.xlsx",
                     HEAD_ROW + '<row r="9"><c r="ZZZ9"><v>1</v></c></row>')
    out = tmp_path / "out"
    assert process(inbox, out).exit_code == 1
    _ok_beside(out, "zzz.xlsx", "超出 Excel 最后一列 XFD", "beyond Excel's last column XFD")


@pytest.mark.slow
def test_a_cell_with_a_negative_style_gets_a_copy_that_opens(inbox: Path, tmp_path: Path) -> None:
    """s="-1" got a second s attribute: XML that is not well-formed."""
    rows = (HEAD_ROW.replace('<c r="A2" t="inlineStr">', '<c r="A2" s="-1" t="inlineStr">')
            .replace("</c></row><row", '</c><c r="D1" t="inlineStr"><is><t>状态</t></is></c>'
                     "</row><row", 1)
            .replace("</c></row>", '</c><c r="D2" t="inlineStr"><is><t>已成交</t></is></c>'
                     "</row>", 2))  # won: the row is filled, each cell's style swapped
    _with_sheet_data(inbox / "neg.xlsx", inbox / "good.xlsx", rows)
    out = tmp_path / "out"
    assert process(inbox, out).exit_code == 0
    wb = openpyxl.load_workbook(out / "annotated" / "neg.xlsx")
    assert wb.worksheets[0]["A2"].value == "王先生"
    assert wb.worksheets[0]["A2"].fill.fgColor.rgb == wb.worksheets[0]["B2"].fill.fgColor.rgb
    assert wb.worksheets[0]["B2"].fill.fill_type == "solid"


@pytest.mark.slow
def test_a_workbook_without_its_styles_relationship_gets_a_copy_that_opens(
        inbox: Path, tmp_path: Path) -> None:
    """The copy's style indexes ran past the styles it held."""
    like = inbox / "good.xlsx"
    path = inbox / "nostyles.xlsx"
    with zipfile.ZipFile(like) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = re.sub(rb'<Relationship [^>]*relationships/styles"[^>]*/>', b"", data)
            out.writestr(info, data)
    openpyxl.load_workbook(path)  # the input opens
    out = tmp_path / "out"
    assert process(inbox, out).exit_code == 0
    wb = openpyxl.load_workbook(out / "annotated" / "nostyles.xlsx")
    assert wb.worksheets[0]["A2"].value == "王先生"


@pytest.mark.slow
def test_a_patch_that_is_not_well_formed_is_never_renamed_into_place(
        inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = leadbook.write.xlsx_sheet.SheetPatcher.run

    def broken(self, chunks):  # type: ignore[no-untyped-def]
        for chunk in real(self, chunks):
            yield chunk.replace(b"</sheetData>", b"<row></sheetData>")

    monkeypatch.setattr(leadbook.write.xlsx_sheet.SheetPatcher, "run", broken)
    out = tmp_path / "out"
    result = process(inbox, out)
    assert result.exit_code == 1
    assert "good.xlsx: 未生成注释副本: leadbook 对它的部件 xl/worksheets/sheet1.xml 的修改不是" \
           "格式正确的 XML (mismatched tag, line 2); 原文件未改动" in result.output
    assert not (out / "annotated" / "good.xlsx").exists()
    assert temp_files(out) == []
    assert (out / "report.xlsx").is_file()


# --------------------------------------------------------------------------
# Leaked
# --------------------------------------------------------------------------

PHONE = "13812340301"


@pytest.mark.slow
def test_phone_numbers_in_names_are_masked_in_summary_page_and_terminal(tmp_path: Path) -> None:
    box = tmp_path / "inbox"
    box.mkdir()
    rows = [["王先生", "13800001001", f"张伟{PHONE}", "2026-10-01", "1个月内", "A", "跟进中", None]]
    path = good_workbook(box / f"{PHONE}客户.xlsx", rows)
    with zipfile.ZipFile(path) as zf:  # the sheet named with a number too
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
        "意向客户".encode(), f"意向客户{PHONE}".encode())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    (box / f"{PHONE}.csv").write_bytes(b"\xff\xfe\x00")  # an unreadable file: its message
    out = tmp_path / "out"
    result = process(box, out, "-vv")
    assert result.exit_code == 1
    summary = summary_of(out)
    assert summary["leads"]["rows"] == 1
    assert PHONE not in json.dumps(summary, ensure_ascii=False)
    assert "138****0301客户.xlsx" in [f["path"] for f in summary["files"]]
    assert PHONE not in result.output
    assert PHONE not in (out / "summary.html").read_text(encoding="utf-8")
    # the user's own files keep their names (the copy is matched to its input)
    assert (out / "annotated" / f"{PHONE}客户.xlsx").is_file()


@pytest.mark.slow
def test_a_damaged_part_the_reader_skips_refuses_the_copy(inbox: Path, tmp_path: Path) -> None:
    """Fuzzing: a broken docProps/core.xml is read past, and a copy carrying it would
    not open. The file is read; its copy is an error, never a broken file in OUT."""
    like = inbox / "good.xlsx"
    path = inbox / "props.xlsx"
    with zipfile.ZipFile(like) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "docProps/core.xml":
                data = data.replace(b"</cp:coreProperties>", b"</cp:core")
            out.writestr(info, data)
    out = tmp_path / "out"
    result = process(inbox, out)
    assert result.exit_code == 1
    assert files_of(out)["props.xlsx"]["status"] == "ok"
    assert "props.xlsx: 未生成注释副本: 它的部件 docProps/core.xml 已损坏" in result.output
    assert not (out / "annotated" / "props.xlsx").exists()
    assert (out / "annotated" / "good.xlsx").is_file()


@pytest.mark.slow
def test_files_are_still_read_when_no_child_can_be_made(
        inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good_workbook(inbox / "second.xlsx")

    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(leadbook.read.isolated.os, "fork", no_fork)
    out = tmp_path / "out"
    assert process(inbox, out).exit_code == 0
    assert {f["status"] for f in summary_of(out)["files"]} == {"ok"}

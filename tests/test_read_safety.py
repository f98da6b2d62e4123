"""Zip bombs are refused from the zip directory, before anything is inflated (domain.md §9)."""

from __future__ import annotations

import datetime as dt
import struct
import time
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from leadbook.model import FileError
from leadbook.read import read_file
from leadbook.read.safety import MAX_MEMBERS, MAX_TOTAL, check_zip
from leadbook.texts import render

MIB = 1 << 20


def refused(path: Path, zh: str, en: str) -> None:
    """check_zip refuses ``path``, saying ``zh`` in Chinese and ``en`` in English."""
    with pytest.raises(FileError) as caught:
        check_zip(path)
    assert zh in render(caught.value.reason, "zh"), render(caught.value.reason, "zh")
    assert en in render(caught.value.reason, "en"), render(caught.value.reason, "en")


def _zeros_deflated(mib: int) -> tuple[bytes, int]:
    """A raw deflate stream of ``mib`` MiB of zeros, and its CRC, without compressing it all.

    After a full flush the compressor starts afresh, so every further MiB of
    zeros compresses to the same bytes: one block is made and repeated.
    """
    zeros = bytes(MIB)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = comp.compress(zeros) + comp.flush(zlib.Z_FULL_FLUSH)
    block = comp.compress(zeros) + comp.flush(zlib.Z_FULL_FLUSH)
    tail = comp.flush()
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(zeros, crc)
    return first + block * (mib - 1) + tail, crc


def _raw_zip(path: Path, members: list[tuple[str, bytes, int, int, int]]) -> Path:
    """Write a zip from (name, stored bytes, method, crc, declared size): the sizes it says."""
    local, central = bytearray(), bytearray()
    for name, data, method, crc, size in members:
        raw_name = name.encode()
        offset = len(local)
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc,
                             len(data), size, len(raw_name), 0) + raw_name + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21,
                               crc, len(data), size, len(raw_name), 0, 0, 0, 0, 0,
                               offset) + raw_name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central),
                      len(local), 0)
    path.write_bytes(bytes(local + central + end))
    return path


def _small(name: str, text: bytes) -> tuple[str, bytes, int, int, int]:
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    data = comp.compress(text) + comp.flush()
    return name, data, zipfile.ZIP_DEFLATED, zlib.crc32(text), len(text)


def _bomb(path: Path) -> Path:
    data, crc = _zeros_deflated(1024)  # 1 GiB of zeros in about 1 MB
    return _raw_zip(path, [
        _small("[Content_Types].xml", b"<Types/>"),
        ("xl/worksheets/sheet1.xml", data, zipfile.ZIP_DEFLATED, crc, 1 << 30),
    ])


@pytest.mark.slow
def test_a_1_gib_bomb_is_refused_at_once(tmp_path: Path, capsys) -> None:
    bomb = _bomb(tmp_path / "bomb.xlsx")
    assert bomb.stat().st_size < 2 * MIB
    with zipfile.ZipFile(bomb) as zf:  # a well-formed zip whose sheet inflates to 1 GiB
        assert zf.getinfo("xl/worksheets/sheet1.xml").file_size == 1 << 30
        with zf.open("xl/worksheets/sheet1.xml") as part:
            assert part.read(MIB) == bytes(MIB)
    start = time.perf_counter()
    with pytest.raises(FileError) as caught:
        check_zip(bomb)
    elapsed = time.perf_counter() - start
    zh, en = render(caught.value.reason, "zh"), render(caught.value.reason, "en")
    assert zh.startswith("已拒绝: 全部部件解压后将达 1.0 GiB (压缩比 ")
    assert zh.endswith(":1), 不是真正的工作簿")
    assert en.startswith("refused: its parts would inflate to 1.0 GiB (ratio ")
    assert en.endswith(":1), which is not a real workbook")
    src = read_file(bomb, "bomb.xlsx")
    assert src.status == "error" and src.message("zh").startswith("bomb.xlsx: 已拒绝")
    assert src.message("en").startswith("bomb.xlsx: refused")
    with capsys.disabled():
        print(f"\n  zip bomb (1 GiB) refused in {elapsed * 1000:.1f} ms")


def test_one_part_inflating_far_beyond_its_size_is_refused(tmp_path: Path) -> None:
    data, crc = _zeros_deflated(64)  # 64 MiB at about 1000:1, under the total bound
    path = _raw_zip(tmp_path / "ratio.xlsx", [
        ("xl/sharedStrings.xml", data, zipfile.ZIP_DEFLATED, crc, 64 * MIB)])
    refused(path, "部件 xl/sharedStrings.xml 解压后将达 64.0 MiB",
            "part xl/sharedStrings.xml would inflate to 64.0 MiB")


def test_many_parts_adding_up_past_the_bound_are_refused(tmp_path: Path) -> None:
    data, crc = _zeros_deflated(1)  # 1 MiB each: no part alone is checked for its ratio
    parts = [(f"xl/media/p{i}.bin", data, zipfile.ZIP_DEFLATED, crc, MIB)
             for i in range(MAX_TOTAL // MIB + 1)]
    refused(_raw_zip(tmp_path / "parts.xlsx", parts), "全部部件解压后将达 513.0 MiB",
            "its parts would inflate to 513.0 MiB")


def test_too_many_parts_are_refused(tmp_path: Path) -> None:
    parts = [_small(f"x/{i}.xml", b"<a/>") for i in range(MAX_MEMBERS + 1)]
    refused(_raw_zip(tmp_path / "many.xlsx", parts), "10,001 个部件", "10,001 parts")


def test_a_directory_that_understates_a_part_is_refused(tmp_path: Path) -> None:
    data, crc = _zeros_deflated(64)
    path = _raw_zip(tmp_path / "liar.xlsx", [
        ("xl/worksheets/sheet1.xml", data, zipfile.ZIP_DEFLATED, crc, 1000)])
    refused(path, "压缩包的目录对不上", "does not add up")


def test_damaged_zips(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active["A1"] = "x"
    wb.save(tmp_path / "good.xlsx")
    good = (tmp_path / "good.xlsx").read_bytes()
    check_zip(tmp_path / "good.xlsx")
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good[: len(good) // 2])
    refused(cut, "工作簿无法读取: 文件已损坏", "not a readable workbook: the file is damaged")


def test_a_real_lead_workbook_passes(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["客户姓名", "联系电话", "销售顾问"])
    for r in range(1, 2001):
        ws.write_row(r, 0, [f"客户{r}", 13800000000 + r, "张伟"])
    wb.close()
    check_zip(path)


@pytest.mark.slow
def test_a_100k_row_workbook_passes_and_loads(tmp_path: Path, capsys) -> None:
    """100,000 leads × 14 columns: inside every bound, and read in a second or two."""
    path = tmp_path / "big.xlsx"
    wb = xlsxwriter.Workbook(path, {"constant_memory": True})
    ws = wb.add_worksheet("意向客户")
    datef = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, ["序号", "客户姓名", "联系电话", "销售顾问", "信息来源", "意向车型",
                        "首次接触日期", "最近跟进日期", "下次跟进日期", "预计购车时间", "客户级别",
                        "状态", "战败原因", "备注"])
    day = dt.datetime(2026, 1, 1)
    for r in range(1, 100_001):
        ws.write_row(r, 0, [r, f"客户{r}", 13800000000 + r, "张伟", "汽车之家", "星越L"])
        ws.write_datetime(r, 6, day + dt.timedelta(days=r % 300), datef)
        ws.write_datetime(r, 7, day + dt.timedelta(days=r % 300 + 3), datef)
        ws.write_datetime(r, 8, day + dt.timedelta(days=r % 300 + 10), datef)
        ws.write_row(r, 9, ["3个月内", "B", "跟进中", "", f"已约试驾 {r % 997}"])
    wb.close()
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
    inflated = sum(i.file_size for i in infos)
    worst = max(i.file_size / max(i.compress_size, 1) for i in infos if i.file_size > MIB)
    check_zip(path)
    start = time.perf_counter()
    src = read_file(path, path.name)
    elapsed = time.perf_counter() - start
    assert src.status == "ok", src.message("zh")
    [sheet] = src.sheets
    assert len(sheet.rows) == 100_000 and sheet.width == 14
    assert sheet.rows[-1][0] == 100_001
    with capsys.disabled():
        print(f"\n  100k × 14: {inflated / MIB:.1f} MiB inflated, worst ratio {worst:.1f}:1, "
              f"read in {elapsed:.2f} s")


def _package_with_part(path: Path, like: Path, part: str, data: bytes) -> Path:
    with zipfile.ZipFile(like) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info, data if info.filename == part else src.read(info))
    return path


DECL = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
ROOT = b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'


DOCTYPE_SAID = ("声明了文档类型", "declares a document type")


@pytest.mark.parametrize(("head", "said"), [
    (DECL + b'<!DOCTYPE workbook [<!ENTITY x "y">]>', DOCTYPE_SAID),
    # behind a comment and a processing instruction
    (DECL + b"<!-- saved -->\n<?mso-application progid='Excel.Sheet'?>\n<!DOCTYPE workbook>",
     DOCTYPE_SAID),
    (b"\xef\xbb\xbf" + DECL + b"<!doctype workbook>", DOCTYPE_SAID),
    # a part in UTF-16
    (("\ufeff" + DECL.decode() + '<!DOCTYPE workbook SYSTEM "x.dtd">').encode("utf-16-le"),
     DOCTYPE_SAID),
    # a prolog longer than anything a program writes, hiding what follows
    (DECL + b"<!--" + b" " * (70 << 10) + b"-->",
     ("在第一个元素之前有超过 64 KiB", "opens with more than 64 KiB")),
])
def test_a_declared_document_type_is_refused(tmp_path: Path, head: bytes,
                                             said: tuple[str, str]) -> None:
    like = tmp_path / "like.xlsx"
    wb = xlsxwriter.Workbook(like)
    wb.add_worksheet().write_row(0, 0, ["客户姓名", "联系电话", "销售顾问"])
    wb.close()
    with zipfile.ZipFile(like) as zf:
        body = zf.read("xl/workbook.xml").split(b"?>", 1)[1]
    if head[1:2] == b"\x00":
        data = head + body.decode().encode("utf-16-le")
    else:
        data = head + body
    path = _package_with_part(tmp_path / "dtd.xlsx", like, "xl/workbook.xml", data)
    with pytest.raises(FileError) as err:
        check_zip(path)
    assert render(err.value.reason, "zh").startswith("已拒绝: 部件 xl/workbook.xml " + said[0])
    assert render(err.value.reason, "en").startswith("refused: its part xl/workbook.xml " + said[1])
    # a comment or declaration alone is no document type
    plain = _package_with_part(tmp_path / "plain.xlsx", like, "xl/workbook.xml",
                               DECL + b"<!-- <!DOCTYPE x> -->" + body)
    check_zip(plain)

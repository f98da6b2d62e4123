"""What a file holds, from its first bytes rather than its name."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import openpyxl
import pytest

from leadbook.read.sniff import sniff_format

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _xlsx(path: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.active["A1"] = "x"
    wb.save(path)
    return path


def test_zip_workbooks(tmp_path: Path) -> None:
    assert sniff_format(_xlsx(tmp_path / "a.xlsx")) == "xlsx"
    assert sniff_format(_xlsx(tmp_path / "a.xlsm")) == "xlsm"  # by name
    assert sniff_format(_xlsx(tmp_path / "renamed.csv")) == "xlsx"  # by content
    macro = tmp_path / "macro.xlsx"
    with zipfile.ZipFile(macro, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/vbaProject.bin", b"\x00" * 10)
    assert sniff_format(macro) == "xlsm"
    # A damaged zip is still a zip: the zip check reports it.
    assert sniff_format(_write(tmp_path, "cut.xlsx", b"PK\x03\x04" + b"\x00" * 20)) == "xlsx"


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("legacy.xls", OLE + b"\x00" * 504, "xls"),
        ("legacy.xlsx", OLE + b"\x00" * 504, "xls"),
        ("page.xls", b"<html><body><table><tr><td>1</td></tr></table>", "html"),
        ("page.xls", b"\xef\xbb\xbf \r\n <TABLE border=1><TR><TD>1</TD></TR></TABLE>", "html"),
        ("page.xls", "<html>网页</html>".encode("utf-16"), "html"),
        ("page.xls", b'<meta charset="gbk"><table>' + "客户".encode("gbk"), "html"),
        ("spreadsheet2003.xls", b'<?xml version="1.0"?><Workbook xmlns="urn:x"/>', "other"),
        ("text.xls", "客户姓名,电话\n王先生,138\n".encode("gbk"), "csv"),
        ("text.xlsx", "客户姓名,电话\n王先生,138\n".encode(), "csv"),
        ("text.csv", "客户姓名\t电话\n".encode("utf-16"), "csv"),
        ("empty.csv", b"", "csv"),
        ("empty.xlsx", b"", "other"),
        ("nul.csv", b"a,b\x00c", "other"),
        ("pic.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "other"),
    ],
)
def test_by_first_bytes(tmp_path: Path, name: str, data: bytes, expected: str) -> None:
    assert sniff_format(_write(tmp_path, name, data)) == expected


def test_a_character_cut_at_the_end_of_the_sample_is_still_text(tmp_path: Path) -> None:
    data = ("客" * 1365).encode("utf-8") + "户".encode()  # 4,098 bytes: 户 is cut
    assert sniff_format(_write(tmp_path, "long.csv", data)) == "csv"


def test_random_bytes_are_not_a_spreadsheet(tmp_path: Path) -> None:
    assert sniff_format(_write(tmp_path, "random.xlsx", os.urandom(8192))) == "other"

"""Rows streamed into the sheet's row file come out as XlsxWriter writes them, cell for cell."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import leadbook.write.xlsx_table as xlsx_table
from leadbook.write.xlsx_table import Col, Formats, new_workbook, write_table

COLS = [
    Col("name", "客户姓名"),
    Col("count", "数量", "count"),
    Col("money", "金额", "money"),
    Col("rate", "比率", "rate"),
    Col("due", "日期", "date"),
    Col("late", "逾期天数", "int"),
    Col("row", "行号", "id"),
]

ROWS: list[list[Any]] = [
    ["王先生", 3, 1250.5, 0.125, dt.date(2026, 11, 2), 4, 17],
    ["  leading and trailing  ", None, None, None, None, None, None],
    ["A&B <c> \"quoted\" 'single'", 0, 0.0, 1.0, dt.datetime(2026, 11, 3, 14, 30), -2, 3],
    ["control\x01\x1fchars and _x0041_ literal", 10**12, 1e-7, 0.333333333333333333,
     dt.date(1900, 3, 1), 0, 1],
    ["=HYPERLINK(\"http://x\",\"y\")", 7, 2.5, 0.5, dt.date(2026, 1, 1), 1, 2],
    [True, 1.5, 3, 2, dt.date(2027, 12, 31), 12, 99],
    ["", 5, 5, 5, dt.date(2026, 11, 22), 5, 5],
    ["line\nbreak\ttab", 1, 2, 3, None, None, None],
    ["\ufffe\uffff", 1, 1, 1, None, 1, 1],
]


def _style(i: int, row: Any) -> dict[str, Any]:
    return {"fill": "overdue" if i % 3 == 0 else None, "bold": i % 2 == 1, "rule": i == 4}


def _write(path: Path, rows: list[list[Any]], stream: bool, monkeypatch: Any) -> dict[str, bytes]:
    monkeypatch.setattr(xlsx_table, "can_stream", lambda ws: stream)
    wb = new_workbook(str(path))
    fmts = Formats(wb)
    ws = wb.add_worksheet("表")
    ws.write_string(0, 0, "标题", fmts.get("title"))
    end = write_table(ws, fmts, 1, COLS, rows, style=_style)
    ws.write_string(end + 1, 0, "表后", fmts.get("note"))
    wb.close()
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist() if n.startswith("xl/")}


def test_streamed_rows_are_the_bytes_xlsxwriter_writes(tmp_path: Path, monkeypatch) -> None:
    slow = _write(tmp_path / "slow.xlsx", ROWS, False, monkeypatch)
    fast = _write(tmp_path / "fast.xlsx", ROWS, True, monkeypatch)
    assert fast.keys() == slow.keys()
    for name in slow:
        assert fast[name] == slow[name], name
    sheet = fast["xl/worksheets/sheet1.xml"].decode()
    assert f'<dimension ref="A1:G{len(ROWS) + 4}"/>' in sheet
    assert f'<autoFilter ref="A2:G{len(ROWS) + 2}"/>' in sheet


def test_streamed_sheet_reads_back(tmp_path: Path, monkeypatch) -> None:
    _write(tmp_path / "fast.xlsx", ROWS, True, monkeypatch)
    ws = openpyxl.load_workbook(tmp_path / "fast.xlsx").active
    got = [[c.value for c in row] for row in ws.iter_rows(min_row=3, max_row=2 + len(ROWS))]
    assert got[0][:2] == ["王先生", 3]
    assert got[0][4] == dt.datetime(2026, 11, 2)
    assert got[1] == ["  leading and trailing  ", "—", "—", "—", None, "—", None]
    assert got[2][0] == "A&B <c> \"quoted\" 'single'"
    assert got[4][0] == "=HYPERLINK(\"http://x\",\"y\")"
    assert ws.cell(3 + 4, 1).data_type == "s"
    assert got[5][0] == "True"
    assert ws.cell(3 + len(ROWS) + 1, 1).value == "表后"


@pytest.mark.parametrize("text", ["<r>rich-looking</r>", "<r><t>x</t></r>", "<r>"])
def test_text_that_looks_like_rich_text_stays_text(tmp_path: Path, monkeypatch, text) -> None:
    """XlsxWriter writes a text starting <r> and ending </r> unescaped, as rich text; a
    customer's note like that would break the sheet. Streamed rows escape every text."""
    _write(tmp_path / "fast.xlsx", [[text, 1, 1, 1, None, 1, 1]], True, monkeypatch)
    ws = openpyxl.load_workbook(tmp_path / "fast.xlsx").active
    assert ws.cell(3, 1).value == text


def test_an_infinite_figure_reads_as_missing(tmp_path: Path, monkeypatch) -> None:
    _write(tmp_path / "fast.xlsx", [["x", float("inf"), float("-inf"), 1, None, 1, 1]], True,
           monkeypatch)
    ws = openpyxl.load_workbook(tmp_path / "fast.xlsx").active
    assert [ws.cell(3, c).value for c in (2, 3)] == ["—", "—"]


def test_streaming_only_on_the_tested_xlsxwriter(tmp_path: Path, monkeypatch: Any) -> None:
    from leadbook.write import xlsx_stream

    assert xlsx_stream.version_tested("3.3.1")
    assert not xlsx_stream.version_tested("3.4.0") and not xlsx_stream.version_tested("3.2.9")
    assert not xlsx_stream.version_tested("4.0") and not xlsx_stream.version_tested("dev")
    wb = new_workbook(str(tmp_path / "x.xlsx"))
    ws = wb.add_worksheet()
    assert xlsx_stream.can_stream(ws) == xlsx_stream.version_tested()
    monkeypatch.setattr(xlsx_stream, "version_tested", lambda: False)
    assert not xlsx_stream.can_stream(ws)  # the public cell methods, then
    wb.close()


def test_the_dependency_pin_is_the_range_streaming_is_tested_on() -> None:
    """pyproject.toml pins XlsxWriter to TESTED_VERSIONS, the releases the streamed rows
    are compared byte for byte on; the installed release is one of them."""
    import re
    import sys

    import xlsxwriter

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - the package's own dependency on 3.10
        import tomli as tomllib

    from leadbook.write import xlsx_stream

    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text("utf-8"))
    pins = [d for d in project["project"]["dependencies"] if d.lower().startswith("xlsxwriter")]
    assert len(pins) == 1
    bounds = dict(re.findall(r"(>=|<)\s*([\d.]+)", pins[0]))
    low, high = xlsx_stream.TESTED_VERSIONS
    assert bounds == {">=": ".".join(map(str, low)), "<": ".".join(map(str, high))}
    assert xlsx_stream.version_tested(xlsxwriter.__version__)


def _big_book(path: Path) -> None:
    """A workbook with one sheet part of a few megabytes and the small parts around it."""
    wb = new_workbook(str(path))
    fmts = Formats(wb)
    ws = wb.add_worksheet("大表")
    rows = [[f"客户{i % 977}", i, i * 1.5, (i % 100) / 100, dt.date(2026, 1, 1 + i % 28),
             i % 30, i] for i in range(12_000)]
    write_table(ws, fmts, 0, COLS, rows)
    wb.add_worksheet("小表").write_string(0, 0, "小")
    wb.close()


@pytest.mark.slow
def test_large_parts_are_deflated_at_the_fastest_level(tmp_path: Path, monkeypatch: Any) -> None:
    """On a tested XlsxWriter the sheet part of a megabyte or more is deflated at zlib
    level 1, the small parts at XlsxWriter's own default; the contents are the same
    bytes either way, and XlsxWriter's zip class is its own again after close()."""
    import zlib

    import xlsxwriter.workbook

    from leadbook.write import xlsx_stream
    from leadbook.write.xlsx_zip import BIG_PART_BYTES

    assert xlsx_stream.fast_zip_possible()
    _big_book(tmp_path / "fast.xlsx")
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile
    with monkeypatch.context() as m:
        m.setattr(xlsx_stream, "version_tested", lambda: False)
        assert not xlsx_stream.fast_zip_possible()  # another release: XlsxWriter's own zip
    monkeypatch.setattr(xlsx_stream, "fast_zip_possible", lambda: False)
    _big_book(tmp_path / "plain.xlsx")

    def members(name: str) -> dict[str, tuple[bytes, int]]:
        with zipfile.ZipFile(tmp_path / name) as zf:
            return {i.filename: (zf.read(i), i.compress_size) for i in zf.infolist()}

    fast, plain = members("fast.xlsx"), members("plain.xlsx")
    assert fast.keys() == plain.keys()
    big = [n for n, (data, _) in fast.items() if len(data) >= BIG_PART_BYTES]
    assert big == ["xl/worksheets/sheet1.xml"]
    for name, (data, size) in fast.items():
        if name == "docProps/core.xml":  # the time it was written
            continue
        assert data == plain[name][0], name
        level = 1 if name in big else 6
        packer = zlib.compressobj(level, zlib.DEFLATED, -15)
        assert size == len(packer.compress(data) + packer.flush()), name
    assert fast[big[0]][1] > plain[big[0]][1]  # level 1: bigger, and quicker to make

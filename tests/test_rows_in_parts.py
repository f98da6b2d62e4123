"""A large lead sheet comes back from its reading child in parts (read.isolated):
put back together it is the sheet as read in one piece, and its records worked out
part by part as the parts come (records.Ahead.take_rows, as the run does) are the
records read_records makes of the whole sheet: the same tables, the same issues in
the same order, the grade words it cannot map among them."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import Workbook

from leadbook.config import Config
from leadbook.model import SheetKind
from leadbook.read import isolated, read_file, read_inbox
from leadbook.records import Ahead, read_records

AS_OF = dt.date(2026, 11, 22)
HEADER = ["客户姓名", "手机号码", "销售顾问", "客户来源", "意向车型", "建档日期",
          "最近跟进日期", "预计购车时间", "意向级别", "跟进状态"]
GRADES = ["A", "B", "重点客户", "C", "普通客户", "H", "很高", None, "O", "VIP客户"]
STATUSES = ["跟进中", "已成交", "战败", None, "跟进中", "休眠"]
PHONES = ["13812345678", "138-1234-5679", "12345", None, "139 8765 4321", "电话未留"]


def _leads(path: Path, n: int, seed: int) -> None:
    """A lead card of ``n`` rows whose values repeat, with findings scattered over it:
    bad and missing phones, missing consultants, bad dates, unmapped grade words."""
    wb = Workbook()
    ws = wb.active
    ws.title = "客户跟进表"
    ws.append(HEADER)
    for i in range(n):
        k = i + seed
        first = dt.datetime(2026, 10, 1) + dt.timedelta(days=k % 40)
        ws.append([
            f"客户{k % 23}", PHONES[k % len(PHONES)], None if k % 9 == 0 else f"顾问{k % 4}",
            ["展厅", "网络", "电话"][k % 3], ["轩逸", "天籁"][k % 2],
            first if k % 11 else "2026-13-45", first + dt.timedelta(days=k % 5) if k % 7 else None,
            ["一周内", "一个月内", "三个月", "明年"][k % 4], GRADES[k % len(GRADES)],
            STATUSES[k % len(STATUSES)],
        ])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "yyyy-mm-dd"
    wb.save(path)


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    box = tmp_path / "inbox"
    box.mkdir()
    # the larger file is read first and comes in first, though it is second in file order
    _leads(box / "a_leads.xlsx", 30, 0)
    _leads(box / "b_leads.xlsx", 80, 5)
    return box


def _shown(issues: list[Any]) -> list[tuple[Any, ...]]:
    return [(i.file, i.sheet, i.row, i.column, i.value, i.code, i.values, i.severity)
            for i in issues]


@pytest.mark.slow
def test_parts_put_back_together_are_the_sheet_read_whole(inbox: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(isolated, "STREAM_ROWS", 7)
    columns = {k: list(v) for k, v in Config().columns.items()}
    files = {f.name: f for f in read_inbox(inbox, columns, 2)}
    for name in ("a_leads.xlsx", "b_leads.xlsx"):
        here = read_file(inbox / name, name, columns)
        sent = files[name]
        assert [s.name for s in sent.sheets] == [s.name for s in here.sheets]
        for a, b in zip(sent.sheets, here.sheets, strict=True):
            assert a.kind is b.kind is SheetKind.LEADS
            assert a.rows == b.rows and len(a.rows) > 3 * 7  # in several parts
            assert a.row_count == b.row_count == len(a.rows)
        assert _shown(sent.issues) == _shown(here.issues)
        # equal texts are one object, across the parts too
        rows = sent.sheets[0].rows
        seen: dict[Any, Any] = {}
        for _, cells in rows:
            for value in cells:
                if isinstance(value, str):
                    assert seen.setdefault(value, value) is value


@pytest.mark.slow
def test_records_taken_part_by_part_are_the_records_of_the_whole(
        inbox: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(isolated, "STREAM_ROWS", 7)
    columns = {k: list(v) for k, v in Config().columns.items()}
    aliases = {"VIP客户": "H"}
    plain = read_records(read_inbox(inbox, columns, 2), AS_OF, release=True,
                         grade_aliases=aliases)
    ahead = Ahead(AS_OF, aliases)
    parts: list[tuple[str, int]] = []

    def rows_came(src, sheet, rows):  # type: ignore[no-untyped-def]
        parts.append((src.name, len(rows)))
        ahead.take_rows(src, sheet, rows)

    # one child at a time, the larger file first: its grade words are met first
    files = read_inbox(inbox, columns, 1, on_read=ahead.take, on_rows=rows_came)
    assert [name for name, _ in parts][0] == "b_leads.xlsx"
    assert sum(n for name, n in parts if name == "b_leads.xlsx") == 80
    assert all(not s.rows for f in files for s in f.sheets)  # taken as they came
    early = read_records(files, AS_OF, release=True, grade_aliases=aliases, ahead=ahead)
    assert ahead.done == {}
    pd.testing.assert_frame_equal(early.leads, plain.leads)
    assert len(early.leads) == 110
    assert _shown(early.issues) == _shown(plain.issues)
    words = [i for i in early.issues if i.code.name == "GRADE_WORDS"]
    assert [i.file for i in words] == ["a_leads.xlsx", "b_leads.xlsx"]  # in file order
    assert any(i.code.name.startswith("BAD") for i in early.issues)


@pytest.mark.slow
def test_a_reader_that_stops_between_parts_fails_its_file_alone(
        inbox: Path, monkeypatch: Any) -> None:
    """The child dies after sending part of b_leads: that file is an error, a_leads
    is read, and nothing of the parts that came (rows, issues, grade words) is left
    in the records."""
    monkeypatch.setattr(isolated, "STREAM_ROWS", 7)
    send = isolated._send

    def dying(src, fh):  # type: ignore[no-untyped-def]
        class Cut:
            writes = 0

            def write(self, data: bytes) -> None:
                if src.name == "b_leads.xlsx" and Cut.writes >= 8:  # the file and 3 parts
                    fh.flush()
                    os._exit(1)
                Cut.writes += 1
                fh.write(data)

            def flush(self) -> None:
                fh.flush()

        send(src, Cut())

    monkeypatch.setattr(isolated, "_send", dying)
    columns = {k: list(v) for k, v in Config().columns.items()}
    ahead = Ahead(AS_OF)
    parts: list[str] = []

    def rows_came(src, sheet, rows):  # type: ignore[no-untyped-def]
        parts.append(src.name)
        ahead.take_rows(src, sheet, rows)

    files = {f.name: f for f in read_inbox(inbox, columns, 2, on_read=ahead.take,
                                            on_rows=rows_came)}
    assert parts.count("b_leads.xlsx") == 3
    assert files["b_leads.xlsx"].status == "error" and files["a_leads.xlsx"].status == "ok"
    early = read_records(list(files.values()), AS_OF, release=True, ahead=ahead)
    only_a = read_records([read_file(inbox / "a_leads.xlsx", "a_leads.xlsx", columns)], AS_OF)
    pd.testing.assert_frame_equal(early.leads, only_a.leads)
    assert _shown(early.issues) == _shown(only_a.issues)
    assert all(i.file == "a_leads.xlsx" for i in early.issues)

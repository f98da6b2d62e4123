"""Month grids (domain.md §6): metrics down under 项目, a 负责人 column, days 1…31
across, then 合计 / 目标值 / 完成率 — each day one store-level activity row.

The workbooks are written by XlsxWriter as a store's template is: a merged title,
formulas with their cached values in 合计 and 完成率, one 合计 typed by hand and
wrong, day 8 and the days after the 22nd blank.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from cards import rows_of
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from leadbook.cli import main
from leadbook.config import Config
from leadbook.model import SheetKind
from leadbook.pipeline import analyse
from leadbook.read import read_file
from leadbook.read.month_grid import find_month_grid, metric_field
from leadbook.records import read_records

AS_OF = dt.date(2026, 11, 22)
# metric → (负责人, the base figure of a day): a day's value is base + day % 3.
METRICS = {
    "展厅首次来客批次": ("王经理", 10),
    "留档批次": ("王经理", 6),
    "再次来客批次": ("王经理", 3),
    "试乘试驾次数": ("李主管", 4),
    "展厅订单台数": ("李主管", 2),
    "展厅交车台数": ("李主管", 1),
    "新增DCC线索总量": ("赵DCC", 8),
    "首次邀约到店客户总数": ("赵DCC", 2),
}
FIELDS = {"展厅首次来客批次": "traffic", "留档批次": "kept", "试乘试驾次数": "test_drives",
          "展厅订单台数": "orders", "展厅交车台数": "deliveries"}
BLANK_DAY = 8
LAST_DAY = 22
WRONG_TOTAL = "留档批次"  # its 合计 is typed 5 too high


def day_value(metric: str, day: int) -> int | None:
    if day == BLANK_DAY or day > LAST_DAY:
        return None
    return METRICS[metric][1] + day % 3


def month_total(metric: str, days: range = range(1, 32)) -> int:
    return sum(v for d in days if (v := day_value(metric, d)) is not None)


def write_grid(path: Path, title: str | None = "2026年11月销售工作表",
               sheet: str = "销售日报") -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(sheet)
    bold = wb.add_format({"bold": True, "align": "center"})
    first = 1 if title else 0
    if title:
        ws.merge_range(0, 0, 0, 35, title, bold)
    ws.write_row(first, 0, ["项目", "负责人", *range(1, 32), "合计", "目标值", "完成率"], bold)
    for i, (metric, (owner, base)) in enumerate(METRICS.items()):
        r = first + 1 + i
        ws.write(r, 0, metric)
        ws.write(r, 1, owner)
        for day in range(1, 32):
            value = day_value(metric, day)
            if value is not None:
                ws.write(r, 1 + day, value)
        total = month_total(metric)
        if metric == WRONG_TOTAL:
            ws.write(r, 33, total + 5)
        else:
            ws.write_formula(r, 33, f"=SUM(C{r + 1}:AG{r + 1})", None, total)
        ws.write(r, 34, base * 30)
        ws.write_formula(r, 35, f"=AH{r + 1}/AI{r + 1}", None, total / (base * 30))
    wb.close()
    return path


def test_metric_names_are_read_by_their_parts() -> None:
    assert {m: metric_field(m) for m in METRICS} == {
        "展厅首次来客批次": "traffic", "留档批次": "kept", "再次来客批次": None,
        "试乘试驾次数": "test_drives", "展厅订单台数": "orders", "展厅交车台数": "deliveries",
        "新增DCC线索总量": None, "首次邀约到店客户总数": None,
    }


def test_each_day_is_one_store_level_activity_row(tmp_path: Path) -> None:
    src = read_file(write_grid(tmp_path / "grid.xlsx"), "grid.xlsx")
    assert src.status == "ok" and src.issues == []
    (sheet,) = src.sheets
    assert (sheet.kind, sheet.header_row, sheet.row_count) == (SheetKind.ACTIVITY, 2, 21)
    grid = sheet.grid
    assert grid is not None
    assert (grid.year, grid.month, grid.month_from) == (2026, 11, "title")
    assert sorted(grid.day_columns) == list(range(1, 32))  # 合计/目标值/完成率 are no days
    assert [(m.row, m.label, m.field) for m in grid.metrics] == [
        (3 + i, m, FIELDS.get(m)) for i, m in enumerate(METRICS)]

    records = read_records([src], AS_OF)
    days = [d for d in range(1, LAST_DAY + 1) if d != BLANK_DAY]
    assert [a.date for a in rows_of(records.activity)] == [dt.date(2026, 11, d) for d in days]
    for a in rows_of(records.activity):
        assert a.consultant is None and a.store_level  # 负责人 is never a consultant
        for metric, fld in FIELDS.items():
            assert getattr(a, fld) == day_value(metric, a.date.day)
        assert a.calls is None and a.invited_visits is None and a.lost is None
    flat = [(i.row, i.column, i.code) for i in records.issues]
    assert flat == [
        (4, "合计", "grid_total_mismatch"),
        (5, "项目", "grid_metric_not_counted"),
        (9, "项目", "grid_metric_not_counted"),
        (10, "项目", "grid_metric_not_counted"),
    ]
    mismatch = records.issues[0]
    assert mismatch.value == str(month_total(WRONG_TOTAL) + 5)
    assert f"合计 {month_total(WRONG_TOTAL) + 5} 与各日之和 {month_total(WRONG_TOTAL)}" \
        in mismatch.message("zh")
    assert records.issues[1].value == "再次来客批次"
    assert f"(合计 {month_total('再次来客批次')})" in records.issues[1].message("zh")


def test_the_month_from_sheet_name_file_name_else_as_of(tmp_path: Path) -> None:
    by_sheet = read_file(write_grid(tmp_path / "a.xlsx", None, "10月"), "a.xlsx")
    acts = rows_of(read_records([by_sheet], AS_OF).activity)
    assert acts[0].date == dt.date(2026, 10, 1) and by_sheet.sheets[0].grid.month_from == "sheet"

    by_file = read_file(write_grid(tmp_path / "2026年9月日报.xlsx", None, "日报"),
                        "2026年9月日报.xlsx")
    records = read_records([by_file], AS_OF)
    assert rows_of(records.activity)[0].date == dt.date(2026, 9, 1)
    assert "grid_month_assumed" not in [i.code for i in records.issues]

    # Only the month, later than the as-of month: last year's.
    dec = read_file(write_grid(tmp_path / "b.xlsx", None, "12月"), "b.xlsx")
    assert rows_of(read_records([dec], AS_OF).activity)[0].date == dt.date(2025, 12, 1)

    unnamed = read_file(write_grid(tmp_path / "c.xlsx", None, "日报"), "c.xlsx")
    records = read_records([unnamed], AS_OF)
    assert rows_of(records.activity)[0].date == dt.date(2026, 11, 1)
    assumed = [i for i in records.issues if i.code == "grid_month_assumed"]
    assert [(i.row, i.sheet) for i in assumed] == [(1, "日报")]
    assert "2026年11月" in assumed[0].message("zh")


def test_november_has_no_31st(tmp_path: Path) -> None:
    path = write_grid(tmp_path / "grid.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.active.cell(3, 33).value = 7  # 展厅首次来客批次 on "31"
    wb.save(path)
    records = read_records([read_file(path, "grid.xlsx")], AS_OF)
    assert max(a.date for a in rows_of(records.activity)) == dt.date(2026, 11, LAST_DAY)
    outside = [(i.row, i.column, i.value) for i in records.issues
               if i.code == "grid_day_outside_month"]
    assert outside == [(3, "31", "7")]


def test_an_attendance_sheet_is_no_month_grid(tmp_path: Path) -> None:
    wb = xlsxwriter.Workbook(str(tmp_path / "kq.xlsx"))
    ws = wb.add_worksheet("考勤")
    ws.write_row(0, 0, ["姓名", "岗位", *range(1, 32), "出勤天数"])
    for r, name in enumerate(["张伟", "李娜", "王强"], 1):
        ws.write_row(r, 0, [name, "销售顾问", *["√"] * 31, 31])
    wb.close()
    src = read_file(tmp_path / "kq.xlsx", "kq.xlsx")
    assert [(s.kind, s.grid) for s in src.sheets] == [(SheetKind.IGNORED, None)]


@pytest.mark.slow
def test_funnel_and_consultant_table_from_a_month_grid(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_grid(inbox / "grid.xlsx")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["process", str(inbox), "--out", str(out),
                                       "--as-of", AS_OF.isoformat()], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["period"] == {"start": "2026-11-01", "end": "2026-11-22"}
    traffic, kept = month_total("展厅首次来客批次"), month_total("留档批次")
    assert (summary["funnel"]["traffic"], summary["funnel"]["kept"]) == (traffic, kept) == (230, 146)
    (entry,) = summary["files"][0]["sheets"]
    assert entry == {"name": "销售日报", "kind": "activity", "rows": 21, "layout": "month_grid",
                     "unmapped_metrics": {m: month_total(m) for m in
                                          ("再次来客批次", "新增DCC线索总量", "首次邀约到店客户总数")}}
    report = openpyxl.load_workbook(out / "report.xlsx", read_only=True)
    problems = [r for r in report["数据问题"].iter_rows(values_only=True)]
    assert any("grid_total_mismatch" in r for r in problems)
    assert sum("grid_metric_not_counted" in r for r in problems) == 3

    # The annotated copy says it on the metric rows, in 提示.
    copy = openpyxl.load_workbook(out / "annotated" / "grid.xlsx").active
    header = [c.value for c in copy[2]]
    hint = header.index("提示") + 1
    assert f"合计 {month_total(WRONG_TOTAL) + 5}" in copy.cell(4, hint).value
    assert "再次来客批次" in copy.cell(5, hint).value
    assert copy.cell(3, hint).value is None

    analysis = analyse(inbox, Config(), AS_OF)
    table = analysis.outcome.consultants.set_index("consultant")
    assert list(table.index) == ["(全店)"]
    assert table.loc["(全店)", "traffic"] == traffic


def _daily(path: Path, days: range) -> dict[int, int]:
    """A per-consultant daily report for ``days`` of November: traffic by day."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("日报")
    ws.write_row(0, 0, ["日期", "销售顾问", "来店批次", "留档数", "试驾数"])
    date_format = wb.add_format({"num_format": "yyyy-mm-dd"})
    traffic: dict[int, int] = {}
    r = 1
    for day in days:
        for who, n in (("张伟", 3), ("李娜", 4)):
            ws.write_datetime(r, 0, dt.datetime(2026, 11, day), date_format)
            ws.write_row(r, 1, [who, n, 2, 1])
            traffic[day] = traffic.get(day, 0) + n
            r += 1
    wb.close()
    return traffic


@pytest.mark.slow
def test_a_grid_and_a_daily_report_for_the_same_days_count_once(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_grid(inbox / "grid.xlsx")
    daily = _daily(inbox / "daily.xlsx", range(16, 23))
    analysis = analyse(inbox, Config(), AS_OF)
    funnel = analysis.outcome.summary["funnel"]
    from_grid = month_total("展厅首次来客批次", range(1, 16))
    assert funnel["traffic"] == from_grid + sum(daily.values()) == 153 + 49
    by_day: dict[dt.date, set[bool]] = {}
    for a in rows_of(analysis.records.activity):
        by_day.setdefault(a.date, set()).add(a.store_level)
    assert all(len(kinds) == 1 for kinds in by_day.values())  # never both for one day
    (overlap,) = [i for i in analysis.outcome.issues if i.code == "grid_overlaps_daily"]
    assert (overlap.file, overlap.sheet) == ("grid.xlsx", "销售日报")
    assert "2026-11-16 至 2026-11-22 中 7 天" in overlap.message("zh")
    assert "漏斗只计按顾问的日报" in overlap.message("zh") and "daily.xlsx 日报" in overlap.message("zh")
    assert f"来店 {sum(daily.values())}" in overlap.message("zh")
    assert f"来店 {month_total('展厅首次来客批次', range(16, 23))}" in overlap.message("zh")
    table = analysis.outcome.consultants.set_index("consultant")
    assert table.loc["(全店)", "traffic"] == from_grid
    assert table.loc["张伟", "traffic"] == 3 * 7


def test_two_month_grids_for_the_same_month_count_once(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_grid(inbox / "a_grid.xlsx")
    write_grid(inbox / "b_copy.xlsx")
    analysis = analyse(inbox, Config(), AS_OF)
    assert analysis.outcome.summary["funnel"]["traffic"] == month_total("展厅首次来客批次")
    assert {a.file for a in rows_of(analysis.records.activity)} == {"a_grid.xlsx"}
    (overlap,) = [i for i in analysis.outcome.issues if i.code == "grid_overlaps_daily"]
    assert overlap.file == "b_copy.xlsx"
    assert "另一份月报表 (a_grid.xlsx 销售日报)" in overlap.message("zh")
    assert "中 21 天" in overlap.message("zh")


def test_store_level_crosscheck_against_the_cards(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_grid(inbox / "grid.xlsx")
    wb = xlsxwriter.Workbook(str(inbox / "leads.xlsx"))
    ws = wb.add_worksheet("意向客户")
    ws.write_row(0, 0, ["客户姓名", "联系电话", "销售顾问", "首次接触日期", "预计购车时间"])
    kept_nov_1 = day_value("留档批次", 1)
    assert kept_nov_1 is not None
    for i in range(kept_nov_1):  # as many cards on Nov 1 as the grid's 留档
        ws.write_row(1 + i, 0, [f"客户{i}", f"1390000{i:04d}", "张伟", "2026-11-01", "3个月内"])
    ws.write_row(1 + kept_nov_1, 0, ["多一位", "13900009999", "李娜", "2026-11-02", "3个月内"])
    wb.close()
    analysis = analyse(inbox, Config(), AS_OF)
    cross = analysis.outcome.crosscheck.set_index("date")
    assert cross.loc[dt.date(2026, 11, 1), "difference"] == 0
    assert cross.loc[dt.date(2026, 11, 2), "reported"] == day_value("留档批次", 2)
    assert cross.loc[dt.date(2026, 11, 2), "cards"] == 1
    assert set(cross["consultant"]) == {"(全店)"}


_CELL = st.one_of(st.none(), st.integers(-5, 40), st.floats(allow_nan=True),
                  st.sampled_from(["项目", "合计", "负责人", "留档批次", "展厅订单台数", "1日", "2号",
                                   "2026年11月", "目标值"]),
                  st.text(max_size=6))


@pytest.mark.slow
@given(st.lists(st.lists(_CELL, max_size=40), max_size=25), st.text(max_size=10))
@settings(max_examples=200, deadline=None)
def test_any_grid_of_values_never_crashes_the_month_grid_reader(
        cells: list[list[Any]], name: str) -> None:
    grid = find_month_grid(cells, name)
    if grid is not None:
        assert len(grid.day_columns) >= 7
        assert sum(m.field is not None for m in grid.metrics) >= 2
        assert grid.month is None or 1 <= grid.month <= 12

"""Sheets recognised by their header, and their data rows (domain.md §6)."""

from __future__ import annotations

import datetime as dt

import pytest

from leadbook.model import Severity, SheetKind
from leadbook.read.grid import RawSheet
from leadbook.read.sheets import classify, data_rows, header_issues, is_total_row, used_width

LEAD_HEADER = ["客户姓名", "联系电话", "销售顾问", "信息来源", "预计购车时间", "客户级别", "状态"]


def _sheet(cells, name="Sheet1", hidden=False) -> RawSheet:
    return RawSheet(name, hidden, cells)


def test_lead_sheet_rows_are_excel_rows() -> None:
    cells = [
        ["意向客户管理卡", None, None, None, None, None, None],
        LEAD_HEADER,
        ["王先生", 13800138000.0, "张伟", "汽车之家", "3个月内", "A", "跟进中"],
        [None, None, None, None, None, None, None],  # blank
        [" ", "", None, None, None, None, None],  # only spaces: blank too
        ["李女士", "13900000000", "李娜", None, None, "B", None, None, None],
        ["合计", None, None, None, None, None, None],
    ]
    sheet = classify(_sheet(cells))
    assert sheet.kind is SheetKind.LEADS
    assert (sheet.header_row, sheet.header_rows) == (2, 1)
    assert [row for row, _ in sheet.rows] == [3, 6]
    assert sheet.rows[0][1][0] == "王先生"
    assert sheet.width == 7  # the trailing blank cells of row 6 are not used columns
    assert header_issues(sheet, "a.xlsx") == []


def test_leads_without_a_phone_column_are_still_leads_with_an_error() -> None:
    sheet = classify(_sheet([["客户姓名", "销售顾问", "意向车型"], ["王先生", "张伟", "星越L"]],
                            name="卡片"))
    assert sheet.kind is SheetKind.LEADS
    [issue] = header_issues(sheet, "cards.xlsx")
    assert (issue.file, issue.sheet, issue.row, issue.code, issue.severity) == (
        "cards.xlsx", "卡片", 1, "missing_column", Severity.ERROR)
    assert "联系电话" in issue.message("zh")


def test_too_few_lead_fields_is_not_a_lead_sheet() -> None:
    assert classify(_sheet([["客户姓名", "联系电话"], ["王先生", "138"]])).kind is SheetKind.IGNORED
    # three fields but neither phone nor name
    sheet = classify(_sheet([["销售顾问", "意向车型", "状态"], ["张伟", "星越L", "跟进中"]]))
    assert sheet.kind is SheetKind.IGNORED


def test_activity_sheet() -> None:
    cells = [
        ["销售活动日报表"],
        ["日期", "销售顾问", "来店批次", "留档数", "订单"],
        [dt.date(2026, 11, 16), "张伟", 6, 3, 1],
        ["合计", None, 6, 3, 1],
    ]
    sheet = classify(_sheet(cells))
    assert sheet.kind is SheetKind.ACTIVITY
    assert sheet.header_row == 2 and [r for r, _ in sheet.rows] == [3]
    assert header_issues(sheet, "d.xlsx") == []


def test_activity_sheet_without_consultant() -> None:
    sheet = classify(_sheet([["日期", "来店批次", "订单"], [dt.date(2026, 11, 16), 6, 1]]))
    assert sheet.kind is SheetKind.ACTIVITY
    assert [i.code for i in header_issues(sheet, "d.xlsx")] == ["missing_column"]


def test_activity_needs_two_counts() -> None:
    assert classify(_sheet([["日期", "销售顾问", "订单"]])).kind is SheetKind.IGNORED


def test_spend_sheet() -> None:
    sheet = classify(_sheet([["月份", "渠道", "费用（元）"], ["2026-11", "汽车之家", 120000]]))
    assert sheet.kind is SheetKind.SPEND
    assert sheet.columns == {"date": 0, "source": 1, "amount": 2}
    assert header_issues(sheet, "s.xlsx") == []


def test_hidden_instruction_sheet_is_ignored_and_stays_hidden() -> None:
    cells = [["栏位", "说明"], ["客户姓名", "必填"], ["联系电话", "必填"], ["客户级别", "A–D"]]
    sheet = classify(_sheet(cells, name="填表说明", hidden=True))
    assert (sheet.kind, sheet.hidden, sheet.rows, sheet.width) == (SheetKind.IGNORED, True, [], 2)


def test_extra_header_words_from_the_config() -> None:
    cells = [["客户全名", "客户手机", "所属顾问", "状态"], ["王先生", "138", "张伟", "跟进中"]]
    assert classify(_sheet(cells)).kind is SheetKind.IGNORED
    extra = {"name": ["客户全名"], "phone": ["客户手机"], "consultant": ["所属顾问"]}
    sheet = classify(_sheet(cells), extra)
    assert sheet.kind is SheetKind.LEADS
    assert sheet.columns == {"name": 0, "phone": 1, "consultant": 2, "status": 3}


def test_extra_words_apply_to_every_kind_with_that_field() -> None:
    cells = [["统计日期", "来店批次", "订单"], [dt.date(2026, 11, 16), 6, 1]]
    sheet = classify(_sheet(cells), {"date": ["统计日期"]})
    assert sheet.kind is SheetKind.ACTIVITY and sheet.columns["date"] == 0


def test_two_row_header_rows_start_below_it() -> None:
    cells = [
        ["客戶資訊", None, None, "跟進情況", None],
        ["客戶姓名", "聯繫電話", "銷售顧問", "首次接觸日期", "狀態"],
        ["王先生", 13800138000.0, "張偉", dt.date(2026, 11, 2), "跟進中"],
    ]
    sheet = classify(_sheet(cells))
    assert (sheet.kind, sheet.header_row, sheet.header_rows) == (SheetKind.LEADS, 2, 2)
    assert sheet.headers["phone"] == "聯繫電話"
    assert [r for r, _ in sheet.rows] == [3]


@pytest.mark.parametrize(
    "first",
    ["合计", "合計", "总计", "總計", "小计", "小計：", " 合 计 ", "Total", "TOTAL:", "ＴＯＴＡＬ",
     "total (all)", "【合计】", "合计说明"],
)
def test_total_rows(first: str) -> None:
    assert is_total_row([None, first, 12, 3])


@pytest.mark.parametrize(
    "row",
    [["小明", "138"], ["王总", "139"], ["客户合计"], [1, "合计"], [dt.date(2026, 1, 1), "合计"],
     [None, None], []],
)
def test_not_total_rows(row: list) -> None:
    assert not is_total_row(row)


def test_data_rows_from_the_start_index() -> None:
    cells = [["h"], ["a"], [None], ["b"], ["合计"], ["c"]]
    assert data_rows(cells, 1) == [(2, ["a"]), (4, ["b"]), (6, ["c"])]


def test_used_width() -> None:
    assert used_width([]) == 0
    assert used_width([[None, "a", None, "  "], ["b"], [None, None, None, None, None]]) == 2

"""Header text normalisation and finding the header row (domain.md §6)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadbook.read.headers import (
    find_header,
    normalise_header,
    normalise_text,
    with_extra,
)
from leadbook.vocab import ACTIVITY_FIELDS, LEAD_FIELDS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("客户姓名", "客户姓名"),
        ("  客户姓名  ", "客户姓名"),
        ("客戶姓名", "客户姓名"),  # traditional → simplified
        ("聯繫電話", "联系电话"),
        ("金额（元）", "金额"),  # full-width brackets, a unit
        ("金额(元)", "金额"),
        ("金额【元】", "金额"),
        ("金额［万元］", "金额"),
        ("下次跟进日期(计划)", "下次跟进日期"),
        ("联系 电话", "联系电话"),
        ("联系\u3000电话", "联系电话"),  # ideographic space
        ("销售顾问：", "销售顾问"),
        ("销售顾问:", "销售顾问"),
        ("*客户姓名", "客户姓名"),  # required-field star
        ("【客户姓名】", "客户姓名"),  # all in brackets: the words stay
        ("ＰＨＯＮＥ", "phone"),  # full-width Latin, lower-cased
        ("Total", "total"),
        ("", ""),
    ],
)
def test_normalise_header(text: str, expected: str) -> None:
    assert normalise_header(text) == expected


def test_normalise_text_keeps_units_and_case() -> None:
    assert normalise_text(" 金额（元） ") == "金额(元)"
    assert normalise_text("跟進中") == "跟进中"
    assert normalise_text("Ａ級") == "A级"
    assert normalise_text("ABC") == "ABC"


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(st.text())
def test_normalise_header_is_idempotent_and_never_crashes(text: str) -> None:
    once = normalise_header(text)
    assert normalise_header(once) == once


BRACKET_SOUP = "()[]【】〔〕<>:：*＊ \u3000（）" + "ＡａＫß客戶金額元級\t⑴"


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(BRACKET_SOUP)), max_size=16))
def test_normalise_header_idempotent_on_bracket_soup(text: str) -> None:
    once = normalise_header(text)
    assert normalise_header(once) == once


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.text())
def test_normalise_text_is_idempotent_and_never_crashes(text: str) -> None:
    once = normalise_text(text)
    assert normalise_text(once) == once


LEAD_HEADER = ["序号", "客户姓名", "联系电话", "销售顾问", "信息来源", "预计购车时间", "客户级别",
               "状态"]


def test_header_below_title_rows() -> None:
    cells = [
        ["意向客户管理卡", None, None],
        [None, None, None],
        ["门店: XX汽车4S店", None, "2026年11月"],
        LEAD_HEADER,
        [1, "王先生", "13800138000", "张伟", "汽车之家", "3个月内", "A", "跟进中"],
    ]
    found = find_header(cells, LEAD_FIELDS)
    assert found is not None
    row, columns, headers, rows = found
    assert (row, rows) == (3, 1)
    assert columns == {"name": 1, "phone": 2, "consultant": 3, "source": 4, "horizon": 5,
                       "grade": 6, "status": 7}
    assert headers["phone"] == "联系电话"


def test_header_text_is_kept_as_written() -> None:
    cells = [["客戶姓名 ", "聯繫電話（手機）", "銷售顧問："]]
    found = find_header(cells, LEAD_FIELDS)
    assert found is not None
    assert found.headers == {"name": "客戶姓名", "phone": "聯繫電話（手機）",
                             "consultant": "銷售顧問："}
    # "联系电话(手机)" drops the bracket, so it is 联系电话.
    assert found.columns == {"name": 0, "phone": 1, "consultant": 2}


def test_group_row_above_the_header() -> None:
    cells = [
        ["客户信息", None, None, "跟进情况", None, None],
        ["客户姓名", "联系电话", "销售顾问", "首次接触日期", "客户级别", "状态"],
        ["王先生", 13800138000, "张伟", None, "A", "跟进中"],
    ]
    found = find_header(cells, LEAD_FIELDS)
    assert found is not None
    assert (found.row, found.rows, found.score) == (1, 2, 6)


def test_header_cells_merged_down_from_the_group_row() -> None:
    # 客户姓名 / 联系电话 / 销售顾问 span rows 1–2; 跟进情况 groups three columns.
    cells = [
        ["客户姓名", "联系电话", "销售顾问", "跟进情况", None, None, "状态"],
        [None, None, None, "首次接触日期", "最近跟进日期", "预计购车时间", None],
        ["王先生", 13800138000, "张伟", None, None, "3个月内", "跟进中"],
    ]
    found = find_header(cells, LEAD_FIELDS)
    assert found is not None
    assert (found.row, found.rows) == (1, 2)
    assert found.columns == {"name": 0, "phone": 1, "consultant": 2, "first_contact": 3,
                             "last_contact": 4, "horizon": 5, "status": 6}


def test_a_data_row_naming_a_field_does_not_move_the_header() -> None:
    cells = [
        ["客户姓名", "联系电话", "销售顾问", "状态", None],
        ["王先生", "13800138000", None, "跟进中", "备注"],  # a stray word in a data row
    ]
    found = find_header(cells, LEAD_FIELDS)
    assert found is not None
    assert (found.row, found.rows) == (0, 1)


def test_each_field_takes_its_first_column() -> None:
    cells = [["客户姓名", "手机", "手机号码", "销售顾问", "顾问"]]
    found = find_header(cells, LEAD_FIELDS)
    assert found is not None
    assert found.columns == {"name": 0, "phone": 1, "consultant": 3}


def test_the_more_specific_word_wins() -> None:
    # domain.md §6: 手机 over 电话; 销售顾问 / 营销员 over 建档人 / 负责人.
    cells = [["客户姓名", "电话", "建档人", "手机", "负责人", "营销员"]]
    found = find_header(cells, LEAD_FIELDS)
    assert found is not None
    assert found.columns == {"name": 0, "phone": 3, "consultant": 5}
    found = find_header([["客户姓名", "联系电话", "负责人", "首次接触日期"]], LEAD_FIELDS)
    assert found is not None and found.columns == {
        "name": 0, "phone": 1, "consultant": 2, "first_contact": 3}


def test_words_are_matched_whole() -> None:
    # 跟进日期 is last_contact; 下次跟进日期 is next_contact, never both.
    cells = [["客户", "下次跟进日期", "跟进日期", "客户姓名"]]
    found = find_header(cells, LEAD_FIELDS)
    assert found is not None
    assert found.columns == {"name": 0, "next_contact": 1, "last_contact": 2}


def test_header_beyond_the_first_twenty_rows_is_not_found() -> None:
    cells = [[None]] * 20 + [LEAD_HEADER]
    assert find_header(cells, LEAD_FIELDS) is None
    assert find_header([[None]] * 19 + [LEAD_HEADER], LEAD_FIELDS) is not None


def test_no_header() -> None:
    assert find_header([], LEAD_FIELDS) is None
    assert find_header([[1, 2.5, None, True]], LEAD_FIELDS) is None


def test_extra_words_win_over_built_in_ones() -> None:
    fields = with_extra(LEAD_FIELDS, {"phone": ["客户手机", "客户"], "nonsense": ["x"]})
    cells = [["客户", "客户手机", "顾问"]]
    found = find_header(cells, fields)
    assert found is not None
    assert found.columns == {"phone": 0, "consultant": 2}  # 客户 is now a phone word
    assert "客户手机" in fields["phone"] and "客户" not in fields["name"]


def test_activity_header() -> None:
    cells = [["销售活动日报表"], ["日期", "销售顾问", "来店批次", "留档数", "订单", "交车", "战败"]]
    found = find_header(cells, ACTIVITY_FIELDS)
    assert found is not None
    assert found.row == 1
    assert list(found.columns) == ["date", "consultant", "traffic", "kept", "orders",
                                   "deliveries", "lost"]

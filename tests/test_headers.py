"""Header text as stores write it, and the store's own header words (domain.md §6, §7)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import xlsxwriter
from cards import rows_of
from click.testing import CliRunner
from hypothesis import example, given, settings
from hypothesis import strategies as st

from leadbook.cli import main
from leadbook.config import load_config
from leadbook.model import SheetKind
from leadbook.pipeline import analyse
from leadbook.read import RawSheet, classify, normalise_header
from leadbook.read.headers import HEADER_SEARCH_ROWS

AS_OF = dt.date(2026, 11, 22)

FORMS = [
    # trimming and spaces, inside too (Alt+Enter in a header cell, the ideographic space)
    ("客户姓名", "客户姓名"),
    ("  客户姓名\t", "客户姓名"),
    ("客户\n姓名", "客户姓名"),
    ("客　户　姓　名", "客户姓名"),
    # full width → half width
    ("ＰＨＯＮＥ", "phone"),
    ("ＴＯＴＡＬ", "total"),
    ("客户姓名：", "客户姓名"),
    ("＊联系电话", "联系电话"),
    ("*客户姓名", "客户姓名"),
    # traditional → simplified
    ("客戶姓名", "客户姓名"),
    ("聯繫電話", "联系电话"),
    ("銷售顧問", "销售顾问"),
    ("首次接觸日期", "首次接触日期"),
    ("預計購車時間", "预计购车时间"),
    ("客戶級別", "客户级别"),
    ("狀態", "状态"),
    ("合計", "合计"),
    # a bracketed unit or remark, in every bracket kind, dropped
    ("金额（元）", "金额"),
    ("金额(元)", "金额"),
    ("金额 (元)", "金额"),
    ("金额［万元］", "金额"),
    ("金额[万元]", "金额"),
    ("金额【元】", "金额"),
    ("金额〔元〕", "金额"),
    ("金额｛万元｝", "金额"),
    ("金额﹙元﹚", "金额"),
    ("金额<元>", "金额"),
    ("金额〈元〉", "金额"),
    ("金额「元」", "金额"),
    ("金额『元』", "金额"),
    ("金額（萬元）", "金额"),
    ("来店批次(批)", "来店批次"),
    ("预计购车时间（月）", "预计购车时间"),
    ("下次跟进日期（计划）", "下次跟进日期"),
    ("联系电话（必填）", "联系电话"),
    ("手机号（+86）", "手机号"),
    ("客戶級別（Ａ／Ｂ／Ｃ／Ｄ）", "客户级别"),
    ("（元）金额", "金额"),
    ("金额((元))", "金额"),
    # a header that is nothing but brackets keeps its words
    ("【客户姓名】", "客户姓名"),
    ("（联系电话）", "联系电话"),
    # an unclosed bracket is no bracketed part
    ("金额(元", "金额(元"),
    ("", ""),
]


@pytest.mark.parametrize(("text", "expected"), FORMS)
def test_normalise_header_forms(text: str, expected: str) -> None:
    assert normalise_header(text) == expected


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=()), max_size=40))
@example("((((((((((元))))))))))")
@example("x" + "(" * 30 + "元" + ")" * 30)
@example("\ud800客户")  # a lone surrogate, as a damaged file can hold
@example("ﬃ（元）")
@example("İ(元)")
def test_normalise_header_is_idempotent_and_never_raises(text: str) -> None:
    once = normalise_header(text)
    assert isinstance(once, str)
    assert normalise_header(once) == once


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["客户姓名", "联系电话", "销售顾问", "首次接触日期", "客戶級別", "狀態"]),
    st.sampled_from(["", "（元）", "(必填)", "【万元】", "［月］", "｛次｝", "「必填」"]),
    st.sampled_from(["", " ", "　", "\n", "：", "*"]),
)
def test_decorated_header_words_match_the_plain_word(word: str, unit: str, pad: str) -> None:
    assert normalise_header(pad + word + unit + pad) == normalise_header(word)


# --------------------------------------------------------------------------
# Where the header may be
# --------------------------------------------------------------------------

HEADER = ["客户姓名", "联系电话", "销售顾问", "首次接触日期"]
ROW = ["王先生", "13800000001", "张伟", "2026-11-02"]


def _sheet(title_rows: int) -> RawSheet:
    cells: list[list[object]] = [[f"说明第{i + 1}行", None, None, None] for i in range(title_rows)]
    return RawSheet("客户", False, [*cells, list(HEADER), list(ROW)])


def test_header_on_the_last_searched_row_is_found() -> None:
    sheet = classify(_sheet(HEADER_SEARCH_ROWS - 1))
    assert HEADER_SEARCH_ROWS == 20
    assert (sheet.kind, sheet.header_row) == (SheetKind.LEADS, 20)
    assert [r for r, _ in sheet.rows] == [21]


def test_header_below_the_searched_rows_is_not_a_header() -> None:
    assert classify(_sheet(HEADER_SEARCH_ROWS)).kind is SheetKind.IGNORED


# --------------------------------------------------------------------------
# The store's own header words: [columns] in the config
# --------------------------------------------------------------------------

OWN_HEADER = ["客户姓名", "客户手机", "销售顾问", "首次接触日期", "客户级别"]
OWN_ROWS = [
    ["王先生", "13800000001", "张伟", "2026-11-02", "A"],
    ["李女士", "139-0000-0002", "李娜", "2026-11-03", "B"],
]


def test_extra_word_names_the_phone_column() -> None:
    raw = RawSheet("客户", False, [OWN_HEADER, *OWN_ROWS])
    plain = classify(raw)
    assert plain.kind is SheetKind.LEADS and "phone" not in plain.columns
    own = classify(raw, {"phone": ["客户手机"]})
    assert own.columns["phone"] == 1
    assert own.headers["phone"] == "客户手机"


def test_extra_word_is_normalised_like_the_header() -> None:
    """A word given in traditional or full-width form matches the header all the same."""
    raw = RawSheet("客户", False, [["客户姓名", "客戶手機（必填）", "销售顾问"],
                                   ["王", "13800000001", "张"]])
    assert classify(raw, {"phone": ["客戶手機"]}).columns["phone"] == 1


def test_extra_word_makes_an_unrecognised_sheet_a_lead_sheet() -> None:
    raw = RawSheet("客户", False, [["客户", "客户手机", "经办"], ["王", "13800000001", "张"]])
    assert classify(raw).kind is SheetKind.IGNORED  # 客户 alone is too little
    sheet = classify(raw, {"phone": ["客户手机"], "consultant": ["经办"]})
    assert sheet.kind is SheetKind.LEADS
    assert sheet.columns == {"name": 0, "phone": 1, "consultant": 2}


@pytest.fixture()
def own_inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    wb = xlsxwriter.Workbook(inbox / "own.xlsx")
    ws = wb.add_worksheet("意向客户")
    ws.write_row(0, 0, OWN_HEADER)
    for r, row in enumerate(OWN_ROWS, 1):
        ws.write_row(r, 0, row)
    wb.close()
    (inbox / "leadbook.toml").write_text('[columns]\nphone = ["客户手机"]\n', encoding="utf-8")
    return inbox


def test_columns_from_the_inbox_config(own_inbox: Path) -> None:
    config = load_config(None, own_inbox)
    analysis = analyse(own_inbox, config, AS_OF)
    assert [lead.phone for lead in rows_of(analysis.leads)] == ["13800000001", "13900000002"]
    assert not [i for i in analysis.outcome.issues if i.code == "missing_column"]


@pytest.mark.slow
def test_columns_through_the_command_line(own_inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["process", str(own_inbox), "--out", str(out), "--as-of", AS_OF.isoformat(),
            "--jobs", "1"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    summary = (out / "summary.json").read_text(encoding="utf-8")
    assert "missing_column" not in summary
    # Without the config the column is not known: the manager is told.
    (own_inbox / "leadbook.toml").unlink()
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0
    assert '"code": "missing_column"' in (out / "summary.json").read_text(encoding="utf-8")

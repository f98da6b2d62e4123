"""Headers of DMS/CRM exports (domain.md §6): words by their parts, a second row of
field codes, grade words with ``[grading.aliases]``, and sheets that are not leads.

Every workbook is written by XlsxWriter in the test, laid out as the exports are.
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

from leadbook.cli import main
from leadbook.config import ConfigError, parse_config
from leadbook.model import SheetKind
from leadbook.read import read_file
from leadbook.records import read_records
from leadbook.vocab import LEAD_FIELDS

AS_OF = dt.date(2026, 11, 22)

DMS_HEADER = ["序号", "客户名称", "手机号码", "营销员", "建档人", "线索获得时间", "上次联系时间",
              "下次联系时间", "最近进店日期", "跟踪状态", "网络平台", "客户级别", "意向车型"]
DMS_CODES = ["No", "Name", "MobilePhone", "SalesName", "CreatedBy", "LeadTime", "LastContactTime",
             "NextContactTime", "LastVisitDate", "TrackStatus", "Platform", "CustomerLevel",
             "SeriesName"]
DMS_ROWS: list[list[Any]] = [
    [1, "王先生", "13812345678", "张伟", "DCC小刘", "2026-11-02 10:12", "2026-11-15 16:40",
     "2026-11-25", "2026-11-08", "跟进中", "汽车之家", "重点客户", "星越L"],
    [2, "李女士", "13987654321", "李娜", "DCC小刘", "2026-11-05 09:30", "2026-11-18 11:00",
     "2026-12-01", "", "跟进中", "懂车帝", "普通客户", "帝豪"],
    [3, "赵先生", "13700001111", "张伟", "DCC小刘", "2026-11-06 14:00", "2026-11-06 14:00",
     "", "", "战败", "易车", "VIP客户", "星瑞"],
    [4, "钱女士", "13600002222", "李娜", "DCC小刘", "2026-11-09 15:20", "2026-11-20 10:00",
     "2026-11-27", "", "跟进中", "汽车之家", "B", "星越L"],
]


def write_dms(path: Path, codes: bool = True) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("线索导出")
    ws.write_row(0, 0, DMS_HEADER)
    first = 1
    if codes:
        ws.write_row(1, 0, DMS_CODES)
        first = 2
    for i, row in enumerate(DMS_ROWS):
        ws.write_row(first + i, 0, row)
    wb.close()
    return path


def test_header_words_by_their_parts() -> None:
    lookup = {w: f for f, ws in LEAD_FIELDS.items() for w in ws}
    assert {w: lookup.get(w) for w in (
        "上次联系时间", "下次联系时间", "线索获得时间", "最近进店日期", "跟踪状态", "营销员",
        "最后回访日期", "计划回访时间", "客户分配日期", "所属顾问", "渠道来源", "意向状态",
    )} == {
        "上次联系时间": "last_contact", "下次联系时间": "next_contact",
        "线索获得时间": "first_contact", "最近进店日期": "last_contact", "跟踪状态": "status",
        "营销员": "consultant", "最后回访日期": "last_contact", "计划回访时间": "next_contact",
        "客户分配日期": "first_contact", "所属顾问": "consultant", "渠道来源": "source",
        "意向状态": "status",
    }
    # A service word is no consultant: 维修顾问 and 服务顾问 name none.
    assert lookup.get("维修顾问") is None and lookup.get("服务顾问") is None


def test_a_dms_export_with_a_field_code_row(tmp_path: Path) -> None:
    src = read_file(write_dms(tmp_path / "dms.xlsx"), "dms.xlsx")
    (sheet,) = src.sheets
    assert (sheet.kind, sheet.header_row) == (SheetKind.LEADS, 1)
    assert sheet.columns == {"name": 1, "phone": 2, "consultant": 3, "first_contact": 5,
                             "last_contact": 6, "next_contact": 7, "status": 9, "source": 10,
                             "grade": 11, "model": 12}
    assert [row for row, _ in sheet.rows] == [3, 4, 5, 6]  # the codes row 2 is header
    records = read_records([src], AS_OF)
    assert [(lead.row, lead.name, lead.phone, lead.consultant) for lead in rows_of(records.leads)] == [
        (3, "王先生", "13812345678", "张伟"), (4, "李女士", "13987654321", "李娜"),
        (5, "赵先生", "13700001111", "张伟"), (6, "钱女士", "13600002222", "李娜")]
    first = rows_of(records.leads)[0]
    assert (first.first_contact, first.last_contact, first.next_contact, first.source) == (
        dt.date(2026, 11, 2), dt.date(2026, 11, 15), dt.date(2026, 11, 25), "汽车之家")
    assert rows_of(records.leads)[2].status.value == "lost"
    assert [lead.grade_recorded for lead in rows_of(records.leads)] == [None, None, None, "B"]
    # The grade words: one issue for the sheet, naming them and the config line.
    assert [(i.row, i.column, i.code) for i in records.issues] == [(3, "客户级别", "grade_words")]
    message = records.issues[0].message("zh")
    for word in ("重点客户", "普通客户", "VIP客户", "[grading.aliases]", '"重点客户" = "A"'):
        assert word in message


def test_without_the_codes_row_the_first_data_row_is_row_2(tmp_path: Path) -> None:
    src = read_file(write_dms(tmp_path / "dms.xlsx", codes=False), "dms.xlsx")
    assert [row for row, _ in src.sheets[0].rows] == [2, 3, 4, 5]


def test_grade_aliases_map_the_words(tmp_path: Path) -> None:
    config = parse_config({"grading": {"aliases": {"重点客户": "A", "普通客户": "c",
                                                   "VIP客户": "a"}}})
    assert config.grade_aliases == {"重点客户": "A", "普通客户": "C", "VIP客户": "A"}
    src = read_file(write_dms(tmp_path / "dms.xlsx"), "dms.xlsx")
    records = read_records([src], AS_OF, grade_aliases=config.grade_aliases)
    assert [lead.grade_recorded for lead in rows_of(records.leads)] == ["A", "C", "A", "B"]
    assert records.issues == []
    with pytest.raises(ConfigError, match="grading.aliases.重点客户"):
        parse_config({"grading": {"aliases": {"重点客户": "Z"}}})


@pytest.mark.slow
def test_grade_aliases_through_the_command_line(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_dms(inbox / "dms.xlsx")
    out = tmp_path / "out"
    runner = CliRunner()
    args = ["process", str(inbox), "--out", str(out), "--as-of", AS_OF.isoformat()]
    assert runner.invoke(main, args, catch_exceptions=False).exit_code == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert [i["code"] for i in summary["issues"]].count("grade_words") == 1
    (inbox / "leadbook.toml").write_text(
        '[grading.aliases]\n"重点客户" = "A"\n"普通客户" = "C"\n"VIP客户" = "A"\n',
        encoding="utf-8")
    assert runner.invoke(main, args, catch_exceptions=False).exit_code == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert "grade_words" not in [i["code"] for i in summary["issues"]]
    assert summary["leads"]["rows"] == 4


WORK_ORDERS = ["工单号", "车牌号", "客户姓名", "联系电话", "车型", "维修顾问", "进厂日期", "结算金额",
               "状态"]


def write_service_and_leads(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("维修工单")
    ws.write_row(0, 0, WORK_ORDERS)
    ws.write_row(1, 0, ["WO2026110001", "浙A12345", "孙先生", "13500003333", "帝豪", "周师傅",
                        "2026-11-03", 860, "已结算"])
    ws.write_row(2, 0, ["WO2026110002", "浙A67890", "周女士", "13500004444", "星瑞", "周师傅",
                        "2026-11-04", 1200, "在修"])
    cards = wb.add_worksheet("意向客户")
    cards.write_row(0, 0, ["客户姓名", "联系电话", "销售顾问", "车牌号", "首次接触日期",
                           "最近跟进日期", "预计购车时间"])
    cards.write_row(1, 0, ["吴先生", "13800005555", "张伟", "浙A00001", "2026-11-10",
                           "2026-11-18", "3个月内"])
    wb.close()
    return path


def test_a_work_order_sheet_beside_a_lead_card(tmp_path: Path) -> None:
    src = read_file(write_service_and_leads(tmp_path / "mixed.xlsx"), "mixed.xlsx")
    assert src.status == "ok"
    assert [(s.name, s.kind) for s in src.sheets] == [
        ("维修工单", SheetKind.IGNORED), ("意向客户", SheetKind.LEADS)]
    assert src.message("zh").startswith("维修工单: 不是销售线索表: 表头有 工单号、车牌号、维修顾问、进厂日期")
    assert [(i.sheet, i.code) for i in src.issues] == [("维修工单", "sheet_ignored")]
    records = read_records([src], AS_OF)
    assert [(lead.sheet, lead.row, lead.name) for lead in rows_of(records.leads)] == [
        ("意向客户", 2, "吴先生")]  # a card with 车牌号 and a consultant is a lead card


@pytest.mark.slow
def test_a_roster_alone_is_read_as_ignored_with_its_reason(tmp_path: Path) -> None:
    wb = xlsxwriter.Workbook(str(tmp_path / "roster.xlsx"))
    ws = wb.add_worksheet("通讯录")
    ws.write_row(0, 0, ["姓名", "手机", "车型", "备注"])
    ws.write_row(1, 0, ["张伟", "13800001234", "星越L", "销售一组"])
    wb.close()
    inbox = tmp_path
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["process", str(inbox), "--out", str(out),
                                       "--as-of", AS_OF.isoformat()], catch_exceptions=False)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    (entry,) = summary["files"]
    assert entry["status"] == "ok", result.output
    assert entry["sheets"][0]["kind"] == "ignored" and entry["sheets"][0]["rows"] == 0
    assert "通讯录: 不是意向客户表: 表头只有 姓名、手机、车型、备注" in entry["message"]
    assert summary["leads"]["rows"] == 0
    report = openpyxl.load_workbook(out / "report.xlsx", read_only=True)
    problems = [r for r in report["数据问题"].iter_rows(values_only=True)]
    assert any("sheet_ignored" in r for r in problems)

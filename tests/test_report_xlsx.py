"""report.xlsx and due/<consultant>.xlsx, read back cell by cell."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from outcome_factory import (
    COST,
    FORMULA_NAME,
    FUNNEL,
    HYPERLINK_VALUE,
    SCRIPT_NAME,
    make_outcome,
    phone,
    tasks_frame,
)

from leadbook.labels import EN, ZH, Labels
from leadbook.write.report_xlsx import write_report
from leadbook.write.split import safe_name, write_split
from leadbook.write.xlsx_table import text_width

SHEETS_ZH = ["待跟进", "日程", "漏斗", "渠道", "顾问", "战败", "数据问题", "撞单与重复", "日报核对"]
SHEETS_EN = ["Due", "Schedule", "Funnel", "Channels", "Consultants", "Lost", "Data issues", "Duplicates",
             "Daily check"]
# In the order a consultant calls down the list, 原因 the last printed column; the rest
# (for filtering and finding the row) outside the printed area.
DUE_HEADER = ["销售顾问", "客户姓名", "联系电话", "任务", "应跟进日期", "逾期天数", "级别", "提醒",
              "意向车型", "信息来源", "原因", "类别", "紧急程度", "文件", "工作表", "行号"]
COL = {h: i for i, h in enumerate(DUE_HEADER)}


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    return write_report(make_outcome(), tmp_path_factory.mktemp("report") / "report.xlsx")


@pytest.fixture(scope="module")
def wb(report):
    return openpyxl.load_workbook(report)


def figures(ws) -> dict[str, object]:
    """The funnel sheet's metric → value pairs."""
    return {row[0].value: row[1] for row in ws.iter_rows(min_row=3, max_row=14)}


def test_sheets_in_order(wb):
    assert wb.sheetnames == SHEETS_ZH


def test_due_sheet(wb):
    ws = wb["待跟进"]
    assert ws["A1"].value == ("丰田XX汽车4S店 · 待跟进 · 2026-11-16 至 2026-11-22 · 截至 2026-11-22"
                              " · 应跟进 10 · 已逾期 7 · 未来7天 3 · 售后关怀 6 · 战败回访 3")
    assert [c.value for c in ws[2]] == DUE_HEADER
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 22
    first = dict(zip(DUE_HEADER, rows[0], strict=True))
    assert (first["销售顾问"], first["类别"], first["任务"], first["应跟进日期"], first["逾期天数"],
            first["紧急程度"], first["提醒"], first["客户姓名"]) == (
        "张伟", "跟进", "跟进", dt.datetime(2026, 11, 6), 16, "逾期", "建议准战败", "刘洋")
    assert first["联系电话"] == phone(0)  # the full number: consultants call from this list
    assert ws["C3"].data_type == "s"
    assert ws["E3"].number_format == "yyyy-mm-dd"
    assert ws["K3"].alignment.wrap_text  # 原因 wraps in its wide column
    # Grouped by consultant, most urgent first within each group.
    consultants = [r[0] for r in rows]
    assert consultants == sorted(consultants, key=["张伟", "李娜", "王磊/二组"].index)
    for who in ("张伟", "李娜", "王磊/二组"):
        late = [r[COL["逾期天数"]] for r in rows if r[0] == who]
        assert late == sorted(late, reverse=True)
    kinds = {r[COL["类别"]] for r in rows}
    assert kinds == {"跟进", "售后关怀", "战败回访"}
    assert {"感谢信", "经理致电", "保养提醒", "战败回访"} <= {r[COL["任务"]] for r in rows}
    # Printed: title to 原因, each consultant from the top of a page, the header repeated.
    assert ws.print_area == "'待跟进'!$A$1:$K$24"
    assert ws.print_title_rows == "$2:$2"
    starts = [i + 3 for i in range(1, len(rows)) if consultants[i] != consultants[i - 1]]
    assert [b.id for b in ws.row_breaks.brk] == [r - 1 for r in starts]


def test_funnel_and_cost_figures(wb):
    ws = wb["漏斗"]
    f = figures(ws)
    for key in ("traffic", "kept", "followed", "deals"):
        assert f[ZH[f"kpi.{key}"]].value == FUNNEL[key]
        assert f[ZH[f"kpi.{key}"]].number_format == "#,##0"
    for key in ("keep_rate", "follow_rate", "convert_rate"):
        assert f[ZH[f"kpi.{key}"]].value == pytest.approx(FUNNEL[key])
        assert f[ZH[f"kpi.{key}"]].number_format == "0.0%"
    cell = f["集客成本"]
    assert cell.value == 1300 and cell.number_format == "#,##0.00"
    assert f["战败成本"].value == 46800 and f["战败率"].value == pytest.approx(0.45)
    assert f["营销费用"].value == 104000 and f["战败数"].value == 36
    texts = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert "销量 = 客流量 × 信息留存率 × 跟踪互动率 × 最终转化率" in texts
    assert "12 = 200 × 40.0% × 75.0% × 20.0%" in texts
    assert "战败成本 = 战败数 × 月营销费用 / 月集客量" in texts
    assert "46,800.00 = 36 × 104,000.00 / 80" in texts


@pytest.mark.slow
def test_missing_figures_are_a_dash_never_zero(tmp_path):
    funnel = {**FUNNEL, "traffic": None, "keep_rate": None}
    cost = {k: None for k in COST}
    path = write_report(make_outcome(funnel=funnel, cost=cost), tmp_path / "report.xlsx")
    ws = openpyxl.load_workbook(path)["漏斗"]
    f = figures(ws)
    assert f["客流量"].value == "—" and f["信息留存率"].value == "—"
    assert f["集客成本"].value == "—" and f["战败成本"].value == "—"
    assert f["留档数"].value == 80
    texts = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert "12 = — × — × 75.0% × 20.0%" in texts
    channels = openpyxl.load_workbook(path)["渠道"]
    last = [c.value for c in channels[6]]
    assert last[0] == "老客户转介绍" and last[5:] == ["—", "—", "—", "—"]


def test_channel_consultant_lost_tables(wb):
    ws = wb["渠道"]
    assert [c.value for c in ws[2]] == ["信息来源", "线索数", "成交数", "战败数", "成交率",
                                        "营销费用", "集客成本", "单车获客成本", "战败成本"]
    assert [c.value for c in ws[3]][:5] == ["汽车之家", 32, 5, 14, pytest.approx(5 / 32)]
    assert ws["E3"].number_format == "0.0%" and ws["F3"].number_format == "#,##0.00"
    ws = wb["顾问"]
    header = [c.value for c in ws[2]]
    assert header[:8] == ["销售顾问", "客流量", "留档数", "信息留存率", "跟踪数", "跟踪互动率",
                          "成交数", "最终转化率"]
    assert header[8:] == ["A级", "B级", "C级", "D级", "N级", "应跟进", "已逾期", "未来7天",
                          "按时跟进率"]
    ws = wb["战败"]
    assert [ws.cell(2, c).value for c in (1, 2, 4, 5, 7, 8, 9)] == [
        "战败原因", "数量", "竞品", "数量", "信息来源", "战败数", "战败成本"]
    assert (ws["A3"].value, ws["B3"].value) == ("价格", 3)
    assert (ws["D3"].value, ws["E3"].value) == ("(未填)", 2)
    assert (ws["G3"].value, ws["H3"].value, ws["I3"].value) == ("汽车之家", 14, 21000)
    top = int(re.match(r"A(\d+)", ws.freeze_panes).group(1)) - 1
    assert ws.cell(top, 1).value == "销售顾问" and ws.cell(top, 5).value == "战败原因"
    assert ws.auto_filter.ref == f"A{top}:J{top + 6}"
    assert ws.print_title_rows == f"${top}:${top}"


def test_issues_duplicates_crosscheck(wb):
    ws = wb["数据问题"]
    # The problem in words first, the code in the last column.
    assert [c.value for c in ws[2]] == ["严重程度", "说明", "文件", "工作表", "行号", "列", "原值",
                                        "代码"]
    assert ws.max_row == 2 + 6
    assert [c.value for c in ws[7]][:4] == ["错误", "文件已损坏, 无法打开", "坏文件.xlsx", None]
    assert ws["H7"].value == "unreadable"
    ws = wb["撞单与重复"]
    assert [c.value for c in ws[3]][:5] == ["撞单", "13912340002", "张伟", "李娜", FORMULA_NAME]
    ws = wb["日报核对"]  # only the days that disagree, then a line counting those that agree
    assert [c.value for c in ws[3]] == ["李娜", dt.datetime(2026, 11, 17), 5, 3, 2]
    assert ws["A4"].value == "以上 1 天日报与当天建卡不一致; 另有 1 天一致"
    assert ws.max_row == 4


def test_workbook_text_stays_text(wb, report):
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
    hyperlink = [c for c in cells if str(c.value).startswith("=HYPERLINK(")]
    formula = [c for c in cells if c.value == FORMULA_NAME]
    script = [c for c in cells if c.value == SCRIPT_NAME]
    assert hyperlink and formula and script
    assert all(c.data_type == "s" for c in hyperlink + formula + script)
    assert hyperlink[0].value == HYPERLINK_VALUE
    assert not [c for c in cells if c.data_type == "f"]
    with zipfile.ZipFile(report) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert not any("<f>" in z.read(n).decode() for n in sheets)


def test_every_table_has_frozen_header_filter_and_print_setup(wb):
    for ws in wb:
        assert ws.freeze_panes is not None, ws.title
        assert ws.auto_filter.ref, ws.title
        header_row = int(re.match(r"A(\d+)", ws.freeze_panes).group(1)) - 1
        assert ws.auto_filter.ref.startswith(f"A{header_row}:"), ws.title
        assert ws.print_title_rows == f"${header_row}:${header_row}", ws.title
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert (ws.page_setup.fitToWidth or 1) == 1 and ws.page_setup.fitToHeight == 0
    assert wb["待跟进"].freeze_panes == "A3"
    assert wb["待跟进"].auto_filter.ref == "A2:P24"  # 22 tasks of the week


def test_widths_count_chinese_as_two(wb):
    assert text_width("张伟ab") == 6 and text_width("ＡＢ") == 4
    ws = wb["待跟进"]
    # 原因: the longest reason, Chinese counted double, within the 60 cap.
    longest = max(text_width(str(c.value)) for c in ws["M"][2:])
    assert ws.column_dimensions["M"].width >= longest
    assert ws.column_dimensions["A"].width >= text_width("销售顾问") + 2


def test_charts(report):
    with zipfile.ZipFile(report) as z:
        names = set(z.namelist())
        assert {"xl/charts/chart1.xml", "xl/charts/chart2.xml", "xl/charts/chart3.xml"} <= names
        rels = z.read("xl/worksheets/_rels/sheet3.xml.rels").decode()  # 漏斗, after 日程
        assert "../drawings/drawing1.xml" in rels
        assert "../charts/chart1.xml" in z.read("xl/drawings/_rels/drawing1.xml.rels").decode()
        funnel = z.read("xl/charts/chart1.xml").decode()
        assert "<c:barDir val=\"col\"/>" in funnel
        assert "漏斗!$A$3:$A$6" in funnel and "漏斗!$B$3:$B$6" in funnel
        for stage in ("客流量", "留档数", "跟踪数", "成交数"):
            assert f"<c:v>{stage}</c:v>" in funnel
        channels = z.read("xl/charts/chart2.xml").decode()
        assert "<c:barDir val=\"bar\"/>" in channels
        assert "<c:v>汽车之家</c:v>" in channels and "<c:v>线索数</c:v>" in channels


def test_english_workbook(tmp_path):
    wb = openpyxl.load_workbook(write_report(make_outcome("en"), tmp_path / "report.xlsx"))
    assert wb.sheetnames == SHEETS_EN
    ws = wb["Due"]
    assert [c.value for c in ws[2]][:6] == ["Consultant", "Customer", "Phone", "Task",
                                            "Due date", "Days late"]
    assert ws["D7"].value == "Thank-you letter" and ws["H3"].value == "Suggest quasi-lost"
    assert figures(wb["Funnel"])["Cost per lead"].value == 1300
    assert [c.value for c in wb["Consultants"][2]][8] == "Grade A"


def test_labels_cover_both_languages():
    assert set(ZH) == set(EN)
    assert Labels("en").word("task", "未知任务") == "未知任务"  # new pipeline words pass through
    assert Labels("xx").lang == "zh"


def test_empty_outcome(tmp_path):
    outcome = make_outcome(tasks=tasks_frame([]))
    outcome.issues.clear()
    for name in ("channels", "consultants", "lost", "crosscheck", "duplicates"):
        setattr(outcome, name, getattr(outcome, name).iloc[0:0])
    wb = openpyxl.load_workbook(write_report(outcome, tmp_path / "report.xlsx"))
    assert wb.sheetnames == SHEETS_ZH
    assert wb["待跟进"].auto_filter.ref == "A2:P2"
    assert wb["待跟进"]["A3"].value == "无"
    assert write_split(outcome, tmp_path / "due") == []


def test_split_one_workbook_per_consultant(tmp_path):
    outcome = make_outcome()
    paths = write_split(outcome, tmp_path / "due")
    assert [p.name for p in paths] == ["张伟.xlsx", "李娜.xlsx", "王磊_二组.xlsx"]
    for path, who in zip(paths, ("张伟", "李娜", "王磊/二组"), strict=True):
        ws = openpyxl.load_workbook(path).active
        assert ws.title == "待跟进"
        assert who in ws["A1"].value
        assert [c.value for c in ws[2]] == DUE_HEADER
        rows = list(ws.iter_rows(min_row=3, values_only=True))
        expected = outcome.tasks[outcome.tasks["consultant"] == who]
        assert len(rows) == len(expected)
        assert {r[0] for r in rows} == {who}
        assert [r[COL["联系电话"]] for r in rows] == list(expected["phone"])  # full numbers
        assert ws.freeze_panes == "A3" and ws.auto_filter.ref == f"A2:P{2 + len(rows)}"
        assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$2:$2"
    assert not list((tmp_path / "due").glob(".~leadbook-*"))


def test_safe_names():
    assert safe_name("王磊/二组") == "王磊_二组"
    assert safe_name('a<b>:"c"|?*') == "a_b_c_"
    assert safe_name("CON") == "_CON" and safe_name("lpt1.x") == "_lpt1.x"
    assert safe_name(" .. ") == "_" and safe_name("") == "_"
    # held in bytes as file systems count them (255 a name), not characters
    assert len(safe_name("长" * 300).encode("utf-8")) <= 200
    assert safe_name("长" * 300) == "长" * 66
    assert len(safe_name("😀" * 300).encode("utf-8")) <= 200
    # a phone number in a consultant's name is masked in the file name
    assert safe_name("张伟13812340301") == "张伟138＊＊＊＊0301"


@pytest.mark.slow
def test_split_names_that_collide(tmp_path):
    rows = make_outcome().tasks.copy()
    rows.loc[rows["consultant"] == "李娜", "consultant"] = "王磊_二组"
    outcome = make_outcome(tasks=rows.sort_values("consultant", kind="mergesort"))
    names = sorted(p.name for p in write_split(outcome, tmp_path / "due"))
    assert names == ["张伟.xlsx", "王磊_二组-2.xlsx", "王磊_二组.xlsx"]


@pytest.mark.client
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_report_converts_to_pdf(report, tmp_path):
    profile = tmp_path / "lo-profile"
    done = subprocess.run(
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(report)],
        capture_output=True, timeout=180,
    )
    pdf = tmp_path / "report.pdf"
    assert pdf.is_file(), done.stderr.decode(errors="replace")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= len(SHEETS_ZH)  # every sheet prints, one page wide
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                              text=True).stdout
        for expected in ("待跟进", "销售顾问", "13912340000", "客流量", "1,300.00", "46,800.00",
                         "12 = 200 × 40.0% × 75.0% × 20.0%", FORMULA_NAME, "=HYPERLINK("):
            assert expected in text, expected

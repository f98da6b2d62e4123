"""A run that explains itself (domain.md §7): nothing to work on, a header it
cannot read, its own outputs in the inbox, an output folder it cannot make, the
call lists of consultants who left."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from leadbook.cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


def run(inbox: Path, out: Path, *args: str):
    return CliRunner().invoke(main, ["process", str(inbox), "--out", str(out), "--as-of",
                                     "2026-10-31", "--no-history", "-q", *args],
                              catch_exceptions=False)


def sheet(path: Path, rows: list[list[object]], title: str = "名单") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_an_empty_inbox_says_so_and_exits_1(tmp_path: Path):
    (tmp_path / "in").mkdir()
    result = run(tmp_path / "in", tmp_path / "out")
    assert result.exit_code == 1
    assert result.output == ("错误: 没有找到意向客户表或销售活动日报表, 本次没有可统计的线索。看过的文件:\n"
                             "  (收件箱是空的: 请把各顾问的 .xlsx / .xls / .csv 表格放进去)\n")


def test_an_inbox_of_documents_names_each_file(tmp_path: Path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "周报.docx").write_bytes(b"PK")
    (inbox / "说明.txt").write_text("x", encoding="utf-8")
    result = run(inbox, tmp_path / "out")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "错误: 没有找到意向客户表或销售活动日报表, 本次没有可统计的线索。看过的文件:",
        "  周报.docx: 已跳过: 不是表格文件 (.xlsx、.xlsm、.xls 或 .csv)",
        "  说明.txt: 已跳过: 不是表格文件 (.xlsx、.xlsm、.xls 或 .csv)",
    ]
    english = run(inbox, tmp_path / "out_en", "--lang", "en")
    assert english.exit_code == 1
    assert english.output.splitlines() == [
        "Error: no lead card (意向客户管理卡) or daily report (销售活动日报表) found, so there are "
        "no leads to count. Files looked at:",
        "  周报.docx: skipped: not a spreadsheet (.xlsx, .xlsm, .xls or .csv)",
        "  说明.txt: skipped: not a spreadsheet (.xlsx, .xlsm, .xls or .csv)",
    ]


@pytest.mark.slow
def test_a_header_it_cannot_match_gets_the_columns_line(tmp_path: Path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    sheet(inbox / "客户.xlsx", [["客户登记"], ["序号", "客户姓名", "号码", "跟单人"],
                                [1, "王先生", "13800000001", "张伟"]])
    result = run(inbox, tmp_path / "out")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "错误: 没有找到意向客户表或销售活动日报表, 本次没有可统计的线索。看过的文件:",
        "  客户.xlsx「名单」: 第 2 行当作表头; 认出 客户姓名 (name); 缺 销售顾问 (consultant)、"
        "联系电话 (phone)、首次接触日期 (first_contact)",
        '      如果「跟单人」就是销售顾问, 在 leadbook.toml 里加一行: [columns] consultant = ["跟单人"]',
        '      如果「号码」就是联系电话, 在 leadbook.toml 里加一行: [columns] phone = ["号码"]',
    ]
    # The line it gives makes the sheet read.
    (inbox / "leadbook.toml").write_text('[columns]\nconsultant = ["跟单人"]\nphone = ["号码"]\n',
                                         encoding="utf-8")
    result = run(inbox, tmp_path / "out2")
    assert result.exit_code == 0, result.output
    s = json.loads((tmp_path / "out2" / "summary.json").read_text(encoding="utf-8"))
    assert s["leads"]["total"] == 1


@pytest.mark.slow
def test_a_read_sheet_missing_a_needed_column_gets_the_hint(tmp_path: Path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    sheet(inbox / "cards.xlsx", [["客户姓名", "联系电话", "归属人员", "登记日期"],
                                 ["王先生", "13800000001", "张伟", "2026-10-20"]])
    result = run(inbox, tmp_path / "out")
    assert result.exit_code == 0
    s = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    [issue] = [i for i in s["issues"] if i["code"] == "missing_column"]
    assert issue["message"] == ('表头中没有销售顾问列, 无法把待跟进客户分给顾问; 如果「归属人员」就是销售顾问列, '
                                '在 leadbook.toml 里加一行: [columns] consultant = ["归属人员"]')


@pytest.mark.slow
def test_its_own_outputs_in_the_inbox_are_skipped(tmp_path: Path):
    inbox = tmp_path / "in"
    shutil.copytree(SAMPLE, inbox)
    first = run(inbox, inbox)  # --out equal to the inbox
    assert first.exit_code == 0, first.output
    again = run(inbox, inbox)
    assert again.exit_code == 0, again.output
    s = json.loads((inbox / "summary.json").read_text(encoding="utf-8"))
    assert s["leads"]["rows"] == 500  # not 725: report.xlsx was not read as leads
    entry = {f["path"]: f for f in s["files"]}["report.xlsx"]
    assert entry["status"] == "skipped"
    assert entry["message"] == ("已跳过: 这是 leadbook 生成的文件 (以前运行的报告); "
                                "leadbook 从不读取自己的输出")
    assert run(inbox, inbox, "--lang", "en").exit_code == 0
    s = json.loads((inbox / "summary.json").read_text(encoding="utf-8"))
    entry = {f["path"]: f for f in s["files"]}["report.xlsx"]
    assert entry["message"] == ("skipped: written by leadbook (an earlier run's report); "
                                "leadbook never reads its own outputs")
    # Last week's report copied into a fresh inbox under another name: skipped too.
    fresh = tmp_path / "fresh"
    shutil.copytree(SAMPLE, fresh)
    shutil.copy(inbox / "report.xlsx", fresh / "上周报告.xlsx")
    assert run(fresh, tmp_path / "o").exit_code == 0
    s = json.loads((tmp_path / "o" / "summary.json").read_text(encoding="utf-8"))
    assert {f["path"]: f["status"] for f in s["files"]}["上周报告.xlsx"] == "skipped"
    assert s["leads"]["rows"] == 500


def test_an_output_folder_that_cannot_be_made_is_one_line(tmp_path: Path):
    (tmp_path / "file").write_text("x", encoding="utf-8")
    out = tmp_path / "file" / "sub"
    result = run(SAMPLE, out)
    assert result.exit_code == 2
    assert result.output == (f"错误: {out}: 无法建立输出文件夹 (路径中有一段是文件, 不是文件夹); "
                             "请用 --out 指定一个可以写入的文件夹\n")


@pytest.mark.slow
def test_lists_of_consultants_who_left_are_removed(tmp_path: Path):
    inbox = tmp_path / "in"
    shutil.copytree(SAMPLE, inbox)
    out = tmp_path / "out"
    assert run(inbox, out, "--split").exit_code == 0
    due = out / "due"
    shutil.copy(due / "张伟.xlsx", due / "离职顾问.xlsx")  # last week's list of one who left
    (due / "我的笔记.xlsx").write_bytes((inbox / "意向客户管理卡_2026-10.xlsx").read_bytes())
    assert run(inbox, out, "--split").exit_code == 0
    names = sorted(p.name for p in due.iterdir())
    assert "离职顾问.xlsx" not in names  # leadbook's, and no longer anyone's: removed
    assert "我的笔记.xlsx" in names  # the user's own file: left alone
    assert len(names) == 6


@pytest.mark.slow
def test_the_same_messages_in_english(tmp_path: Path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    sheet(inbox / "客户.xlsx", [["客户登记"], ["序号", "客户姓名", "号码", "跟单人"],
                                [1, "王先生", "13800000001", "张伟"]])
    result = run(inbox, tmp_path / "out", "--lang", "en")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Error: no lead card (意向客户管理卡) or daily report (销售活动日报表) found, so there are "
        "no leads to count. Files looked at:",
        "  客户.xlsx “名单”: row 2 taken for the header; found 客户姓名 (name); missing 销售顾问 "
        "(consultant), 联系电话 (phone), 首次接触日期 (first_contact)",
        '      if “跟单人” is the 销售顾问 column, add this line to leadbook.toml: '
        '[columns] consultant = ["跟单人"]',
        '      if “号码” is the 联系电话 column, add this line to leadbook.toml: '
        '[columns] phone = ["号码"]',
    ]
    (tmp_path / "empty").mkdir()
    result = run(tmp_path / "empty", tmp_path / "o2", "--lang", "en")
    assert result.exit_code == 1
    assert result.output.splitlines()[1] == (
        "  (the inbox is empty: put the consultants' .xlsx / .xls / .csv sheets in it)")
    (tmp_path / "file").write_text("x", encoding="utf-8")
    out = tmp_path / "file" / "sub"
    result = run(SAMPLE, out, "--lang", "en")
    assert result.exit_code == 2
    assert result.output == (f"Error: {out}: the output folder cannot be made (a part of the path is a file, not a folder); "
                             "give --out a folder that can be written to\n")

"""Every kind of message in the run's language (domain.md §7, §8: "Messages follow
--lang"), word for word in Chinese (the default) and in English, with the exit status:
a bad date, a bad phone, a repeat and an ownership conflict, a missed task, an ignored
sheet, a refused file, a history that cannot be opened, a lead that vanished, an output
folder holding the inputs, and ``leadbook init``. The workbooks are real .xlsx files
written with openpyxl; the run is the command line's."""

from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from leadbook.cli import main
from leadbook.config import Config, load_config

D = dt.date
CARDS = "意向客户管理卡.xlsx"
HEADER = ["客户姓名", "联系电话", "销售顾问", "首次接触日期", "最近跟进日期", "预计购车时间",
          "客户级别", "客户状态", "交车日期"]
ROWS = [
    ["王先生", "13800000001", "张伟", D(2026, 11, 20), "2026-13-45", "3个月内", "A", "跟进中", None],
    ["李女士", "138000", "张伟", D(2026, 11, 20), None, "3个月内", "A", "跟进中", None],
    ["王先生", "13800000001", "李娜", D(2026, 11, 21), None, "3个月内", "A", "跟进中", None],
    ["王太太", "13800000001", "张伟", D(2026, 11, 21), None, "3个月内", "A", "跟进中", None],
    ["赵先生", "13900000002", "李娜", D(2026, 8, 1), D(2026, 8, 20), None, "O", "已交车",
     D(2026, 8, 20)],
]
SERVICE = [["工单号", "车牌号", "维修顾问", "进厂日期"], ["W1", "沪A12345", "老李", D(2026, 11, 1)]]

# (code, Chinese, English): summary.json's issues of the inbox above, in order.
ISSUES = [
    ("sheet_ignored",
     "维修工单: 不是销售线索表: 表头有 工单号、车牌号、维修顾问、进厂日期, 没有销售顾问、"
     "预计购车时间或客户级别列 (维修工单、服务客户一类), 未读取",
     "维修工单: not a sales lead sheet: its header holds 工单号, 车牌号, 维修顾问, 进厂日期 and "
     "no consultant, purchase horizon or grade column (a workshop or service customer list); "
     "not read"),
    ("bad_date",
     "最近跟进日期: 2026-13-45 不是日历上存在的日期",
     "最近跟进日期: 2026-13-45 is not a day of the calendar"),
    ("bad_phone",
     "联系电话: 电话号码位数不对 (6 位, 应为 7–12 位); 应为手机号 (11 位) 或带区号的固定电话, "
     "可带 +86、空格或横线",
     "联系电话: the phone number has 6 digits, not 7–12; expected a mobile number (11 digits) "
     "or a landline with its area code; +86, spaces and dashes are fine"),
    ("ownership_conflict",
     "撞单: 同一客户已由 张伟 在 意向客户管理卡.xlsx 意向客户 第2行 先报备, 先报备者负责",
     "Ownership conflict (撞单): 张伟 registered the same customer first, in 意向客户管理卡.xlsx "
     "意向客户 row 2; the first to register owns the lead"),
    ("duplicate_lead",
     "重复登记: 同一客户已在 意向客户管理卡.xlsx 意向客户 第2行 登记",
     "Repeat registration: the same customer is already registered in 意向客户管理卡.xlsx "
     "意向客户 row 2"),
    ("task_missed",
     "保养提醒 应于 2026-10-20 完成, 超过 30 天仍未联系客户 (李娜, 赵先生 139****0002), 已错过",
     "Service reminder was due on 2026-10-20 and the customer has not been contacted for more "
     "than 30 days since (李娜, 赵先生 139****0002): missed"),
]


def cards(path: Path, rows: list[list[Any]] = ROWS, service: bool = True) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "意向客户"
    for row in [HEADER, *rows]:
        ws.append(row)
    if service:
        other = wb.create_sheet("维修工单")
        for row in SERVICE:
            other.append(row)
    wb.save(path)
    return path


def run(inbox: Path, out: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["process", str(inbox), "--out", str(out), "--as-of",
                                     "2026-11-22", "--jobs", "1", *args],
                              catch_exceptions=False)


def summary(out: Path) -> dict[str, Any]:
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Any, Path]]:
    """The inbox run in each language (no history)."""
    base = tmp_path_factory.mktemp("messages")
    inbox = base / "inbox"
    inbox.mkdir()
    cards(inbox / CARDS)
    return {lang: (run(inbox, base / lang, "--no-history", "--lang", lang, "-v"), base / lang)
            for lang in ("zh", "en")}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_summary_json_says_each_problem_in_the_runs_language(runs, lang: str) -> None:
    result, out = runs[lang]
    assert result.exit_code == 0, result.output
    s = summary(out)
    text = 1 if lang == "zh" else 2
    assert [(i["code"], i["message"]) for i in s["issues"]] == [
        (issue[0], issue[text]) for issue in ISSUES]
    # where each is: file, sheet, Excel row and column, the cell as written
    bad = {i["code"]: i for i in s["issues"]}
    assert (bad["bad_date"]["row"], bad["bad_date"]["column"], bad["bad_date"]["value"]) == (
        2, "最近跟进日期", "2026-13-45")
    assert (bad["bad_phone"]["row"], bad["bad_phone"]["column"], bad["bad_phone"]["value"]) == (
        3, "联系电话", "138000")
    assert list(s["issues"][0]) == ["file", "sheet", "row", "column", "value", "severity",
                                    "code", "message"]
    [entry] = s["files"]
    ignored = ISSUES[0][text].split(": ", 1)[1]
    assert entry["message"] == ISSUES[0][text]
    assert entry["sheets"][1] == {"name": "维修工单", "kind": "ignored", "rows": 0,
                                  "reason": ignored}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_issues_sheet_the_page_and_the_terminal_say_the_same(runs, lang: str) -> None:
    result, out = runs[lang]
    text = 1 if lang == "zh" else 2
    wb = openpyxl.load_workbook(out / "report.xlsx")
    ws = wb["数据问题" if lang == "zh" else "Data issues"]
    assert [c.value for c in ws[2]] == (
        ["严重程度", "说明", "文件", "工作表", "行号", "列", "原值", "代码"] if lang == "zh" else
        ["Severity", "Message", "File", "Sheet", "Row", "Column", "Value", "Code"])
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3)]
    assert [(r[7], r[1]) for r in rows] == [(issue[0], issue[text]) for issue in ISSUES]
    assert rows[1][:7] == ["警告" if lang == "zh" else "warning", ISSUES[1][text], CARDS,
                           "意向客户", 2, "最近跟进日期", "2026-13-45"]
    page = (out / "summary.html").read_text(encoding="utf-8")
    for _, *said in ISSUES:
        assert html.escape(said[text - 1], quote=False) in page
    lines = result.output.splitlines()
    where = f"{CARDS} 意向客户 2 最近跟进日期"
    assert f"  [bad_date] {where}: {ISSUES[1][text]}" in lines
    assert f"  [task_missed] {CARDS} 意向客户 6: {ISSUES[5][text]}" in lines


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_annotated_row_says_its_problems(runs, lang: str) -> None:
    _, out = runs[lang]
    ws = openpyxl.load_workbook(out / "annotated" / CARDS)["意向客户"]
    added = [c.value for c in ws[1]][len(HEADER):]
    assert added == (["系统级别", "级别变化", "下次跟进", "逾期天数", "提示"] if lang == "zh"
                     else ["System grade", "Grade change", "Next follow-up", "Days overdue",
                           "Hints"])
    hint = ws.cell(2, len(HEADER) + 5).value
    assert hint.split("; ")[0] == ISSUES[1][1 if lang == "zh" else 2].split("; ")[0]
    task = ws.cell(6, len(HEADER) + 5).value
    assert task is None  # a won customer: its missed care is in 数据问题, not on the row


@pytest.mark.slow
@pytest.mark.parametrize(("lang", "said"), [
    ("zh", "错误: 坏文件.xlsx: 文件是空的 (0 字节); 请在 Excel 或 WPS 里重新保存"),
    ("en", "Error: 坏文件.xlsx: the file is empty (0 bytes); save it again from Excel or WPS"),
])
def test_a_refused_file_is_named_in_the_runs_language_and_exits_1(
        tmp_path: Path, lang: str, said: str) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    cards(inbox / CARDS, ROWS[:1], service=False)
    (inbox / "坏文件.xlsx").write_bytes(b"")
    (inbox / "说明.docx").write_bytes(b"PK")
    result = run(inbox, tmp_path / "out", "--no-history", "--lang", lang, "-q")
    assert result.exit_code == 1
    assert result.output == said + "\n"
    files = {f["path"]: f for f in summary(tmp_path / "out")["files"]}
    assert files["坏文件.xlsx"] == {"path": "坏文件.xlsx", "status": "error",
                                    "message": said.split(": ", 1)[1], "sheets": []}
    assert files["说明.docx"]["message"] == (
        "已跳过: 不是表格文件 (.xlsx、.xlsm、.xls 或 .csv)" if lang == "zh"
        else "skipped: not a spreadsheet (.xlsx, .xlsm, .xls or .csv)")


@pytest.mark.slow
@pytest.mark.parametrize(("lang", "said"), [
    ("zh", "历史记录未能使用, 本次不与上周比较, 也不记录: 无法打开历史记录 {h}: "
           "数据库无法连接或文件已损坏"),
    ("en", "History not used: this run is neither compared nor kept: the history {h} cannot "
           "be opened: the database cannot be reached or the file is damaged"),
])
def test_a_history_that_cannot_be_read_is_a_warning_in_the_runs_language(
        tmp_path: Path, lang: str, said: str) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    cards(inbox / CARDS, ROWS[:1], service=False)
    history = tmp_path / "h.sqlite"
    history.write_text("这不是数据库, 是一份笔记\n", encoding="utf-8")
    result = run(inbox, tmp_path / "out", "--history", str(history), "--lang", lang, "-q")
    assert result.exit_code == 0
    message = said.format(h=history)
    assert result.output == (f"警告: {message}\n" if lang == "zh" else f"Warning: {message}\n")
    s = summary(tmp_path / "out")
    assert s["history"] is None
    assert [(i["code"], i["message"]) for i in s["issues"]] == [
        ("bad_date", ISSUES[1][1 if lang == "zh" else 2]), ("history_unavailable", message)]


@pytest.mark.slow
@pytest.mark.parametrize(("lang", "said"), [
    ("zh", "线索消失: 张伟 的客户 138****0001 (A级, 跟进中) 上次 (2026-11-15)在 意向客户管理卡.xlsx "
           "意向客户 第 2 行, 本次不在任何线索卡中; 请核实是否战败或被删除"),
    ("en", "Lead vanished: 张伟's customer 138****0001 (grade A, active) was in "
           "意向客户管理卡.xlsx 意向客户 row 2 last time (2026-11-15) and is in no lead card now; "
           "check whether it was lost or deleted"),
])
def test_a_vanished_lead_is_said_in_the_runs_language(tmp_path: Path, lang: str,
                                                      said: str) -> None:
    history = str(tmp_path / "h.sqlite")
    week1, week2 = tmp_path / "w1", tmp_path / "w2"
    week1.mkdir()
    week2.mkdir()
    lead = ["王先生", "13800000001", "张伟", D(2026, 11, 10), D(2026, 11, 12), "3个月内", "A",
            "跟进中", None]
    other = ["李女士", "13900000009", "李娜", D(2026, 11, 10), D(2026, 11, 12), "3个月内", "A",
             "跟进中", None]
    cards(week1 / CARDS, [lead, other], service=False)
    cards(week2 / CARDS, [other], service=False)
    first = CliRunner().invoke(main, ["process", str(week1), "--out", str(tmp_path / "o1"),
                                      "--as-of", "2026-11-15", "--history", history, "-q"],
                               catch_exceptions=False)
    assert first.exit_code == 0, first.output
    result = run(week2, tmp_path / "o2", "--history", history, "--lang", lang, "-q")
    assert result.exit_code == 0, result.output
    s = summary(tmp_path / "o2")
    assert [(i["code"], i["message"]) for i in s["issues"]] == [("vanished_lead", said)]


@pytest.mark.parametrize(("lang", "said"), [
    ("zh", "错误: --out {out} 是 leadbook 写入输出的地方, 其中却有本次要读取的文件 (report.xlsx): "
           "输出可能覆盖其中之一。请选择收件箱以外的输出文件夹 (默认是 INBOX/leadbook-out); "
           "没有写入任何文件。"),
    ("en", "Error: --out {out} is where leadbook writes its outputs, and it holds files this "
           "run reads (report.xlsx): an output could replace one of them. Choose an output "
           "folder outside the inbox (the default is INBOX/leadbook-out); nothing was written."),
])
def test_an_output_folder_holding_the_inputs_says_so_and_exits_2(
        tmp_path: Path, lang: str, said: str) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    cards(inbox / "report.xlsx", ROWS[:1], service=False)
    result = run(inbox, inbox, "--no-history", "--lang", lang)
    assert result.exit_code == 2
    assert result.output == said.format(out=inbox) + "\n"
    assert sorted(p.name for p in inbox.iterdir()) == ["report.xlsx"]  # nothing written


def test_init_in_english_writes_english_comments_the_loader_reads_back(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    result = CliRunner().invoke(main, ["init", str(folder), "--lang", "en"],
                                catch_exceptions=False)
    assert result.exit_code == 0
    target = folder / "leadbook.toml"
    assert result.output == (f"Wrote {target}: edit it for the store, then keep it in the "
                             "inbox (or give it with --config)\n")
    text = target.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[:2] == [
        "# The store's settings for leadbook (written by leadbook init). The README's "
        "Configuration section says more.",
        "# Lines starting with # do nothing; remove the # to use one."]
    assert lines[lines.index('store = "XX汽车4S店"') - 1] == (
        "# the store's name in report titles; the key of its history")
    assert lines[lines.index("stale_factor = 3") - 1] == (
        "# no contact for more than this many cadences: suggest quasi-lost (准战败)")
    assert "# within_months = 3   # or within_days; none on the last grade" in lines
    config = load_config(target)
    defaults = Config()
    for field in ("store", "scheme", "stale_factor", "list_days", "spend", "spend_by_source",
                  "columns", "history"):
        assert getattr(config, field) == getattr(defaults, field), field
    # The same keys as the Chinese file, line for line: only the comments differ.
    zh = tmp_path / "zh"
    assert CliRunner().invoke(main, ["init", str(zh)]).exit_code == 0
    chinese = (zh / "leadbook.toml").read_text(encoding="utf-8").splitlines()
    assert len(chinese) == len(lines)
    assert [x for x in chinese if not x.startswith("#")] == [
        x for x in lines if not x.startswith("#")]
    # …and it is never overwritten, in either language.
    again = CliRunner().invoke(main, ["init", str(folder), "--lang", "en"])
    assert again.exit_code == 1
    assert again.output == (f"Error: {target} exists already and was left as it is (rename "
                            "or delete it to write a new one)\n")
    again = CliRunner().invoke(main, ["init", str(folder)])
    assert again.exit_code == 1
    assert again.output == f"错误: {target} 已存在, 没有改动它 (要重新生成, 请先改名或删除它)\n"


def test_output_errors_in_both_languages_word_for_word() -> None:
    """Why an output is missing: the same words under zh and en, never the system's text."""
    import errno

    from leadbook.write.output_words import OutputWhy, os_why

    locked = OutputWhy.LOCKED(target="out/report.xlsx")
    assert locked.render("zh") == ("无法覆盖 out/report.xlsx: 文件正被另一个程序打开 (Excel 或 WPS?)。"
                                   "关闭它后再运行 leadbook。")
    assert locked.render("en") == ("cannot replace out/report.xlsx: the file is open in another "
                                   "program (Excel or WPS?). Close it and run leadbook again.")
    stopped = OutputWhy.WORKER_STOPPED(name="report.xlsx", code=5)
    assert stopped.render("zh") == "report.xlsx: 未能写出 (写出它的进程中途退出, 退出码 5)"
    assert stopped.render("en") == "report.xlsx: could not be written (the worker stopped, exit 5)"
    full = OutputWhy.CANNOT_WRITE(target="due/a.xlsx", why=os_why(OSError(errno.ENOSPC, "x")))
    assert full.render("zh") == "无法写入 due/a.xlsx: 磁盘已满"
    assert full.render("en") == "cannot write due/a.xlsx: the disk is full"
    odd = OutputWhy.CANNOT_WRITE(target="a", why=os_why(OSError(errno.EISDIR, "Is a directory")))
    assert odd.render("en") == "cannot write a: the system refused (EISDIR)"
    assert "Is a directory" not in odd.render("zh")

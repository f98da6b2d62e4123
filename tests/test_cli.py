"""The command line: options, exit codes, terminal summary (domain.md §7)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from leadbook.cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture()
def inbox(tmp_path: Path) -> Path:
    box = tmp_path / "inbox"
    box.mkdir()
    for p in SAMPLE.glob("*.xlsx"):
        shutil.copy(p, box / p.name)
    return box


def test_help_lists_every_option():
    result = invoke("process", "--help")
    assert result.exit_code == 0
    for option in ("--out", "--as-of", "--config", "--from", "--to", "--lang", "--split",
                   "--jobs", "--verbose", "--quiet"):
        assert option in result.output


@pytest.mark.parametrize(("toml", "zh", "en"), [
    ('[grading]\nscheme = "abc"\n',
     'grading.scheme = "abc": 没有这个方案; 可用的有 "4s"、"habc"、"parts"',
     'grading.scheme = "abc" is not a preset; use one of "4s", "habc", "parts"'),
    ("store = \n",
     '第 1 行第 9 列附近的写法不对; 每行应是 键 = 值, 文字加英文引号 (store = "一店"), '
     "段名写在方括号里 ([marketing])",
     'line 1, column 9 is not written as leadbook.toml expects; each line is key = value, '
     'text in quotes (store = "Store 1"), section names in brackets ([marketing])'),
    ("[marketing]\nspend = -5\n", "marketing.spend 应为金额 (元, 不小于 0 的数字)",
     "marketing.spend must be a number of RMB, not negative"),
    ("[followups]\nlist_days = 400\n", "followups.list_days 应为 0 到 366 之间的整数 (天数)",
     "followups.list_days must be a whole number of days from 0 to 366"),
    ('[grading.aliases]\n"重点客户" = "Z"\n',
     'grading.aliases.重点客户 = "Z": 应为本方案的级别之一: A、B、C、D、N、O、F',
     'grading.aliases.重点客户 = "Z": must be one of the grades A, B, C, D, N, O, F'),
    ('[columns]\nmobile = ["客户手机"]\n', "columns.mobile: 没有这个字段; 可用的有 ",
     "columns.mobile: unknown field; known fields are "),
])
def test_a_config_value_leadbook_cannot_use_exits_2_in_the_runs_language(
        inbox: Path, tmp_path: Path, toml: str, zh: str, en: str):
    config = inbox / "leadbook.toml"
    config.write_text(toml, encoding="utf-8")
    out = tmp_path / "out"
    for lang, words, head in (("zh", zh, "错误"), ("en", en, "Error")):
        result = invoke("process", str(inbox), "--out", str(out), "--as-of", "2026-10-31",
                        "--lang", lang)
        assert result.exit_code == 2
        said = f"{head}: {config}: {words}"
        if words.endswith(" "):  # the list of fields follows
            assert result.output.startswith(said) and "phone" in result.output
        else:
            assert result.output == said + "\n"
    assert not out.exists()


def test_a_config_file_that_is_not_there_or_a_folder(inbox: Path, tmp_path: Path):
    missing = tmp_path / "nowhere.toml"
    result = invoke("process", str(inbox), "--config", str(missing))
    assert result.exit_code == 2
    assert result.output == f"错误: {missing}: 找不到这个设置文件; 请检查 --config 给出的路径\n"
    result = invoke("process", str(inbox), "--config", str(tmp_path), "--lang", "en")
    assert result.exit_code == 2
    assert result.output == (f"Error: {tmp_path}: the config file cannot be read (it is a "
                             "folder, not a file)\n")


USAGE_CASES = [
    (["--from", "2026-10-01"],
     "--from 和 --to 要一起给出 (统计期的第一天和最后一天), 或都不给",
     "give --from and --to together (the period's first and last day), or neither"),
    (["--from", "2026-10-31", "--to", "2026-10-01"],
     "--from 2026-10-31 在 --to 2026-10-01 之后; 请把两个日期对调",
     "--from 2026-10-31 is after --to 2026-10-01; swap the two dates"),
    (["--as-of", "31/10/2026"],
     "--as-of 31/10/2026: 不是日期; 请写成 年-月-日, 例如 2026-11-22",
     "--as-of 31/10/2026: not a date; write it as year-month-day, e.g. 2026-11-22"),
    (["--history", "h.sqlite", "--no-history"], "--history 和 --no-history 只能给一个",
     "give --history or --no-history, not both"),
    (["--jobs", "0"], "--jobs 0: 应为不小于 1 的整数",
     "--jobs 0: must be a whole number of at least 1"),
    (["--lnag"], "没有 --lnag 这个选项; 是不是 --lang?",
     "there is no option --lnag; did you mean --lang?"),
    (["--as-of"], "--as-of 后面要跟一个值", "--as-of needs a value after it"),
    (["本周 备份"], "多出的参数: 本周 备份; 路径中有空格时请加引号",
     "an argument too many: 本周 备份; put a path with spaces in quotes"),
]


@pytest.mark.parametrize(("args", "zh", "en"), USAGE_CASES,
                         ids=[" ".join(c[0]) for c in USAGE_CASES])
def test_usage_errors_exit_2_in_the_runs_language(inbox: Path, tmp_path: Path, args, zh, en):
    out = tmp_path / "out"
    result = invoke("process", str(inbox), "--out", str(out), *args)
    assert result.exit_code == 2
    assert result.output == f"错误: {zh}\n(各选项的说明: leadbook process --help)\n"
    # --lang en goes first: the last option given may be the one missing its value
    result = invoke("process", "--lang", "en", str(inbox), "--out", str(out), *args)
    assert result.exit_code == 2
    assert result.output == (f"Error: {en}\n(every option is explained by: leadbook process "
                             "--help)\n")
    assert not out.exists()


def test_the_folders_given_are_checked_in_the_runs_language(tmp_path: Path):
    missing = tmp_path / "本周"
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    a_file = tmp_path / "file.txt"
    help_zh, help_en = "(各选项的说明: leadbook {} --help)", "(every option is explained by: " \
        "leadbook {} --help)"
    cases = [
        (("process", str(missing)), f"错误: {missing}: 找不到这个文件夹; 请检查路径 (收件箱是放各顾问 "
         ".xlsx / .xls / .csv 表格的文件夹)", help_zh.format("process")),
        (("process", str(missing), "--lang", "en"), f"Error: {missing}: no such folder; check "
         "the path (the inbox is the folder holding the consultants' .xlsx / .xls / .csv "
         "sheets)", help_en.format("process")),
        (("process", str(a_file)), f"错误: {a_file}: 这是一个文件, 不是文件夹; 请给出文件夹 (收件箱是"
         "放各顾问 .xlsx / .xls / .csv 表格的文件夹)", help_zh.format("process")),
        (("process", str(tmp_path), "--out", str(a_file)), f"错误: --out {a_file}: 这是一个文件, "
         "不是文件夹; 请给出输出文件夹的路径", help_zh.format("process")),
        (("group", str(missing), "--out", str(tmp_path / "o"), "--lang", "en"),
         f"Error: {missing}: no such folder; check the path (the group folder holds one "
         "subfolder per store)", help_en.format("group")),
        (("group", str(tmp_path)), "错误: 缺少 --out: 请给出它", help_zh.format("group")),
        (("process",), "错误: 缺少 INBOX: 请给出它", help_zh.format("process")),
        (("process", str(tmp_path), "--lang", "fr"), "错误: --lang fr: 只能是 zh、en 之一",
         help_zh.format("process")),
        (("proces", str(tmp_path)), "错误: 没有 proces 这个命令; 可用的有 group、history、init、"
         "process、rollup", "(各选项的说明: leadbook --help)"),
    ]
    for args, said, hint in cases:
        result = invoke(*args)
        assert result.exit_code == 2, args
        assert result.output == f"{said}\n{hint}\n", args
    assert not (tmp_path / "o").exists()


def test_leadbook_alone_shows_its_help():
    result = invoke()
    assert result.exit_code == 2
    assert result.output.startswith("Usage: ") and "process" in result.output


@pytest.mark.slow
def test_unreadable_file_exits_1_and_the_rest_is_processed(inbox: Path, tmp_path: Path):
    (inbox / "broken.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    out = tmp_path / "out"
    result = invoke("process", str(inbox), "--out", str(out), "--as-of", "2026-10-31")
    assert result.exit_code == 1
    assert "broken.xlsx" in result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    status = {f["path"]: f["status"] for f in summary["files"]}
    assert status["broken.xlsx"] == "error"
    assert summary["leads"]["total"] == 500
    assert (out / "report.xlsx").is_file() and (out / "summary.html").is_file()


@pytest.mark.slow
def test_period_options_and_quiet(inbox: Path, tmp_path: Path):
    out = tmp_path / "out"
    result = invoke("process", str(inbox), "--out", str(out), "--as-of", "2026-10-31",
                    "--from", "2026-10-01", "--to", "2026-10-07", "-q")
    assert result.exit_code == 0
    assert result.output == ""
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["period"] == {"start": "2026-10-01", "end": "2026-10-07"}
    assert 0 < summary["funnel"]["kept"] < 500


@pytest.mark.slow
def test_config_option_beats_inbox_config(inbox: Path, tmp_path: Path):
    cfg = tmp_path / "other.toml"
    cfg.write_text('store = "测试店"\n[marketing]\nspend = 100000\n', encoding="utf-8")
    (inbox / "leadbook.toml").write_text("[marketing]\nspend = 5\n", encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("process", str(inbox), "--out", str(out), "--as-of", "2026-10-31",
                    "--config", str(cfg))
    assert result.exit_code == 0
    assert "测试店" in result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["cost"]["cost_per_lead"] == pytest.approx(200.0)


@pytest.mark.slow
def test_no_spend_gives_null_cost(inbox: Path, tmp_path: Path):
    out = tmp_path / "out"
    result = invoke("process", str(inbox), "--out", str(out), "--as-of", "2026-10-31")
    assert result.exit_code == 0
    cost = json.loads((out / "summary.json").read_text(encoding="utf-8"))["cost"]
    assert cost["spend"] is None and cost["cost_per_lead"] is None and cost["lost_cost"] is None
    assert cost["lost"] == 225 and cost["lost_share"] == 0.45


@pytest.mark.slow
def test_verbose_lists_consultants_and_phones_stay_masked(inbox: Path, tmp_path: Path):
    result = invoke("process", str(inbox), "--out", str(tmp_path / "o"), "--as-of", "2026-10-31",
                    "-v")
    assert result.exit_code == 0
    assert "张伟: 应跟进" in result.output
    import re

    assert not re.search(r"1[3-9]\d{9}", result.output)


@pytest.mark.slow
def test_split_and_english(inbox: Path, tmp_path: Path):
    import openpyxl

    out = tmp_path / "out"
    result = invoke("process", str(inbox), "--out", str(out), "--as-of", "2026-10-31",
                    "--split", "--lang", "en")
    assert result.exit_code == 0
    names = sorted(p.stem for p in (out / "due").glob("*.xlsx"))
    assert names == sorted(["张伟", "李娜", "王强", "刘洋", "陈静"])
    report = openpyxl.load_workbook(out / "report.xlsx", read_only=True)
    assert report.sheetnames[:3] == ["Due", "Schedule", "Funnel"]
    html = (out / "summary.html").read_text(encoding="utf-8")
    assert 'lang="en"' in html
    # Each consultant's list holds only their own tasks, with the full phone for calling.
    ws = openpyxl.load_workbook(out / "due" / "张伟.xlsx").worksheets[0]
    header_row = next(r for r in ws.iter_rows(values_only=True) if r and "Phone" in r)
    phone_col = header_row.index("Phone")
    rows = [r for r in ws.iter_rows(values_only=True) if r and r != header_row and
            isinstance(r[phone_col], str) and r[phone_col].isdigit()]
    assert rows and all(len(r[phone_col]) == 11 for r in rows)


@pytest.mark.slow
def test_terminal_speaks_the_runs_language(inbox: Path, tmp_path: Path):
    (inbox / "说明.docx").write_bytes(b"not a workbook")
    out = tmp_path / "o"
    zh = invoke("process", str(inbox), "--out", str(out), "--as-of", "2026-10-31", "--split")
    assert zh.exit_code == 0
    assert zh.output.splitlines() == [
        "leadbook — XX汽车4S店 · 统计期 2026-10-01 至 2026-10-31 · 截至 2026-10-31",
        "文件: 3 个 (已读取 2, 已跳过 1, 无法读取 0)",
        "  已跳过: 说明.docx",
        "线索: 500 个客户 (500 行, 重复 0, 重新定级 123), 本期新增 500",
        "待跟进: 应跟进 60 · 已逾期 55 · 未来7天 61 · 售后关怀 330 · 战败回访 225",
        "漏斗: 客流量 883 → 留档 500 (56.6%) → 跟踪 445 (89.0%) → 成交 110 (24.7%)",
        "成本: 营销费用 — · 集客成本 — · 战败 225 (45.0%) · 战败成本 —",
        "数据问题: 0 条 (错误 0) — 见 report.xlsx「数据问题」",
        f"已写入 {out}: summary.json, summary.html, report.xlsx, annotated/ (2 个工作簿), "
        "due/ (5 份: 刘洋.xlsx, 张伟.xlsx, 李娜.xlsx, 王强.xlsx, 陈静.xlsx)",
        "历史: 本店首次记录 (上次记录: 无), 下次运行起与本次比较",
    ]
    en = invoke("process", str(inbox), "--out", str(out), "--as-of", "2026-10-31", "--lang", "en")
    assert en.output.splitlines() == [
        "leadbook — XX汽车4S店 · period 2026-10-01 to 2026-10-31 · as of 2026-10-31",
        "Files: 3 (2 read, 1 skipped, 0 unreadable)",
        "  skipped: 说明.docx",
        "Leads: 500 (500 rows, 0 repeated, 123 re-graded), new in period 500",
        "This week: Due 60 · Overdue 55 · Next 7 days 61 · After-sale care 330 · Lost reviews 225",
        "Funnel: traffic 883 → kept 500 (56.6%) → followed 445 (89.0%) → deals 110 (24.7%)",
        "Cost: spend — · cost per lead — · lost 225 (45.0%) · lost cost —",
        "Issues: 0 (0 errors) — listed in report.xlsx “Data issues”",
        f"Wrote to {out}: summary.json, summary.html, report.xlsx, annotated/ (2 workbooks)",
        "History: the store's first run kept; the next run compares with it",  # same as-of
    ]


@pytest.mark.slow
def test_one_annotated_workbook_is_said_in_the_singular(tmp_path: Path):
    box = tmp_path / "one"
    box.mkdir()
    shutil.copy(SAMPLE / "意向客户管理卡_2026-10.xlsx", box)
    for lang, said in (("en", "annotated/ (1 workbook)"), ("zh", "annotated/ (1 个工作簿)")):
        result = invoke("process", str(box), "--out", str(tmp_path / lang), "--as-of",
                        "2026-10-31", "--no-history", "--lang", lang)
        assert result.exit_code == 0
        assert result.output.splitlines()[-1].endswith(f", report.xlsx, {said}")

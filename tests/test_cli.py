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


def test_bad_config_exits_2_and_writes_nothing(inbox: Path, tmp_path: Path):
    (inbox / "leadbook.toml").write_text('[grading]\nscheme = "abc"\n', encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("process", str(inbox), "--out", str(out), "--as-of", "2026-10-31")
    assert result.exit_code == 2
    assert "grading.scheme" in result.output and "'4s'" in result.output
    assert not out.exists()


def test_broken_toml_exits_2(inbox: Path, tmp_path: Path):
    (inbox / "leadbook.toml").write_text("store = \n", encoding="utf-8")
    result = invoke("process", str(inbox), "--out", str(tmp_path / "o"), "--as-of", "2026-10-31")
    assert result.exit_code == 2
    assert "not valid TOML" in result.output


@pytest.mark.parametrize(
    "args,words",
    [
        (["--from", "2026-10-01"], "--from and --to together"),
        (["--from", "2026-10-31", "--to", "2026-10-01"], "after --to"),
        (["--as-of", "31/10/2026"], "YYYY-MM-DD"),
    ],
)
def test_usage_errors_exit_2(inbox: Path, tmp_path: Path, args, words):
    out = tmp_path / "out"
    result = invoke("process", str(inbox), "--out", str(out), *args)
    assert result.exit_code == 2
    assert words in result.output
    assert not out.exists()


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

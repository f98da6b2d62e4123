"""End to end on sample_data: the training deck's example month (domain.md §5)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from leadbook.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
AS_OF = "2026-10-31"


def run(out: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, ["process", str(SAMPLE), "--out", str(out), "--as-of", AS_OF, "--no-history",
               *extra],
        catch_exceptions=False,
    )
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, dict, str]:
    out = tmp_path_factory.mktemp("demo")
    code, output = run(out)
    assert code == 0, output
    return out, json.loads((out / "summary.json").read_text(encoding="utf-8")), output


def test_example_figures(demo):
    _, s, _ = demo
    assert s["period"] == {"start": "2026-10-01", "end": "2026-10-31"}
    assert s["leads"]["total"] == 500
    assert s["leads"]["new_in_period"] == 500
    assert s["funnel"]["kept"] == 500
    assert s["funnel"]["deals"] == 110
    assert s["cost"] == {
        "spend": 650000.0,
        "cost_per_lead": 1300.0,
        "lost": 225,
        "lost_share": 0.45,
        "lost_cost": 292500.0,
    }
    statuses = s["leads"]["by_status"]
    assert statuses["won"] == 110
    assert statuses["lost"] == 225
    assert statuses["active"] + statuses["dormant"] == 165


def test_funnel_chain_equals_deals(demo):
    _, s, _ = demo
    f = s["funnel"]
    assert f["traffic"] > f["kept"] > 0
    product = f["traffic"] * f["keep_rate"] * f["follow_rate"] * f["convert_rate"]
    assert product == pytest.approx(f["deals"], rel=1e-12)


def test_every_contract_key_is_present(demo):
    _, s, _ = demo
    assert list(s) == ["store", "as_of", "period", "files", "leads", "followups", "funnel",
                       "cost", "history", "issues"]
    assert s["history"] is None  # --no-history: nothing kept, nothing compared
    assert set(s["leads"]) == {"rows", "total", "new_in_period", "duplicates", "regraded",
                               "by_grade", "by_status"}
    assert set(s["followups"]) == {"due", "overdue", "upcoming", "care", "lost_review", "by_kind",
                                   "by_consultant"}
    assert set(s["followups"]["by_kind"]) == {"followup", "care", "lost_review"}
    for counts in (*s["followups"]["by_kind"].values(), *s["followups"]["by_consultant"].values()):
        assert set(counts) == {"due", "overdue", "upcoming"}
    assert set(s["funnel"]) == {"traffic", "kept", "followed", "deals", "keep_rate",
                                "follow_rate", "convert_rate"}
    kinds = {(f["path"], sh["name"]): sh["kind"] for f in s["files"] for sh in f["sheets"]}
    assert kinds[("意向客户管理卡_2026-10.xlsx", "意向客户管理卡")] == "leads"
    assert kinds[("销售活动日报表_2026-10.xlsx", "销售活动日报表")] == "activity"
    assert kinds[("意向客户管理卡_2026-10.xlsx", "填表说明")] == "ignored"


def test_outputs_written(demo):
    out, _, output = demo
    for name in ("summary.json", "report.xlsx", "summary.html",
                 "annotated/意向客户管理卡_2026-10.xlsx", "annotated/销售活动日报表_2026-10.xlsx"):
        assert (out / name).is_file(), name
    assert "集客成本 1,300" in output
    assert "战败成本 292,500" in output
    assert not list(out.rglob(".~leadbook-*"))  # no temporary file left behind


@pytest.mark.slow
def test_rerun_gives_the_same_summary(demo, tmp_path):
    out, _, _ = demo
    code, _ = run(tmp_path)
    assert code == 0
    assert (tmp_path / "summary.json").read_bytes() == (out / "summary.json").read_bytes()


@pytest.mark.slow
def test_inputs_untouched(tmp_path):
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in SAMPLE.iterdir()}
    run(tmp_path)
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in SAMPLE.iterdir()}
    assert before == after


@pytest.mark.slow
def test_annotated_copy_cell_by_cell(demo):
    """A few rows checked against the source sheet and the rules, cell by cell."""
    out, _, _ = demo
    src = openpyxl.load_workbook(SAMPLE / "意向客户管理卡_2026-10.xlsx")["意向客户管理卡"]
    wb = openpyxl.load_workbook(out / "annotated" / "意向客户管理卡_2026-10.xlsx")
    ws = wb["意向客户管理卡"]
    assert wb.sheetnames == ["意向客户管理卡", "填表说明"]
    width = 16
    assert [ws.cell(3, width + i).value for i in range(1, 6)] == [
        "系统级别", "级别变化", "下次跟进", "逾期天数", "提示"]
    # Every original cell is where it was.
    for row in range(1, src.max_row + 1):
        for col in range(1, width + 1):
            assert ws.cell(row, col).value == src.cell(row, col).value, (row, col)
    as_of = dt.date.fromisoformat(AS_OF)
    checked = {"won": 0, "lost": 0, "active": 0}
    for row in range(4, src.max_row + 1):
        status = src.cell(row, 12).value
        grade = ws.cell(row, width + 1).value
        if status == "已成交" and not checked["won"]:
            assert grade == "O"
            assert ws.cell(row, width + 3).value is None
            checked["won"] += 1
        elif status == "战败" and not checked["lost"]:
            assert grade == "F"
            checked["lost"] += 1
        elif status == "跟进中" and src.cell(row, 10).value == "3个月内" and checked["active"] < 3:
            # 3个月内 from the latest contact: expected within 3 months of as-of → A.
            assert grade == "A"
            last = src.cell(row, 8).value.date()
            due = ws.cell(row, width + 3).value
            assert isinstance(due, dt.datetime)
            expected_due = last + dt.timedelta(days=7)
            nxt = src.cell(row, 9).value
            if nxt is not None and last <= nxt.date() < expected_due:
                expected_due = nxt.date()
            assert due.date() == expected_due
            late = (as_of - expected_due).days
            assert ws.cell(row, width + 4).value == (late if late >= 0 else None)
            recorded = src.cell(row, 11).value
            change = ws.cell(row, width + 2).value
            assert change == (None if recorded == "A" else f"{recorded}→A")
            checked["active"] += 1
    assert checked == {"won": 1, "lost": 1, "active": 3}

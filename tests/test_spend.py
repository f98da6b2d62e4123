"""Spend per calendar month, prorated to the period by days (domain.md §5)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner

from leadbook.cli import main
from leadbook.labels import Labels
from leadbook.spend import SpendItem, month_overlaps, period_spend, spend_text

D = dt.date.fromisoformat
SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


def test_a_week_inside_a_month_gets_its_days():
    total, parts, _ = period_spend(650000, {}, [], D("2026-11-16"), D("2026-11-22"))
    assert total == pytest.approx(650000 * 7 / 30)
    assert spend_text(parts, Labels("zh")) == "650,000 元/月 × 7/30 天"
    assert spend_text(parts, Labels("en")) == "650,000 RMB/month × 7/30 days"


def test_a_period_across_two_months_adds_each_months_share():
    total, parts, _ = period_spend(650000, {}, [], D("2026-10-29"), D("2026-11-04"))
    assert total == pytest.approx(650000 * 3 / 31 + 650000 * 4 / 30)
    assert spend_text(parts, Labels("zh")) == "650,000 元/月 × 3/31 天 + 650,000 元/月 × 4/30 天"


def test_a_whole_month_gets_the_whole_figure():
    for start, end in (("2026-10-01", "2026-10-31"), ("2026-02-01", "2026-02-28"),
                       ("2028-02-01", "2028-02-29")):
        total, _, _ = period_spend(650000, {}, [], D(start), D(end))
        assert total == pytest.approx(650000)
    total, _, _ = period_spend(650000, {}, [], D("2026-10-01"), D("2026-12-31"))
    assert total == pytest.approx(3 * 650000)  # a quarter: three months


def test_by_source_is_prorated_the_same_way():
    _, _, by = period_spend(None, {"汽车之家": 120000, "懂车帝": 90000}, [],
                            D("2026-11-16"), D("2026-11-22"))
    assert by == {"汽车之家": pytest.approx(28000), "懂车帝": pytest.approx(21000)}


def test_a_spend_sheet_counts_only_the_periods_part():
    sheet = [
        SpendItem(62000, "month", (2026, 10), source="汽车之家"),   # October: 3/31 of it
        SpendItem(60000, "month", (2026, 11), source="汽车之家"),   # November: 4/30
        SpendItem(90000, "month", (2026, 12), source="懂车帝"),     # outside
        SpendItem(5000, "day", day=D("2026-11-02"), source="抖音"),  # inside
        SpendItem(7000, "day", day=D("2026-11-05"), source="抖音"),  # the day after
    ]
    total, parts, by = period_spend(None, {}, sheet, D("2026-10-29"), D("2026-11-04"))
    assert total == pytest.approx(62000 * 3 / 31 + 60000 * 4 / 30 + 5000)
    assert by == {"汽车之家": pytest.approx(6000 + 8000), "懂车帝": 0.0, "抖音": 5000.0}
    text = spend_text(parts, Labels("zh"))
    assert text == ("2026-10 的 62,000 元 × 3/31 天 + 2026-11 的 60,000 元 × 4/30 天"
                    " + 按日支出 5,000 元 (1 笔)")


def test_month_overlaps_walk_the_calendar():
    assert month_overlaps(D("2026-12-30"), D("2027-01-02")) == [
        ((2026, 12), 2, 31), ((2027, 1), 2, 31)]


def _run(inbox: Path, out: Path, *args: str) -> dict:
    result = CliRunner().invoke(main, ["process", str(inbox), "--out", str(out), *args],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_the_seed_month_still_gives_the_training_decks_figures(tmp_path: Path):
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLE, inbox)
    s = _run(inbox, tmp_path / "out", "--as-of", "2026-10-31")
    assert s["period"] == {"start": "2026-10-01", "end": "2026-10-31"}
    assert s["cost"] == {"spend": 650000.0, "cost_per_lead": 1300.0, "lost": 225,
                         "lost_share": 0.45, "lost_cost": 292500.0}


@pytest.mark.slow
def test_lead_card_without_daily_report_gets_the_weeks_share(tmp_path: Path):
    """The first-run case: a lead card alone, the period the as-of date's week."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLE / "意向客户管理卡_2026-10.xlsx", inbox)
    shutil.copy(SAMPLE / "leadbook.toml", inbox)
    out = tmp_path / "out"
    s = _run(inbox, out, "--as-of", "2026-10-31")
    assert s["period"] == {"start": "2026-10-26", "end": "2026-11-01"}
    spend = 650000 * 6 / 31 + 650000 * 1 / 30
    assert s["cost"]["spend"] == pytest.approx(spend)
    kept = s["funnel"]["kept"]
    assert 0 < kept < 500
    assert s["cost"]["cost_per_lead"] == pytest.approx(spend / kept)
    # The report and the page say how the spend was made up.
    made_of = "650,000 元/月 × 6/31 天 + 650,000 元/月 × 1/30 天"
    funnel = openpyxl.load_workbook(out / "report.xlsx")["漏斗"]
    spend_row = next(r for r in funnel.iter_rows(values_only=True) if r[0] == "营销费用")
    assert spend_row[1] == pytest.approx(spend)
    assert made_of in spend_row[2]
    assert made_of in (out / "summary.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_spend_sheet_in_the_inbox(tmp_path: Path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLE / "意向客户管理卡_2026-10.xlsx", inbox)
    book = xlsxwriter.Workbook(str(inbox / "费用.xlsx"))
    ws = book.add_worksheet("营销费用")
    ws.write_row(0, 0, ["月份", "渠道", "营销费用"])
    ws.write_row(1, 0, ["2026年10月", "汽车之家", 310000])
    ws.write_row(2, 0, ["2026年10月", "懂车帝", 155000])
    ws.write_row(3, 0, ["2026年11月", "汽车之家", 300000])
    book.close()
    s = _run(inbox, tmp_path / "out", "--from", "2026-10-25", "--to", "2026-11-03")
    kinds = {sh["name"]: sh["kind"] for f in s["files"] for sh in f["sheets"]}
    assert kinds["营销费用"] == "spend"
    # October: 7 of 31 days of 465,000; November: 3 of 30 days of 300,000.
    assert s["cost"]["spend"] == pytest.approx(465000 * 7 / 31 + 300000 * 3 / 30)

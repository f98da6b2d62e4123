"""`leadbook rollup` from a dealer group's shared history (domain.md §7, §10).

Two stores run two weeks each into one history — an SQLite file and a real
PostgreSQL database (the ``history`` fixture of test_history.py) — and the
roll-up is made from the history alone: each store's latest run, its
follow-through and, with --trend, its runs as the 趋势 sheet. A history kept
before it held the runs' figures (schema version 1) is migrated and still
rolled up from what its rows hold.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from test_history import _engine, history  # noqa: F401 - the fixture, on both back ends

from leadbook.cli import main

# Every roll-up is made from four whole runs into one history.
pytestmark = pytest.mark.slow

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
WEEKS = ("2026-10-24", "2026-10-31")


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture()
def two_stores(tmp_path: Path, history: str) -> tuple[str, Path]:  # noqa: F811
    out = tmp_path / "out"
    for folder, name, spend in (("A", "一店", 650000), ("B", "二店", 300000)):
        inbox = tmp_path / folder
        inbox.mkdir()
        for p in SAMPLE.glob("*.xlsx"):
            shutil.copy(p, inbox / p.name)
        (inbox / "leadbook.toml").write_text(
            f'store = "{name}"\n[marketing]\nspend = {spend}\n', encoding="utf-8")
        for week in WEEKS:
            result = invoke("process", str(inbox), "--out", str(out / f"{folder}-{week}"),
                            "--as-of", week, "--history", history, "--jobs", "1")
            assert result.exit_code == 0, result.output
    return history, out


def test_rollup_from_a_shared_history(two_stores, tmp_path):
    location, out = two_stores
    rolled = tmp_path / "rolled"
    result = invoke("rollup", location, "--out", str(rolled), "--trend")
    assert result.exit_code == 0, result.output
    data = load(rolled / "group.json")
    assert [e["store"] for e in data["stores"]] == ["一店", "二店"]
    for entry, folder in zip(data["stores"], ("A", "B"), strict=True):
        latest = load(out / f"{folder}-{WEEKS[-1]}" / "summary.json")
        for key in ("store", "as_of", "period", "leads", "followups", "funnel", "cost"):
            assert entry[key] == latest[key], key
        assert entry["history"]["followthrough"] == latest["history"]["followthrough"]
        assert [t["as_of"] for t in entry["history"]["trend"]] == list(WEEKS)
        assert entry["history"]["trend"] == latest["history"]["trend"]
    # The same stores' latest output folders give the same totals.
    from_folders = tmp_path / "from-folders"
    assert invoke("rollup", str(out / f"A-{WEEKS[-1]}"), str(out / f"B-{WEEKS[-1]}"),
                  "--out", str(from_folders)).exit_code == 0
    assert load(from_folders / "group.json")["total"] == data["total"]
    # With the trend, group.xlsx has its 趋势: two runs of each store, and a line chart.
    book = openpyxl.load_workbook(rolled / "group.xlsx")
    assert book.sheetnames == ["门店对比", "趋势"]
    rows = [r for r in book["趋势"].iter_rows(min_row=3, values_only=True) if r[0]]
    assert [(r[0], r[1]) for r in rows] == [(s, w) for s in ("一店", "二店") for w in WEEKS]
    assert book["趋势"]._charts


def test_rollup_without_trend_has_no_trend_sheet(two_stores, tmp_path):
    location, _ = two_stores
    rolled = tmp_path / "rolled"
    assert invoke("rollup", location, "--out", str(rolled)).exit_code == 0
    assert openpyxl.load_workbook(rolled / "group.xlsx").sheetnames == ["门店对比"]


def test_a_history_from_before_the_runs_figures_is_migrated(two_stores, tmp_path):
    """Version 1 kept no figures per run: the migration adds the column, and the roll-up
    takes what the run's row holds, the rest unknown (never a made-up 0)."""
    location, out = two_stores
    with _engine(location).begin() as conn:
        conn.execute(sa.text("ALTER TABLE runs DROP COLUMN figures"))
        conn.execute(sa.text("DELETE FROM schema_version WHERE version = 2"))
    rolled = tmp_path / "rolled"
    result = invoke("rollup", location, "--out", str(rolled))
    assert result.exit_code == 0, result.output
    with _engine(location).connect() as conn:
        assert conn.execute(sa.text("SELECT max(version) FROM schema_version")).scalar() == 2
        assert "figures" in {c["name"] for c in sa.inspect(conn).get_columns("runs")}
    entry = load(rolled / "group.json")["stores"][0]
    latest = load(out / f"A-{WEEKS[-1]}" / "summary.json")
    assert entry["leads"]["total"] == latest["leads"]["total"]
    assert entry["followups"]["due"] == latest["followups"]["due"]
    assert entry["funnel"]["kept"] == latest["funnel"]["kept"]
    assert entry["funnel"].get("followed") is None  # not kept by version 1
    assert load(rolled / "group.json")["total"]["funnel"]["convert_rate"] is None


def test_rollup_of_an_empty_history_says_so(tmp_path):
    empty = tmp_path / "h.sqlite"
    assert invoke("history", "--history", str(empty)).exit_code in (0, 1)
    result = invoke("rollup", f"sqlite:///{empty}", "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert "错误: " in result.output and "Traceback" not in result.output

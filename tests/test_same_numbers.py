"""One week's work, one set of numbers: the terminal, the page (as Chromium shows
it), report.xlsx, the --split lists and summary.json say the same due / overdue /
upcoming / care / lost_review counts under the same words (domain.md §3, §8).

The inbox is the demo's (500 leads of October, 110 won, 225 lost, the daily
report of the month), run as the manager runs it.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
import tempfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from test_html import CHROMIUM, Chromium

from leadbook.cli import main
from leadbook.values import parse_date

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
KEYS = ("due", "overdue", "upcoming", "care", "lost_review")
WORDS = {"due": "应跟进", "overdue": "已逾期", "upcoming": "未来7天", "care": "售后关怀",
         "lost_review": "战败回访"}


def line(counts: dict[str, int], keys: tuple[str, ...] = KEYS) -> str:
    return " · ".join(f"{WORDS[k]} {counts[k]:,}" for k in keys)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, dict]:
    inbox = tmp_path_factory.mktemp("inbox")
    for p in SAMPLE.glob("*.xlsx"):
        shutil.copy(p, inbox / p.name)
    shutil.copy(SAMPLE / "leadbook.toml", inbox / "leadbook.toml")
    out = tmp_path_factory.mktemp("out")
    result = CliRunner().invoke(main, ["process", str(inbox), "--out", str(out), "--as-of",
                                       "2026-10-31", "--split", "-v"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return out, result.output, summary


def test_summary_counts_add_up(run):
    _, _, s = run
    f = s["followups"]
    assert all(f[k] > 0 for k in KEYS)  # the demo has work of every kind
    kinds = f["by_kind"]
    assert (kinds["followup"]["due"], kinds["followup"]["overdue"],
            kinds["followup"]["upcoming"]) == (f["due"], f["overdue"], f["upcoming"])
    assert f["care"] == sum(kinds["care"].values()) - kinds["care"]["overdue"]
    assert f["lost_review"] == (kinds["lost_review"]["due"] + kinds["lost_review"]["upcoming"])
    for key in ("due", "overdue", "upcoming"):
        assert sum(c[key] for c in f["by_consultant"].values()) == f[key]


def test_terminal_says_the_same(run):
    _, output, s = run
    f = s["followups"]
    assert f"待跟进: {line(f)}" in output.splitlines()
    for who, counts in f["by_consultant"].items():
        assert f"  {who}: {line(counts, ('due', 'overdue', 'upcoming'))}" in output.splitlines()


@pytest.mark.slow
def test_report_says_the_same(run):
    out, _, s = run
    f = s["followups"]
    wb = openpyxl.load_workbook(out / "report.xlsx", read_only=True)
    due = wb["待跟进"]
    rows = list(due.iter_rows(values_only=True))
    assert rows[0][0].endswith(f" · {line(f)}")
    header = list(rows[1])
    kind, late = header.index("类别"), header.index("逾期天数")
    listed = rows[2:]
    follow = [r[late] for r in listed if r[kind] == "跟进"]
    assert (sum(v >= 0 for v in follow), sum(v > 0 for v in follow),
            sum(v < 0 for v in follow)) == (f["due"], f["overdue"], f["upcoming"])
    assert sum(r[kind] == "售后关怀" for r in listed) == f["care"]
    assert sum(r[kind] == "战败回访" for r in listed) == f["lost_review"]
    people = list(wb["顾问"].iter_rows(min_row=2, values_only=True))
    head = list(people[0])
    cols = {k: head.index(w) for k, w in WORDS.items() if w in head}
    assert set(cols) == {"due", "overdue", "upcoming"}
    table = {r[0]: {k: r[c] for k, c in cols.items()} for r in people[1:] if r[0]}
    assert table == f["by_consultant"]


def test_split_lists_say_the_same(run):
    out, _, s = run
    by = s["followups"]["by_consultant"]
    for who, counts in by.items():
        wb = openpyxl.load_workbook(out / "due" / f"{who}.xlsx", read_only=True)
        title = next(wb.active.iter_rows(max_row=1, values_only=True))[0]
        assert f" · {line(counts, ('due', 'overdue', 'upcoming'))} · " in title


@pytest.mark.client
@pytest.mark.skipif(sys.platform == "win32", reason="the DevTools pipe is wired with POSIX fds")
def test_page_says_the_same(run, tmp_path):
    assert CHROMIUM, "Chromium is needed for this test (apt-get install chromium)"
    out, _, s = run
    f = s["followups"]
    browser = Chromium(CHROMIUM, Path(tempfile.mkdtemp(dir=tmp_path)))
    try:
        browser.open((out / "summary.html").as_uri(), 1280, 900, False)
        strip = browser.evaluate(
            "Object.fromEntries([...document.querySelectorAll('#due .strip li')]"
            ".map(li => [li.dataset.key, [li.firstChild.textContent.trim(),"
            " li.querySelector('b').innerText]]))")
        heads = browser.evaluate(
            "[...document.querySelectorAll('#due .consultant h3')].map(h => h.innerText)")
    finally:
        browser.close()
    assert strip == {k: [WORDS[k], f"{f[k]:,}"] for k in KEYS}
    for who, counts in f["by_consultant"].items():
        mine = next(h for h in heads if h.startswith(f"{who} "))
        assert line(counts, ("due", "overdue", "upcoming")) in mine


@pytest.mark.slow
def test_lost_sheet_covers_the_runs_period(tmp_path):
    """战败's reasons, competitors, channels and list are the period's, like the cost."""
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLE, inbox)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["process", str(inbox), "--out", str(out), "--as-of",
                                       "2026-10-31", "--from", "2026-10-10", "--to",
                                       "2026-10-16"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    lost = s["cost"]["lost"]
    assert 0 < lost < 225  # a week's share of the month's 225
    ws = openpyxl.load_workbook(out / "report.xlsx")["战败"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    # The three summary blocks side by side: reason / count, competitor / count, channel / lost.
    depth = next(i for i, r in enumerate(rows[1:], 1) if all(v is None for v in r))
    blocks = rows[1:depth]
    assert sum(r[1] for r in blocks if r[1] is not None) == lost
    assert sum(r[4] for r in blocks if r[4] is not None) == lost
    assert sum(r[7] for r in blocks if r[7] is not None) == lost
    listing = [r for r in rows[depth + 2:] if r[0]]
    assert len(listing) == lost
    # Each listed loss points at its row of the lead card, first contacted in the week.
    cards = openpyxl.load_workbook(inbox / "意向客户管理卡_2026-10.xlsx")["意向客户管理卡"]
    for r in listing:
        assert r[7:9] == ("意向客户管理卡_2026-10.xlsx", "意向客户管理卡")
        first = parse_date(cards.cell(row=r[9], column=7).value, as_of=dt.date(2026, 10, 31))
        assert dt.date(2026, 10, 10) <= first <= dt.date(2026, 10, 16)
        assert cards.cell(row=r[9], column=12).value == "战败"


@pytest.mark.slow
def test_schedule_sheet_agrees_with_the_list(run):
    """日程 counts the whole schedule; its near buckets are the list's follow-ups."""
    out, _, s = run
    f = s["followups"]
    rows = list(openpyxl.load_workbook(out / "report.xlsx")["日程"].iter_rows(
        min_row=2, values_only=True))
    head = list(rows[0])
    body = [r for r in rows[1:] if r[0] and r[1]]
    total = {w: sum(r[head.index(w)] for r in body)
             for w in ("逾期", "紧急", "缓急", "不紧急", "可慢反应", "合计")}
    assert total["逾期"] == f["overdue"]
    # 紧急 is today and the next 7 days: the list's follow-ups due today and upcoming.
    assert total["紧急"] == f["due"] - f["overdue"] + f["upcoming"]
    assert total["合计"] == sum(total[w] for w in ("逾期", "紧急", "缓急", "不紧急", "可慢反应"))
    # Every active or dormant lead with a next due date is counted once.
    by = s["leads"]["by_status"]
    assert total["合计"] <= by["active"] + by["dormant"]
    assert total["合计"] > f["due"] + f["upcoming"]  # the schedule reaches beyond the week

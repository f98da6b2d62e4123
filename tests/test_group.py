"""A dealer group: `leadbook group` and `leadbook rollup` (domain.md §7, §8).

Three stores built from the demo's sheets: 一店 (4s, 650,000 a month), 二店
(habc, 200,000 a month, with a broken workbook beside its good ones) and 三店
(a config leadbook cannot use). The group is run, its stores' figures are
checked against their own summary.json, the same outputs are rolled up again,
and the page is looked at in headless Chromium.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from test_html import CHROMIUM, Chromium

from leadbook.cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
AS_OF = "2026-10-31"
PHONE_RUN = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def make_store(root: Path, folder: str, config: str, broken: bool = False) -> Path:
    inbox = root / folder
    inbox.mkdir(parents=True)
    for p in SAMPLE.glob("*.xlsx"):
        shutil.copy(p, inbox / p.name)
    (inbox / "leadbook.toml").write_text(config, encoding="utf-8")
    if broken:
        (inbox / "坏文件.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    return inbox


@pytest.fixture(scope="module")
def group(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, object]:
    root = tmp_path_factory.mktemp("group")
    make_store(root, "A店", 'store = "一店"\n[marketing]\nspend = 650000\n')
    make_store(root, "B店", 'store = "二店 13812340301"\n[grading]\nscheme = "habc"\n'
                            '[marketing]\nspend = 200000\n', broken=True)
    make_store(root, "C店", 'store = "三店"\n[grading]\nscheme = "abc"\n')
    (root / "说明.txt").write_text("not a store", encoding="utf-8")
    (root / "空文件夹").mkdir()
    out = tmp_path_factory.mktemp("group-out")
    result = invoke("group", str(root), "--out", str(out), "--as-of", AS_OF, "--jobs", "2")
    return root, out, result


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_each_store_is_processed_as_process_would(group, tmp_path):
    root, out, result = group
    assert result.exit_code == 1  # one store gave no figures, one had a broken file
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["A店", "B店"]
    alone = tmp_path / "alone"
    single = invoke("process", str(root / "A店"), "--out", str(alone), "--as-of", AS_OF)
    assert single.exit_code == 0
    assert load(out / "A店" / "summary.json") == load(alone / "summary.json")
    for name in ("report.xlsx", "summary.html", "annotated"):
        assert (out / "A店" / name).exists()


def test_failures_are_reported_and_the_others_go_on(group):
    _, out, result = group
    data = load(out / "group.json")
    by = {e["folder"]: e for e in data["stores"]}
    assert list(by) == ["A店", "B店", "C店"]
    assert by["A店"]["status"] == "ok" and by["A店"]["errors"] == []
    assert by["B店"]["status"] == "ok"
    assert len(by["B店"]["errors"]) == 1 and by["B店"]["errors"][0].startswith("坏文件.xlsx: ")
    assert by["C店"]["status"] == "error" and by["C店"]["funnel"] is None
    assert "C店/leadbook.toml" in by["C店"]["errors"][0]
    assert "grading.scheme" in by["C店"]["errors"][0]
    assert "Traceback" not in result.output
    assert "C店/leadbook.toml" in result.output and "坏文件.xlsx" in result.output


def test_totals_add_counts_and_recompute_rates(group):
    _, out, _ = group
    data = load(out / "group.json")
    a, b = (load(out / f / "summary.json") for f in ("A店", "B店"))
    t = data["total"]
    assert t["stores"] == 2
    for key in ("rows", "total", "new_in_period", "duplicates", "regraded"):
        assert t["leads"][key] == a["leads"][key] + b["leads"][key]
    for key in ("due", "overdue", "upcoming", "care", "lost_review"):
        assert t["followups"][key] == a["followups"][key] + b["followups"][key]
    for key in ("traffic", "kept", "followed", "deals"):
        assert t["funnel"][key] == a["funnel"][key] + b["funnel"][key]
    assert t["cost"]["spend"] == pytest.approx(a["cost"]["spend"] + b["cost"]["spend"])
    assert t["cost"]["spend"] == pytest.approx(850000)  # a whole October of each
    assert t["cost"]["lost_cost"] == pytest.approx(a["cost"]["lost_cost"] + b["cost"]["lost_cost"])
    f = t["funnel"]
    assert f["convert_rate"] == pytest.approx(f["deals"] / f["followed"])
    assert f["keep_rate"] == pytest.approx(f["kept"] / f["traffic"])
    assert t["cost"]["cost_per_lead"] == pytest.approx(t["cost"]["spend"] / f["kept"])
    # The schemes differ, so the grades differ: 4s A–D beside habc H–C.
    assert a["leads"]["by_grade"] != b["leads"]["by_grade"]
    # Ranks: equal conversion (same sheets) shares the first place; the cheaper store
    # is first on cost per lead.
    by = {e["folder"]: e for e in data["stores"]}
    assert by["A店"]["rank"]["convert_rate"] == by["B店"]["rank"]["convert_rate"] == 1
    assert (by["B店"]["rank"]["cost_per_lead"], by["A店"]["rank"]["cost_per_lead"]) == (1, 2)
    assert by["C店"]["rank"] == {"convert_rate": None, "cost_per_lead": None}


def test_names_are_masked_in_the_rollup(group):
    _, out, _ = group
    for name in ("group.json", "group.html"):
        text = (out / name).read_text(encoding="utf-8")
        assert not PHONE_RUN.search(text), name
    assert "二店 138****0301" in (out / "group.json").read_text(encoding="utf-8")
    book = openpyxl.load_workbook(out / "group.xlsx")
    for ws in book:
        for row in ws.iter_rows(values_only=True):
            assert not any(isinstance(v, str) and PHONE_RUN.search(v) for v in row)


def test_group_workbook(group):
    _, out, _ = group
    data = load(out / "group.json")
    book = openpyxl.load_workbook(out / "group.xlsx")
    # each store keeps its history (its inbox's leadbook-history.sqlite): one run each
    assert book.sheetnames == ["门店对比", "趋势"]
    assert all(len(s["history"]["trend"]) == 1 for s in data["stores"] if "history" in s)
    ws = book["门店对比"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    head = list(rows[0])
    assert head[:4] == ["门店", "统计期", "线索数", "应跟进"]
    body = {r[0]: r for r in rows[1:5] if r[0]}
    assert set(body) == {"一店", "二店 138****0301", "C店", "合计"}  # no config: its folder
    total = body["合计"]
    assert total[head.index("线索数")] == data["total"]["leads"]["total"]
    assert total[head.index("最终转化率")] == pytest.approx(data["total"]["funnel"]["convert_rate"])
    assert "没有结果" in body["C店"][head.index("提示")]
    assert ws.conditional_formatting  # colour scales on rates and costs
    with zipfile.ZipFile(out / "group.xlsx") as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        kinds = sorted("bar" if '<c:barDir val="bar"/>' in z.read(n).decode()
                       else "line" if "<c:lineChart>" in z.read(n).decode() else "?"
                       for n in charts)
        assert kinds == ["bar", "bar", "line"]  # two ranking charts, and 趋势's line chart


def test_rollup_of_the_same_outputs_gives_the_same_group_json(group, tmp_path):
    _, out, _ = group
    rolled = tmp_path / "rolled"
    result = invoke("rollup", str(out), "--out", str(rolled))
    assert result.exit_code == 0, result.output
    again = load(rolled / "group.json")
    first = load(out / "group.json")
    # 三店 wrote nothing a roll-up could read; everything else is the same.
    first["stores"] = [e for e in first["stores"] if e["status"] == "ok"]
    assert again == first
    # Store folders one by one give the same.
    one_by_one = tmp_path / "one-by-one"
    assert invoke("rollup", str(out / "A店"), str(out / "B店"), "--out",
                  str(one_by_one)).exit_code == 0
    assert load(one_by_one / "group.json") == again


@pytest.mark.slow
def test_rollup_flags_stores_of_another_week(group, tmp_path):
    root, out, _ = group
    later = tmp_path / "later"
    assert invoke("process", str(root / "A店"), "--out", str(later), "--as-of",
                  "2026-11-07", "--from", "2026-11-01", "--to", "2026-11-07").exit_code == 0
    rolled = tmp_path / "rolled"
    assert invoke("rollup", str(out / "A店"), str(out / "B店"), str(later), "--out",
                  str(rolled)).exit_code == 0
    data = load(rolled / "group.json")
    flags = {e["folder"]: e["flags"] for e in data["stores"]}
    assert flags == {"A店": [], "B店": [], "later": ["as_of", "period"]}
    page = (rolled / "group.html").read_text(encoding="utf-8")
    assert "截至日与多数门店不同" in page and "统计期与多数门店不同" in page


def test_rollup_source_that_holds_no_store(tmp_path):
    result = invoke("rollup", str(tmp_path), "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert "没有找到任何门店的 summary.json" in result.output


def test_group_without_stores_says_so(tmp_path):
    (tmp_path / "g").mkdir()
    result = invoke("group", str(tmp_path / "g"), "--out", str(tmp_path / "o"))
    assert result.exit_code == 1
    assert "没有门店文件夹" in result.output


@pytest.mark.client
@pytest.mark.skipif(sys.platform == "win32", reason="the DevTools pipe is wired with POSIX fds")
@pytest.mark.parametrize("width,mobile", [(390, True), (1280, False)])
def test_group_page_in_headless_chromium(group, tmp_path, width, mobile):
    assert CHROMIUM, "Chromium is needed for this test (apt-get install chromium)"
    _, out, _ = group
    data = load(out / "group.json")
    browser = Chromium(CHROMIUM, Path(tempfile.mkdtemp(dir=tmp_path)))
    try:
        browser.open((out / "group.html").as_uri(), width, 900, mobile)
        text = browser.evaluate("document.body.innerText")
        overflow = browser.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        scripts = browser.evaluate("document.scripts.length")
        kpis = browser.evaluate(
            "Object.fromEntries([...document.querySelectorAll('[data-kpi]')]"
            ".map(k => [k.dataset.kpi, k.querySelector('.value').innerText]))")
        browser.screenshot(tmp_path / f"group_{width}.png")
    finally:
        browser.close()
    assert overflow <= 0 and scripts == 0
    t = data["total"]
    assert kpis["leads"] == f"{t['leads']['total']:,}"
    assert kpis["due"] == f"{t['followups']['due']:,}"
    assert kpis["convert_rate"] == f"{t['funnel']['convert_rate']:.1%}"
    for name in ("一店", "二店 138****0301", "C店", "没有结果的门店"):
        assert name in text
    assert not PHONE_RUN.search(text)
    requests = [e["params"]["request"]["url"] for e in browser.events
                if e.get("method") == "Network.requestWillBeSent"]
    assert requests == [(out / "group.html").as_uri()]

"""The weekly memory (domain.md §10) on a real SQLite file and a real PostgreSQL server.

Every test runs on both back ends (the ``history`` fixture). PostgreSQL comes
from ``LEADBOOK_TEST_PG_URL`` (an admin URL; each test gets a database of its
own, dropped after): ``.ci/run`` starts a server and sets it. Without the URL
the PostgreSQL half is skipped on a developer's machine and FAILS under CI.

The scenario is tests/fixtures/make_history_weeks.py (its docstring tells the
story); the figures asserted below are worked out by hand from that story.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from leadbook.cli import main
from leadbook.history.store import SCHEMA_VERSION

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
import make_history_weeks as weeks  # noqa: E402

# Every test makes whole runs into a database, most of them three weeks of runs.
pytestmark = pytest.mark.slow

PG_ENV = "LEADBOOK_TEST_PG_URL"


def _pg_admin() -> str | None:
    url = os.environ.get(PG_ENV)
    if url:
        return url
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{PG_ENV} is not set: under CI the PostgreSQL tests must run (.ci/run)")
    pytest.skip(f"{PG_ENV} not set: no PostgreSQL server for this run")
    return None


@pytest.fixture(params=["sqlite", "postgresql"])
def history(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh history location: an SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield str(tmp_path / "history" / "leadbook-history.sqlite")
        return
    admin = _pg_admin()
    assert admin is not None
    name = f"leadbook_t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(_psycopg(admin), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield sa.engine.make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        engine.dispose()


def _psycopg(url: str) -> sa.engine.URL:
    u = sa.engine.make_url(url)
    return u.set(drivername="postgresql+psycopg") if u.drivername == "postgresql" else u


def _engine(location: str) -> sa.engine.Engine:
    if "://" in location:
        return sa.create_engine(_psycopg(location))
    return sa.create_engine(f"sqlite:///{location}")


@pytest.fixture()
def inboxes(tmp_path: Path) -> dict[int, Path]:
    return weeks.write_weeks(tmp_path / "weeks")


def run_week(inboxes: dict[int, Path], week: int, history: str, out: Path,
             *extra: str) -> tuple[dict[str, Any], Any]:
    result = CliRunner().invoke(
        main, ["process", str(inboxes[week]), "--out", str(out), "--as-of",
               weeks.AS_OF[week].isoformat(), "--jobs", "1", "--history", history, *extra],
        catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads((out / "summary.json").read_text(encoding="utf-8")), result


def three_weeks(inboxes: dict[int, Path], history: str, tmp_path: Path
                ) -> dict[int, dict[str, Any]]:
    return {w: run_week(inboxes, w, history, tmp_path / f"out{w}")[0] for w in (1, 2, 3)}


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()
            if p.suffix == ".xlsx"}


# -- the three weeks


def test_first_run_compares_with_nothing(inboxes, history, tmp_path):
    s, result = run_week(inboxes, 1, history, tmp_path / "out1")
    h = s["history"]
    assert list(s)[-2:] == ["history", "issues"]
    assert h["previous_as_of"] is None
    assert h["runs"] == 1
    assert h["followthrough"] is None and h["leads"] is None and h["transitions"] is None
    assert [t["as_of"] for t in h["trend"]] == ["2026-11-08"]
    assert "本店首次记录" in result.output


def test_week_two_against_week_one(inboxes, history, tmp_path):
    s = three_weeks(inboxes, history, tmp_path)[2]
    h = s["history"]
    assert h["previous_as_of"] == "2026-11-08"
    assert h["runs"] == 2
    ft = h["followthrough"]
    # 张伟: L1 L2 L9 on time, L3 late, L4 not called; 李娜: L5 won late, L6 lost in
    # time, L7 deleted (listed, neither done nor missed).
    assert {k: ft[k] for k in ("listed", "done", "on_time", "missed")} == {
        "listed": 8, "done": 6, "on_time": 4, "missed": 1}
    assert ft["rate"] == pytest.approx(6 / 8)
    assert ft["by_consultant"] == {
        "张伟": {"listed": 5, "done": 4, "on_time": 3, "missed": 1, "rate": pytest.approx(0.8)},
        "李娜": {"listed": 3, "done": 2, "on_time": 1, "missed": 0, "rate": pytest.approx(2 / 3)},
    }
    assert h["leads"] == {"new": 1, "carried_over": 10, "vanished": 2, "upgraded": 1,
                          "downgraded": 1, "newly_won": 1, "newly_lost": 1, "reopened": 0}
    assert h["transitions"] == {"A→O": 1, "B→C": 1, "B→F": 1, "D→B": 1}


def test_week_three_against_week_two(inboxes, history, tmp_path):
    s = three_weeks(inboxes, history, tmp_path)[3]
    h = s["history"]
    assert h["previous_as_of"] == "2026-11-15"
    assert h["runs"] == 3
    ft = h["followthrough"]
    # 张伟: L1 in time, L4 (overdue when listed) the day after as-of: in time, L3
    # late, L2 and L9 not called; 李娜: L13 (new, due the day of listing) late.
    assert {k: ft[k] for k in ("listed", "done", "on_time", "missed")} == {
        "listed": 6, "done": 4, "on_time": 2, "missed": 2}
    assert ft["by_consultant"]["张伟"] == {"listed": 5, "done": 3, "on_time": 2, "missed": 2,
                                         "rate": pytest.approx(0.6)}
    assert ft["by_consultant"]["李娜"] == {"listed": 1, "done": 1, "on_time": 0, "missed": 0,
                                         "rate": 1.0}
    # N→A is neither an upgrade nor a downgrade, but a transition.
    assert h["leads"] == {"new": 1, "carried_over": 11, "vanished": 0, "upgraded": 1,
                          "downgraded": 1, "newly_won": 0, "newly_lost": 0, "reopened": 1}
    assert h["transitions"] == {"B→D": 1, "C→A": 1, "N→A": 1, "O→B": 1}


def test_trend_is_each_runs_own_figures(inboxes, history, tmp_path):
    summaries = three_weeks(inboxes, history, tmp_path)
    trend = summaries[3]["history"]["trend"]
    assert [t["as_of"] for t in trend] == ["2026-11-08", "2026-11-15", "2026-11-22"]
    for t, week in zip(trend, (1, 2, 3), strict=True):
        s = summaries[week]
        assert set(t) == {"as_of", "traffic", "kept", "deals", "cost_per_lead", "lost_share",
                          "due", "overdue", "followthrough_rate"}
        assert t["as_of"] == s["as_of"]
        for k in ("traffic", "kept", "deals"):
            assert t[k] == s["funnel"][k]
        for k in ("cost_per_lead", "lost_share"):
            assert t[k] == s["cost"][k]
        assert (t["due"], t["overdue"]) == (s["followups"]["due"], s["followups"]["overdue"])
        ft = s["history"]["followthrough"]
        assert t["followthrough_rate"] == (None if ft is None else ft["rate"])


def test_trend_keeps_the_last_twelve_runs(tmp_path, history):
    inbox = weeks.write_week(tmp_path, 1)
    first = weeks.AS_OF[1]
    for i in range(14):
        as_of = first + dt.timedelta(days=7 * i)
        result = CliRunner().invoke(main, ["process", str(inbox), "--out", str(tmp_path / "o"),
                                           "--as-of", as_of.isoformat(), "--jobs", "1",
                                           "--history", history], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    h = json.loads((tmp_path / "o" / "summary.json").read_text(encoding="utf-8"))["history"]
    assert h["runs"] == 14
    dates = [t["as_of"] for t in h["trend"]]
    assert len(dates) == 12
    assert dates[0] == (first + dt.timedelta(days=14)).isoformat()
    assert dates[-1] == (first + dt.timedelta(days=7 * 13)).isoformat()


def test_vanished_leads_are_warnings_with_consultant_and_masked_phone(inboxes, history,
                                                                      tmp_path):
    s = three_weeks(inboxes, history, tmp_path)[2]
    vanished = [i for i in s["issues"] if i["code"] == "vanished_lead"]
    assert len(vanished) == 2
    for issue, lead in zip(vanished, ("L7", "L8"), strict=True):
        phone = weeks.phone_of(lead)
        assert issue["severity"] == "warning"
        assert "李娜" in issue["message"]
        assert f"{phone[:3]}****{phone[-4:]}" in issue["message"]
        assert phone not in json.dumps(s, ensure_ascii=False)
        assert issue["file"] == "意向客户管理卡.xlsx" and issue["sheet"] == "意向客户管理卡"
    # Where they sat in week 1's card: rows 9 and 10 (title, header, then L1…).
    assert [i["row"] for i in vanished] == [9, 10]


def test_rerun_of_a_week_gives_the_same_summary(inboxes, history, tmp_path):
    run_week(inboxes, 1, history, tmp_path / "w1")
    run_week(inboxes, 2, history, tmp_path / "w2a")
    run_week(inboxes, 2, history, tmp_path / "w2b")
    a = (tmp_path / "w2a" / "summary.json").read_bytes()
    assert a == (tmp_path / "w2b" / "summary.json").read_bytes()
    with _engine(history).connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM runs")).scalar() == 2


def test_backfill_compares_with_the_run_before_it(inboxes, history, tmp_path):
    in_order = three_weeks(inboxes, history + ("" if "://" in history else ".a"), tmp_path)
    # The same weeks kept in another order: 1, 3, then 2 added afterwards.
    other = history if "://" in history else str(tmp_path / "b.sqlite")
    if "://" in history:
        with _engine(history).begin() as conn:
            conn.execute(sa.text("DELETE FROM tasks"))
            conn.execute(sa.text("DELETE FROM leads"))
            conn.execute(sa.text("DELETE FROM runs"))
    run_week(inboxes, 1, other, tmp_path / "b1")
    run_week(inboxes, 3, other, tmp_path / "b3")
    late, _ = run_week(inboxes, 2, other, tmp_path / "b2")
    assert late["history"]["previous_as_of"] == "2026-11-08"
    assert late == in_order[2]


def test_no_full_phone_anywhere_in_the_database(inboxes, history, tmp_path):
    three_weeks(inboxes, history, tmp_path)
    phones = [weeks.phone_of(lead) for lead in weeks.LEADS]
    engine = _engine(history)
    seen = 0
    with engine.connect() as conn:
        for table in sa.inspect(engine).get_table_names():
            for row in conn.execute(sa.text(f'SELECT * FROM "{table}"')):
                text = " ".join("" if v is None else str(v) for v in row)
                seen += 1
                # any mobile number, not a run of digits inside a hash
                assert not re.search(r"(?<![0-9a-f])1[3-9]\d{9}(?![0-9a-f])", text), (table, text)
                assert not any(p in text for p in phones), (table, text)
        masked = {r[0] for r in conn.execute(sa.text("SELECT phone_masked FROM leads"))}
    assert seen > 30
    assert "138****0001" in masked


def test_the_key_is_kept_beside_the_file_or_in_the_database(inboxes, history, tmp_path):
    run_week(inboxes, 1, history, tmp_path / "out")
    with _engine(history).connect() as conn:
        keys = conn.execute(sa.text("SELECT key_hex FROM history_key")).fetchall()
        version = conn.execute(sa.text("SELECT max(version) FROM schema_version")).scalar()
    assert version == SCHEMA_VERSION == 2
    if "://" in history:
        assert len(keys) == 1 and len(keys[0][0]) == 64
        return
    assert keys == []
    key = Path(history + ".key")
    assert key.stat().st_mode & 0o777 == 0o600
    assert len(key.read_text().strip()) == 64


def test_a_missing_key_file_is_a_warning_and_the_run_goes_on(inboxes, tmp_path):
    history = str(tmp_path / "h.sqlite")
    run_week(inboxes, 1, history, tmp_path / "o1")
    Path(history + ".key").unlink()
    s, result = run_week(inboxes, 2, history, tmp_path / "o2")
    assert s["history"] is None
    assert "密钥文件" in result.stderr and "Traceback" not in result.output
    assert [i["code"] for i in s["issues"]] == ["history_unavailable"]
    assert (tmp_path / "o2" / "report.xlsx").is_file()


@pytest.mark.parametrize("where", ["directory", "server"])
def test_a_history_that_cannot_be_opened_is_a_warning(inboxes, tmp_path, where):
    if where == "directory":
        location = str(tmp_path)  # a folder, not a database file
    else:
        location = "postgresql://nobody@127.0.0.1:9/none"  # nothing listens on port 9
    s, result = run_week(inboxes, 1, location, tmp_path / "out")
    assert s["history"] is None
    issue = [i for i in s["issues"] if i["code"] == "history_unavailable"]
    assert len(issue) == 1 and issue[0]["severity"] == "warning"
    assert "历史记录未能使用" in result.stderr
    assert "Error" not in result.stderr and "sqlalchemy" not in result.stderr.lower()
    assert (tmp_path / "out" / "summary.html").is_file()


def test_a_newer_schema_is_refused_in_words(inboxes, history, tmp_path):
    run_week(inboxes, 1, history, tmp_path / "o1")
    with _engine(history).begin() as conn:
        conn.execute(sa.text("INSERT INTO schema_version (version, applied) VALUES (99, 'x')"))
    s, result = run_week(inboxes, 2, history, tmp_path / "o2")
    assert s["history"] is None
    assert "比本程序新" in result.stderr


def test_default_history_sits_in_the_inbox_and_inputs_stay(inboxes, tmp_path):
    inbox = inboxes[1]
    before = _digests(inbox)
    for _ in range(2):
        result = CliRunner().invoke(main, ["process", str(inbox), "--out", str(tmp_path / "o"),
                                           "--as-of", "2026-11-08", "--jobs", "1"],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
    assert _digests(inbox) == before
    assert (inbox / "leadbook-history.sqlite").is_file()
    s = json.loads((tmp_path / "o" / "summary.json").read_text(encoding="utf-8"))
    assert [f["path"] for f in s["files"]] == ["意向客户管理卡.xlsx"]  # its own files unlisted
    assert s["history"]["runs"] == 1


def test_config_history_and_no_history(inboxes, tmp_path):
    inbox = inboxes[1]
    (inbox / "leadbook.toml").write_text(
        f'store = "{weeks.STORE}"\nhistory = "kept/h.sqlite"\n', encoding="utf-8")
    CliRunner().invoke(main, ["process", str(inbox), "--out", str(tmp_path / "o"), "--as-of",
                              "2026-11-08"], catch_exceptions=False)
    assert (inbox / "kept" / "h.sqlite").is_file()
    result = CliRunner().invoke(main, ["process", str(inboxes[2]), "--out",
                                       str(tmp_path / "n"), "--as-of", "2026-11-15",
                                       "--no-history"], catch_exceptions=False)
    assert result.exit_code == 0
    assert not list(inboxes[2].glob("leadbook-history*"))
    s = json.loads((tmp_path / "n" / "summary.json").read_text(encoding="utf-8"))
    assert s["history"] is None
    both = CliRunner().invoke(main, ["process", str(inbox), "--history", "x", "--no-history"])
    assert both.exit_code == 2


def test_terminal_line(inboxes, history, tmp_path):
    run_week(inboxes, 1, history, tmp_path / "o1")
    _, result = run_week(inboxes, 2, history, tmp_path / "o2")
    assert "跟进完成 6/8 (75%) · 消失线索 2 · 升级 1 降级 1" in result.output


def test_history_command_lists_the_runs(inboxes, history, tmp_path):
    three_weeks(inboxes, history, tmp_path)
    result = CliRunner().invoke(main, ["history", "--history", history, "--store", weeks.STORE],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["门店", "截至", "统计期", "线索", "应跟进", "逾期", "跟进完成"]
    assert [line.split()[1] for line in lines[1:]] == ["2026-11-08", "2026-11-15", "2026-11-22"]
    assert lines[1].split()[-1] == "—"
    assert lines[2].split()[-2:] == ["6/8", "(75%)"]
    assert lines[2].split()[3] == "11"  # week 2's leads
    other = CliRunner().invoke(main, ["history", "--history", history, "--store", "别的店"])
    assert other.output.strip() == "没有记录"


def test_help_names_the_history_options():
    result = CliRunner().invoke(main, ["process", "--help"])
    assert "--history PATH|URL" in result.output and "--no-history" in result.output
    result = CliRunner().invoke(main, ["history", "--help"])
    assert result.exit_code == 0 and "--store" in result.output


def test_english_page_and_report(inboxes, tmp_path):
    history = str(tmp_path / "h.sqlite")
    run_week(inboxes, 1, history, tmp_path / "o1", "--lang", "en")
    s, result = run_week(inboxes, 2, history, tmp_path / "o2", "--lang", "en")
    assert "Follow-through 6/8 (75%) · vanished leads 2" in result.output
    assert "Lead vanished: 李娜's customer 139****0007" in json.dumps(s, ensure_ascii=False)
    import openpyxl

    names = openpyxl.load_workbook(tmp_path / "o2" / "report.xlsx").sheetnames
    assert "Changes" in names and "Trend" in names
    from html import unescape

    assert "This week's changes" in unescape((tmp_path / "o2" / "summary.html").read_text("utf-8"))


def test_history_command_on_no_history_creates_nothing(tmp_path):
    result = CliRunner().invoke(main, ["history", "--history", str(tmp_path / "none.sqlite")])
    assert result.exit_code == 1
    assert "没有历史记录" in result.stderr
    assert not (tmp_path / "none.sqlite").exists()


# -- two stores at once


def test_two_stores_write_one_history_at_once(history, tmp_path):
    stores = {"甲店": 13700000000, "乙店": 13600000000}
    inboxes = {name: weeks.write_store(tmp_path, name, 3000, phone)
               for name, phone in stores.items()}
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    procs = [
        subprocess.Popen([sys.executable, "-m", "leadbook.cli", "process", str(inbox), "--out",
                          str(tmp_path / f"out-{name}"), "--as-of", "2026-11-15", "--jobs", "1",
                          "--history", history], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=env, text=True)
        for name, inbox in inboxes.items()
    ]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        assert "历史记录未能使用" not in err, err
    with _engine(history).connect() as conn:
        runs = dict(conn.execute(sa.text(
            "SELECT r.store, count(l.lead_key) FROM runs r JOIN leads l ON l.run_id = r.id "
            "GROUP BY r.store")).fetchall())
        keys = conn.execute(sa.text("SELECT count(*) FROM history_key")).scalar()
    assert runs == {"甲店": 3000, "乙店": 3000}
    if "://" in history:
        assert keys == 1  # one key, made once, though both runs created the history


# -- what the outputs show (the SQLite half is enough: the figures come from summary.json)


def _sqlite_weeks(inboxes: dict[int, Path], tmp_path: Path) -> dict[int, dict[str, Any]]:
    return three_weeks(inboxes, str(tmp_path / "h.sqlite"), tmp_path)


def test_report_changes_and_trend_sheets(inboxes, tmp_path):
    import openpyxl
    from openpyxl.chart import LineChart

    summaries = _sqlite_weeks(inboxes, tmp_path)
    wb = openpyxl.load_workbook(tmp_path / "out2" / "report.xlsx")
    names = wb.sheetnames
    assert names.index("战败") + 1 == names.index("变化")
    assert names.index("变化") + 1 == names.index("趋势") == names.index("数据问题") - 1
    rows = [[v for v in r if v is not None] for r in wb["变化"].iter_rows(values_only=True)]
    h = summaries[2]["history"]
    for who, e in h["followthrough"]["by_consultant"].items():
        assert [who, e["listed"], e["done"], e["on_time"], e["missed"]] in [r[:5] for r in rows]
    # the before × after table: row of a before grade, column of an after grade
    grid = next(i for i, r in enumerate(rows) if r and r[0] == "上次 \\ 本次")
    after = rows[grid][1:]
    found = {}
    for r in rows[grid + 1: grid + 1 + len(after)]:
        ws_row = next(x for x in wb["变化"].iter_rows(values_only=True) if x[0] == r[0])
        for j, g in enumerate(after, 1):
            if ws_row[j] is not None:
                found[f"{r[0]}→{g}"] = ws_row[j]
    assert found == h["transitions"]
    flat = [str(v) for r in rows for v in r]
    assert "139****0007" in flat and "139****0008" in flat and "138****0004" in flat
    assert not any(weeks.phone_of(lead) in flat for lead in weeks.LEADS)
    trend = wb["趋势"]
    dates = [r[0] for r in trend.iter_rows(min_row=3, values_only=True) if r[0]]
    assert dates == [t["as_of"] for t in h["trend"]]
    assert [type(c) for c in trend._charts] == [LineChart, LineChart]
    first = openpyxl.load_workbook(tmp_path / "out1" / "report.xlsx").sheetnames
    assert "变化" not in first and "趋势" not in first


def test_page_shows_this_weeks_changes_and_trend(inboxes, tmp_path):
    _sqlite_weeks(inboxes, tmp_path)
    page = (tmp_path / "out2" / "summary.html").read_text(encoding="utf-8")
    changes = page[page.index('<section id="changes">'):page.index('<section id="issues">')]
    assert "本周变化" in changes
    assert "跟进完成 6/8 (75%) · 消失线索 2 · 升级 1 降级 1" in changes
    assert "139****0007" in changes and "138****0004" in changes
    assert "D→B 1" in changes
    assert not any(weeks.phone_of(lead) in page for lead in weeks.LEADS)
    trend = changes[changes.index('<section id="trend">'):]
    assert trend.count("<polyline") == 4 and "11-08" in trend and "11-15" in trend
    first = (tmp_path / "out1" / "summary.html").read_text(encoding="utf-8")
    assert "本店首次记录历史" in first and '<section id="trend">' not in first


def _cells(path: Path) -> dict[str, list[list[Any]]]:
    import openpyxl

    wb = openpyxl.load_workbook(path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


def _force_early_report(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Make the small scenario take the large inbox's path (report.xlsx and the history
    step in a forked worker); the pids the history step ran in are written down."""
    from leadbook import early_report, workers
    from leadbook.history.remember import Keeping

    monkeypatch.setattr(workers, "PARALLEL_MIN_ROWS", 0)
    monkeypatch.setattr(early_report, "PREPARE_MIN_BYTES", 0)
    pids = tmp_path / "history-pids"
    real_save = Keeping.save

    def save(self: Keeping, outcome: Any) -> Any:
        with pids.open("a") as f:
            f.write(f"{os.getpid()}\n")
        return real_save(self, outcome)

    monkeypatch.setattr(Keeping, "save", save)
    return pids


def test_history_kept_by_the_report_worker_gives_the_same_outputs(inboxes, history, tmp_path,
                                                                  monkeypatch):
    """On a large inbox the history step runs in report.xlsx's worker while this process
    writes the annotated copies: summary.json, the page and every report sheet are
    those of a run that keeps the history in its own process, week after week."""
    alone = tmp_path / "alone.sqlite"
    said = {}  # what the terminal said each week, the history kept here
    for week in (1, 2, 3):
        one = tmp_path / f"one{week}"
        said[week] = run_week(inboxes, week, str(alone), one)[1].output.replace(str(one), "OUT")
    pids = _force_early_report(monkeypatch, tmp_path)
    for week in (1, 2, 3):
        out = tmp_path / f"two{week}"
        result = CliRunner().invoke(
            main, ["process", str(inboxes[week]), "--out", str(out), "--as-of",
                   weeks.AS_OF[week].isoformat(), "--jobs", "2", "--history", history],
            catch_exceptions=False)
        assert result.exit_code == 0, result.output
        one = tmp_path / f"one{week}"
        assert (out / "summary.json").read_bytes() == (one / "summary.json").read_bytes()
        assert (out / "summary.html").read_bytes() == (one / "summary.html").read_bytes()
        assert _cells(out / "report.xlsx") == _cells(one / "report.xlsx")
        assert result.output.replace(str(out), "OUT") == said[week]
    ran = [int(p) for p in pids.read_text().split()]
    assert len(ran) == 3 and os.getpid() not in ran  # each week's step, in a worker
    s = json.loads((tmp_path / "two2" / "summary.json").read_text(encoding="utf-8"))
    assert s["history"]["followthrough"] is not None  # week 2 compared with week 1


def test_history_step_done_here_when_the_report_worker_dies(inboxes, tmp_path, monkeypatch):
    """A report worker that dies before the history step: this process keeps the run in
    the history itself, and summary.json has the comparison."""
    import leadbook.write.report_xlsx as report_xlsx

    hist = str(tmp_path / "h.sqlite")
    run_week(inboxes, 1, hist, tmp_path / "one1")
    pids = _force_early_report(monkeypatch, tmp_path)
    monkeypatch.setattr(report_xlsx, "write_due_sheet", lambda *a, **k: os._exit(5))
    out = tmp_path / "two2"
    result = CliRunner().invoke(
        main, ["process", str(inboxes[2]), "--out", str(out), "--as-of",
               weeks.AS_OF[2].isoformat(), "--jobs", "2", "--history", hist],
        catch_exceptions=False)
    assert result.exit_code == 1
    assert "report.xlsx: 未能写出 (写出它的进程中途退出, 退出码 5)" in result.output
    assert [int(p) for p in pids.read_text().split()] == [os.getpid()]
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert s["history"]["previous_as_of"] == weeks.AS_OF[1].isoformat()
    assert s["history"]["followthrough"]["listed"] > 0

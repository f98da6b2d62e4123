"""A whole run on a small hand-made inbox: statuses, ownership, issues, 提示, comments."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from cards import rows_of

from leadbook.config import Config, parse_config
from leadbook.outputs import write_outputs
from leadbook.pipeline import analyse

AS_OF = dt.date(2026, 11, 22)
HEADER = ["客户姓名", "联系电话", "销售顾问", "信息来源", "首次接触日期", "最近跟进日期",
          "预计购车时间", "客户级别", "状态", "战败原因"]
D = dt.date.fromisoformat
ROWS = [
    # row 3: A lead recorded as B: re-graded, reason in 提示 and a comment.
    ["赵一", "13800000001", "张伟", "汽车之家", D("2026-11-17"), D("2026-11-18"), "3个月内", "B", "跟进中", None],
    # row 4: the same phone by another consultant, later: 撞单.
    ["赵一", "138-0000-0001", "李娜", "懂车帝", D("2026-11-19"), None, "半年内", "B", "跟进中", None],
    # row 5: the same phone by the owner again: a repeat.
    ["赵一", "+86 138 0000 0001", "张伟", "汽车之家", D("2026-11-20"), None, None, "A", "意向", None],
    # row 6: won, row 7: lost, row 8: invalid, row 9: dormant.
    ["钱二", "13800000002", "张伟", "懂车帝", D("2026-11-16"), D("2026-11-21"), None, "A", "已成交", None],
    ["孙三", "13800000003", "李娜", "懂车帝", D("2026-11-16"), D("2026-11-20"), None, "B", "战败", "价格因素"],
    ["李四", "13800000004", "李娜", "汽车之家", D("2026-11-17"), None, "3个月内", "A", "无效", None],
    ["周五", "13800000005", "李娜", "汽车之家", D("2026-11-01"), D("2026-11-01"), "半年内", "B", "休眠", None],
    # row 10: unreadable values: kept, with issues naming the cell.
    ["吴六", "call me", "张伟", "汽车之家", "2026-13-45", None, "过几天再说吧", "很高", "跟进中", None],
    # row 11: no phone, no consultant.
    ["郑七", None, None, "汽车之家", D("2026-11-18"), None, "1个月内", "A", "跟进中", None],
]


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> tuple[Path, dict]:
    base = tmp_path_factory.mktemp("pipe")
    inbox = base / "inbox"
    inbox.mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户卡"
    ws["A1"] = "意向客户管理卡"
    for col, word in enumerate(HEADER, 1):
        ws.cell(2, col, word)
    for r, row in enumerate(ROWS, 3):
        for col, value in enumerate(row, 1):
            ws.cell(r, col, value)
    wb.save(inbox / "cards.xlsx")
    config = parse_config({"marketing": {"spend": 7000}})
    analysis = analyse(inbox, config, AS_OF)
    out = base / "out"
    written = write_outputs(analysis, out, jobs=1)
    assert not written.errors
    return out, json.loads((out / "summary.json").read_text(encoding="utf-8"))


def test_counts(run):
    _, s = run
    leads = s["leads"]
    assert leads["rows"] == 9
    assert leads["duplicates"] == 2
    assert leads["total"] == 7
    assert leads["by_status"] == {"active": 3, "won": 1, "lost": 1, "invalid": 1, "dormant": 1}
    # by_grade counts active leads only: 赵一 (A), 吴六 (N: no readable grade), 郑七 (A).
    assert leads["by_grade"] == {"A": 2, "B": 0, "C": 0, "D": 0, "N": 1}
    assert leads["regraded"] == 1  # 赵一 B→A; 吴六 had no readable grade: graded, not re-graded


def test_invalid_left_out_of_funnel_and_cost(run):
    _, s = run
    # Period: the ISO week of as-of (no daily report). Invalid 李四 and dormant 周五 (11-01)
    # are not in the cohort: 赵一, 钱二, 孙三, 吴六 (no readable date → not in period), 郑七.
    assert s["period"] == {"start": "2026-11-16", "end": "2026-11-22"}
    assert s["funnel"]["kept"] == 4
    assert s["funnel"]["traffic"] is None and s["funnel"]["keep_rate"] is None
    # 7,000 RMB a month, seven November days of it: 7,000 × 7/30 for 4 leads.
    assert s["cost"]["spend"] == pytest.approx(7000 * 7 / 30)
    assert s["cost"]["cost_per_lead"] == pytest.approx(7000 * 7 / 30 / 4)
    assert s["cost"]["lost"] == 1


def test_issues_name_the_cell(run):
    _, s = run
    found = {(i["row"], i["column"], i["code"]) for i in s["issues"]}
    assert (10, "联系电话", "bad_phone") in found
    assert (10, "首次接触日期", "bad_date") in found
    assert (10, "预计购车时间", "bad_horizon") in found
    assert (10, "客户级别", "bad_grade") in found
    assert (11, "联系电话", "missing_phone") in found
    assert (11, "销售顾问", "missing_consultant") in found
    assert (4, None, "ownership_conflict") in found
    assert (5, None, "duplicate_lead") in found
    for i in s["issues"]:
        assert i["file"] == "cards.xlsx" and i["sheet"] == "客户卡"
        assert "13800000001" not in json.dumps(i, ensure_ascii=False)


def test_followups_and_tasks(run):
    _, s = run
    f = s["followups"]
    # 赵一: A from 11-18 → due 11-25; 周五 dormant 11-01 + 90; 郑七 A first 11-18 → 11-25;
    # 吴六: N without a readable date → no due date.
    assert f["due"] == 0 and f["overdue"] == 0
    assert f["care"] == 3  # 钱二 delivered 11-21: letter + manager call 11-22, call 11-28
    assert f["lost_review"] == 1  # 孙三 lost 11-20 → review 11-23


def test_annotated_hints_and_comment(run):
    out, _ = run
    ws = openpyxl.load_workbook(out / "annotated" / "cards.xlsx")["客户卡"]
    col = {ws.cell(2, c).value: c for c in range(1, ws.max_column + 1)}
    assert ws.cell(3, col["系统级别"]).value == "A"
    assert ws.cell(3, col["级别变化"]).value == "B→A"
    assert "预计购车时间 3个月内 (自 2026-11-18) → 2027-02-18" in ws.cell(3, col["提示"]).value
    comment = ws.cell(3, col["系统级别"]).comment
    assert comment is not None and "距今 88 天 → A" in comment.text
    assert "撞单" in ws.cell(4, col["提示"]).value
    assert "重复登记" in ws.cell(5, col["提示"]).value
    assert "撞单" in ws.cell(3, col["提示"]).value  # the owner hears of it too
    assert ws.cell(8, col["系统级别"]).value is None  # invalid: no grade
    hint10 = ws.cell(10, col["提示"]).value
    assert "联系电话" in hint10 and "首次接触日期" in hint10
    assert ws.cell(10, 2).value == "call me"  # the unreadable value is kept as typed


@pytest.mark.slow
def test_custom_config_changes_grades(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["客户姓名", "联系电话", "销售顾问", "首次接触日期", "预计购车时间"])
    ws.append(["赵一", "13800000001", "张伟", D("2026-11-22"), "7天内"])
    wb.save(inbox / "c.xlsx")
    assert rows_of(analyse(inbox, Config(), AS_OF).leads)[0].grade == "A"
    habc = parse_config({"grading": {"scheme": "habc"}})
    assert rows_of(analyse(inbox, habc, AS_OF).leads)[0].grade == "H"


@pytest.mark.slow
def test_parallel_writers_give_the_same_outputs(tmp_path, monkeypatch):
    """--jobs 2 writes report.xlsx and the annotated copies in worker processes."""
    from leadbook import workers

    sample = Path(__file__).resolve().parents[1] / "sample_data"
    config = parse_config({"marketing": {"spend": 650000}})
    monkeypatch.setattr(workers, "PARALLEL_MIN_ROWS", 0)
    got = {}
    for jobs in (1, 2):
        analysis = analyse(sample, config, dt.date(2026, 10, 31))
        out = tmp_path / f"j{jobs}"
        written = write_outputs(analysis, out, jobs=jobs)
        assert not written.errors
        assert sorted(p.relative_to(out).as_posix() for p in written.paths) == [
            "annotated/意向客户管理卡_2026-10.xlsx", "annotated/销售活动日报表_2026-10.xlsx",
            "report.xlsx", "summary.html", "summary.json"]
        ws = openpyxl.load_workbook(out / "annotated" / "意向客户管理卡_2026-10.xlsx").active
        got[jobs] = ((out / "summary.json").read_bytes(),
                     [[c.value for c in row] for row in ws.iter_rows()],
                     openpyxl.load_workbook(out / "report.xlsx").sheetnames)
    assert got[1] == got[2]


def _sample_analysis() -> Any:
    sample = Path(__file__).resolve().parents[1] / "sample_data"
    return analyse(sample, parse_config({"marketing": {"spend": 650000}}), dt.date(2026, 10, 31))


def test_the_early_workers_share_at_a_groups_size():
    """At 100,000 leads the early report's worker has more left to do after the due
    list (the rest of the report, summary.json, the page) than this process has
    with the lead workbook's copy: the daily report's copy is written here too."""
    from leadbook.model import SheetData, SheetKind, SheetNotes, SourceFile
    from leadbook.workers import early_share

    def copy(name: str, noted: int, rows: int) -> tuple[Any, ...]:
        sheet = SheetData("s", SheetKind.LEADS, row_count=rows)
        src = SourceFile(Path(name), name, "xlsx", sheets=[sheet])
        return ("annotated", src, [SheetNotes("s", 1, 3, dict.fromkeys(range(noted)))],
                Path(name))  # type: ignore[arg-type]

    copies = [copy("leads.xlsx", 100_000, 100_000), copy("daily.xlsx", 673, 36_500)]
    assert early_share(copies, [], 100_000) == ([0, 1], [])
    # two lead cards of that size: the daily report's copy goes to the worker
    copies.insert(1, copy("leads 2.xlsx", 100_000, 100_000))
    assert early_share(copies, [], 100_000) == ([0, 1], [2])


def test_outputs_are_shared_out_by_cost():
    """The costliest output goes first, each to whoever has least to do; this process
    starts with the small outputs it writes anyway."""
    from leadbook.model import SheetNotes
    from leadbook.workers import share_out

    def notes(rows: int) -> list[SheetNotes]:
        return [SheetNotes("s", 1, 3, dict.fromkeys(range(rows)))]  # type: ignore[arg-type]

    tasks = [("report", None, Path("report.xlsx")),
             ("annotated", None, notes(100_000), Path("a.xlsx")),
             ("annotated", None, notes(36_500), Path("b.xlsx"))]
    local = [("summary", None, Path("s.json")), ("html", None, Path("s.html"))]
    # report 3.3 M units; the page and summary 0.4 M; copies 2.2 M and 0.8 M
    assert share_out(tasks, local, 1, 100_000) == [[1, 2], [0]]
    assert share_out(tasks, local, 2, 100_000) == [[2], [1], [0]]
    # a small run: everything but the report stays here
    assert share_out(tasks[:1], local, 1, 10) == [[], [0]]


@pytest.mark.slow
def test_workers_write_in_other_processes_and_a_dead_one_is_reported(tmp_path, monkeypatch):
    """With --jobs 2 the report is written by a forked worker; a worker that dies leaves
    a message naming its output, and the others are written all the same."""
    from leadbook import output_jobs, workers

    monkeypatch.setattr(workers, "PARALLEL_MIN_ROWS", 0)
    writers: dict[str, int] = {}
    real = output_jobs.write_one

    def spy(kind: str, *args: Any) -> Any:
        paths, error = real(kind, *args)
        (tmp_path / f"pid-{kind}-{args[-1].name}").write_text(str(os.getpid()))
        return paths, error

    monkeypatch.setattr(output_jobs, "write_one", spy)
    written = write_outputs(_sample_analysis(), tmp_path / "out", jobs=2)
    assert not written.errors
    for f in tmp_path.glob("pid-*"):
        writers[f.name] = int(f.read_text())
    assert writers["pid-report-report.xlsx"] != os.getpid()
    assert writers["pid-html-summary.html"] == os.getpid()

    def dies(kind: str, *args: Any) -> Any:
        if kind == "report":
            os._exit(3)
        return real(kind, *args)

    monkeypatch.setattr(output_jobs, "write_one", dies)
    out = tmp_path / "out2"
    written = write_outputs(_sample_analysis(), out, jobs=2)
    assert len(written.errors) == 1
    assert written.errors[0] == "report.xlsx: 未能写出 (写出它的进程出错退出)"
    assert not (out / "report.xlsx").exists()
    assert (out / "summary.html").exists() and (out / "summary.json").exists()
    assert (out / "annotated" / "意向客户管理卡_2026-10.xlsx").exists()


def _cli(inbox: Path, out: Path, *extra: str) -> Any:
    from click.testing import CliRunner

    from leadbook.cli import main

    return CliRunner().invoke(main, ["process", str(inbox), "--out", str(out), "--as-of",
                                     "2026-10-31", "--no-history", *extra],
                              catch_exceptions=False)


def _sheets(path: Path) -> dict[str, list[list[Any]]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


@pytest.mark.slow
def test_the_report_started_early_is_the_report(tmp_path, monkeypatch):
    """With --jobs 2 on a large inbox the report is started by a forked worker as soon as
    the due list is known, and finished with the whole outcome sent to it: the workbook
    is the one a single process writes, sheet by sheet, cell by cell."""
    from leadbook import early_report, workers

    one = _cli(SAMPLE, tmp_path / "one", "--jobs", "1")
    assert one.exit_code == 0, one.output
    monkeypatch.setattr(workers, "PARALLEL_MIN_ROWS", 0)
    monkeypatch.setattr(early_report, "PREPARE_MIN_BYTES", 0)
    started: list[int] = []
    real_start = early_report.EarlyReport.start

    def start(self: Any, early: Any, leads: int) -> None:
        assert list(early.tasks.columns) and early.summary == {}  # the due list only
        real_start(self, early, leads)
        assert self.started
        started.append(self.process.pid)

    monkeypatch.setattr(early_report.EarlyReport, "start", start)
    two = _cli(SAMPLE, tmp_path / "two", "--jobs", "2")
    assert two.exit_code == 0, two.output
    assert started and started[0] != os.getpid()
    assert _sheets(tmp_path / "two" / "report.xlsx") == _sheets(tmp_path / "one" / "report.xlsx")
    for name in ("summary.json", "summary.html"):  # the page is written by the worker too
        assert (tmp_path / "two" / name).read_bytes() == (tmp_path / "one" / name).read_bytes()


@pytest.mark.slow
def test_a_run_that_fails_after_the_early_start_leaves_no_report(tmp_path, monkeypatch):
    import multiprocessing

    import leadbook.pipeline as pipeline
    from leadbook import early_report, workers

    monkeypatch.setattr(workers, "PARALLEL_MIN_ROWS", 0)
    monkeypatch.setattr(early_report, "PREPARE_MIN_BYTES", 0)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("figures failed")

    monkeypatch.setattr(pipeline.metrics, "funnel", broken)
    with pytest.raises(RuntimeError, match="figures failed"):
        _cli(SAMPLE, tmp_path / "out", "--jobs", "2")
    assert multiprocessing.active_children() == []
    assert not (tmp_path / "out" / "report.xlsx").exists()
    leftovers = [p.name for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert leftovers == []


@pytest.mark.slow
def test_the_early_report_worker_writes_the_smaller_copies(tmp_path, monkeypatch):
    """The report's worker, by the costs done with the report, summary.json and the
    page before this process is done with the lead workbook's copy (a copy made
    dearer here than it is), writes the daily report's copy after them: the copy a
    single process writes."""
    from leadbook import early_report, output_jobs, workers

    one = _cli(SAMPLE, tmp_path / "one", "--jobs", "1")
    assert one.exit_code == 0, one.output
    monkeypatch.setattr(workers, "COST_ANNOTATED", 30)
    monkeypatch.setattr(workers, "PARALLEL_MIN_ROWS", 0)
    monkeypatch.setattr(early_report, "PREPARE_MIN_BYTES", 0)
    real = output_jobs.write_one

    def spy(kind: str, *args: Any) -> Any:
        done = real(kind, *args)
        target = next(a for a in args if isinstance(a, Path))  # the report's ends in a hook
        (tmp_path / f"pid-{kind}-{target.name}").write_text(str(os.getpid()))
        return done

    monkeypatch.setattr(output_jobs, "write_one", spy)
    two = _cli(SAMPLE, tmp_path / "two", "--jobs", "2")
    assert two.exit_code == 0, two.output
    pid = {f.name[len("pid-"):]: int(f.read_text()) for f in tmp_path.glob("pid-*")}
    lead_copy, daily_copy = "annotated-意向客户管理卡_2026-10.xlsx", "annotated-销售活动日报表_2026-10.xlsx"
    assert pid[lead_copy] == os.getpid()
    assert pid[daily_copy] == pid["report-report.xlsx"] != os.getpid()
    assert pid["summary-summary.json"] == pid["html-summary.html"] == pid[daily_copy]
    assert (tmp_path / "two" / "summary.json").read_bytes() == \
        (tmp_path / "one" / "summary.json").read_bytes().replace(b"/one", b"/two")
    for name in ("意向客户管理卡_2026-10.xlsx", "销售活动日报表_2026-10.xlsx"):
        assert _sheets(tmp_path / "two" / "annotated" / name) == \
            _sheets(tmp_path / "one" / "annotated" / name)
    assert two.output == one.output.replace("/one", "/two")


@pytest.mark.slow
def test_an_early_report_worker_that_dies_is_named(tmp_path, monkeypatch):
    import leadbook.write.report_xlsx as report_xlsx
    from leadbook import early_report, workers

    one = _cli(SAMPLE, tmp_path / "one", "--jobs", "1")  # before the writer dies anywhere
    assert one.exit_code == 0, one.output
    monkeypatch.setattr(workers, "PARALLEL_MIN_ROWS", 0)
    monkeypatch.setattr(early_report, "PREPARE_MIN_BYTES", 0)

    def dies(*args: Any, **kwargs: Any) -> Any:
        os._exit(5)

    monkeypatch.setattr(report_xlsx, "write_due_sheet", dies)
    result = _cli(SAMPLE, tmp_path / "out", "--jobs", "2")
    assert result.exit_code == 1
    assert "错误: report.xlsx: 未能写出 (写出它的进程中途退出, 退出码 5)" in result.output
    english = _cli(SAMPLE, tmp_path / "en", "--jobs", "2", "--lang", "en")
    assert "Error: report.xlsx: could not be written (the worker stopped, exit 5)" \
        in english.output
    assert not (tmp_path / "out" / "report.xlsx").exists()
    # summary.json and the page the worker was to write after the report are
    # written here instead
    assert (tmp_path / "out" / "summary.html").exists()
    assert "summary.html" not in result.output.split("错误:", 1)[1]
    assert (tmp_path / "out" / "summary.json").read_bytes() == \
        (tmp_path / "one" / "summary.json").read_bytes().replace(b"/one", b"/out")
    assert (tmp_path / "out" / "annotated" / "意向客户管理卡_2026-10.xlsx").exists()
    # and so is the copy it was to write after the page
    assert (tmp_path / "out" / "annotated" / "销售活动日报表_2026-10.xlsx").exists()


@pytest.mark.slow
def test_a_small_run_lets_the_waiting_report_worker_go(tmp_path, monkeypatch):
    """The worker is forked before reading when the inbox looks large; a run that turns
    out small writes the report itself, and the worker ends without a file."""
    import multiprocessing

    from leadbook import early_report

    monkeypatch.setattr(early_report, "PREPARE_MIN_BYTES", 0)
    forked: list[Any] = []
    real_prepare = early_report.EarlyReport.prepare

    def prepare(self: Any, inbox: Path) -> None:
        real_prepare(self, inbox)
        forked.append(self.process)

    monkeypatch.setattr(early_report.EarlyReport, "prepare", prepare)
    result = _cli(SAMPLE, tmp_path / "out", "--jobs", "2")
    assert result.exit_code == 0, result.output
    assert forked and forked[0] is not None and forked[0].exitcode == 0
    assert multiprocessing.active_children() == []
    assert _sheets(tmp_path / "out" / "report.xlsx")

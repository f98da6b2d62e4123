"""A run killed with SIGKILL leaves no worker behind and no half-written file
(domain.md §9), and the next run cleans up what it left.

The run is large enough for every kind of worker to be there: the early
report's worker (3,000 leads, --jobs 2), the per-file reading children and the
annotated copies' workers; and a group run, with its store workers and theirs.
It is killed at several points: while files are read, while the first output
is being written, after the first copies are in place. Linux only: processes
are found through /proc.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import xlsxwriter

from leadbook.write.atomic import TEMP_PREFIX

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux's /proc"),
]

AS_OF = "2026-11-22"
LEADS = 3_000
HEADER = ["客户姓名", "联系电话", "销售顾问", "首次接触日期", "最近跟进日期", "预计购车时间",
          "客户级别", "状态"]


@pytest.fixture(scope="module")
def big_inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    box = tmp_path_factory.mktemp("kill") / "inbox"
    box.mkdir()
    start = dt.date(2026, 6, 1)
    for part in range(3):
        wb = xlsxwriter.Workbook(box / f"leads{part}.xlsx",
                                 {"strings_to_numbers": False, "strings_to_formulas": False})
        ws = wb.add_worksheet("意向客户")
        ws.write_row(0, 0, HEADER)
        for i in range(LEADS // 3):
            n = part * LEADS + i
            first = start + dt.timedelta(days=n % 170)
            ws.write_row(i + 1, 0, [
                f"客户{n}", f"138{n:08d}", f"顾问{n % 12}", first.isoformat(),
                (first + dt.timedelta(days=3)).isoformat(), ["1个月内", "3个月内", "半年内"][n % 3],
                "ABC"[n % 3], "跟进中"])
        wb.close()
    return box


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as fh:
                    children = {int(c) for c in fh.read().split()}
            except OSError:
                continue
            todo.extend(children - found)
            found |= children
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            state = fh.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _outputs(out: Path) -> dict[str, int]:
    """Every finished output (not a temporary file): path → inode."""
    if not out.exists():
        return {}
    return {str(p.relative_to(out)): p.stat().st_ino for p in out.rglob("*")
            if p.is_file() and not p.name.startswith(TEMP_PREFIX)}


def _complete(out: Path) -> None:
    for name in _outputs(out):
        path = out / name
        if path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))
        elif path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as zf:
                assert zf.testzip() is None, name
        elif path.suffix == ".html":
            assert path.read_text(encoding="utf-8").rstrip().endswith("</html>"), name


def _command(inbox: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "leadbook", "process", str(inbox), "--out", str(out),
            "--as-of", AS_OF, "--jobs", "2", "--split", "-q"]


def _reading(out: Path, children: set[int]) -> bool:
    # the report's worker and a reader, nothing written yet (the folder made, empty)
    return len(children) >= 2 and (not out.exists() or not any(out.iterdir()))


def _writing(out: Path, children: set[int]) -> bool:
    return out.exists() and any(p.name.startswith(TEMP_PREFIX) for p in out.rglob("*"))


def _copies_in_place(out: Path, children: set[int]) -> bool:
    folder = out / "annotated"
    return folder.is_dir() and any(not p.name.startswith(TEMP_PREFIX) for p in folder.iterdir())


POINTS: dict[str, Callable[[Path, set[int]], bool]] = {
    "reading": _reading, "writing": _writing, "copies_in_place": _copies_in_place}


@pytest.mark.parametrize("point", sorted(POINTS))
def test_a_killed_run_leaves_no_worker_and_no_half_written_file(
        big_inbox: Path, tmp_path: Path, point: str) -> None:
    out = tmp_path / "out"
    run = subprocess.Popen(_command(big_inbox, out), stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    seen: set[int] = set()
    reached = POINTS[point]
    try:
        while run.poll() is None:
            seen |= _descendants(run.pid)
            if reached(out, seen):
                break
            time.sleep(0.002)
        else:
            pytest.fail(f"the run ended before the point {point!r}")
        seen |= _descendants(run.pid)
        os.kill(run.pid, signal.SIGKILL)
    finally:
        run.wait()
    at_kill = _outputs(out)
    deadline = time.monotonic() + 5
    while any(_alive(p) for p in seen) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [p for p in seen if _alive(p)] == [], "a worker outlived the killed run"
    time.sleep(0.5)
    # nothing renamed into place after the run was gone, and what is there is whole
    assert _outputs(out) == at_kill
    _complete(out)

    done = subprocess.run(_command(big_inbox, out), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-500:]
    assert [p for p in out.rglob("*") if p.name.startswith(TEMP_PREFIX)] == []
    _complete(out)
    assert {"summary.json", "report.xlsx", "summary.html"} <= set(_outputs(out))
    assert len(list((out / "annotated").iterdir())) == 3


@pytest.fixture(scope="module")
def group_folder(big_inbox: Path) -> Path:
    group = big_inbox.parent / "group"
    for n, store in enumerate(("城东店", "城西店", "高新店")):
        (group / store).mkdir(parents=True)
        shutil.copy(big_inbox / f"leads{n}.xlsx", group / store / "意向客户.xlsx")
    return group


def _group_command(group: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "leadbook", "group", str(group), "--out", str(out),
            "--as-of", AS_OF, "--jobs", "2", "-q"]


def _stores_running(out: Path, children: set[int]) -> bool:
    return len(children) >= 3  # two store workers and a reader of one of them


GROUP_POINTS: dict[str, Callable[[Path, set[int]], bool]] = {
    "stores_running": _stores_running, "writing": _writing}


@pytest.mark.parametrize("point", sorted(GROUP_POINTS))
def test_a_killed_group_run_leaves_no_store_running(group_folder: Path, tmp_path: Path,
                                                    point: str) -> None:
    out = tmp_path / "out"
    run = subprocess.Popen(_group_command(group_folder, out), stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    seen: set[int] = set()
    try:
        while run.poll() is None:
            seen |= _descendants(run.pid)
            if GROUP_POINTS[point](out, seen):
                break
            time.sleep(0.002)
        else:
            pytest.fail(f"the group run ended before the point {point!r}")
        seen |= _descendants(run.pid)
        os.kill(run.pid, signal.SIGKILL)
    finally:
        run.wait()
    at_kill = _outputs(out)
    deadline = time.monotonic() + 5
    while any(_alive(p) for p in seen) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [p for p in seen if _alive(p)] == [], "a store's worker outlived the killed run"
    time.sleep(0.5)
    assert _outputs(out) == at_kill
    _complete(out)

    done = subprocess.run(_group_command(group_folder, out), capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stderr[-500:]
    assert [p for p in out.rglob("*") if p.name.startswith(TEMP_PREFIX)] == []
    _complete(out)
    assert {f"{store}/summary.json" for store in ("城东店", "城西店", "高新店")} <= set(_outputs(out))

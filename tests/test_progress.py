"""Progress by step on a terminal, never in a pipe (domain.md §7).

The run is started under a pseudo-terminal (its stderr a tty), in a pipe, and
with -q; LEADBOOK_PROGRESS_DELAY=0 shows every step however quick the run.
"""

from __future__ import annotations

import os
import pty
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

# Every test runs the command line in a child process.
pytestmark = pytest.mark.slow

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


def command(inbox: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "leadbook", "process", str(inbox), "--out", str(out),
            "--as-of", "2026-10-31", "--no-history", "--jobs", "1", *extra]


@pytest.fixture()
def inbox(tmp_path: Path) -> Path:
    box = tmp_path / "in"
    box.mkdir()
    for p in SAMPLE.glob("*.xlsx"):
        shutil.copy(p, box / p.name)
    return box


def under_terminal(cmd: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run ``cmd`` with its stderr on a pseudo-terminal; (exit status, what it showed)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=slave, env=env)
    os.close(slave)
    shown = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 1 << 16)
            except OSError:  # the terminal closed: the run is over
                break
            if not chunk:
                break
            shown += chunk
        elif proc.poll() is not None:
            break
    os.close(master)
    return proc.wait(), shown.decode("utf-8", "replace")


def env(**extra: str) -> dict[str, str]:
    return {**os.environ, "LEADBOOK_PROGRESS_DELAY": "0", **extra}


def test_steps_are_shown_on_a_terminal(inbox: Path, tmp_path: Path):
    status, shown = under_terminal(command(inbox, tmp_path / "o"), env())
    assert status == 0
    for step in ("读取 1/2: ", "读取 2/2: ", "意向客户管理卡_2026-10.xlsx", "销售活动日报表_2026-10.xlsx",
                 "定级、排程与统计…", "写出报告、页面和注释副本…"):
        assert step in shown, step
    for i, output in enumerate(["summary.json", "summary.html", "report.xlsx",
                                "annotated/意向客户管理卡_2026-10.xlsx",
                                "annotated/销售活动日报表_2026-10.xlsx"], 1):
        assert f"写出报告、页面和注释副本… {i}/5: {output}" in shown, output  # each output
    assert shown.endswith("\r\x1b[K")  # the line is cleared at the end


def test_english_steps(inbox: Path, tmp_path: Path):
    _, shown = under_terminal(command(inbox, tmp_path / "o", "--lang", "en"), env())
    assert "reading 2/2: " in shown and "writing the report" in shown
    assert "writing the report, the page and the annotated copies… 3/5: report.xlsx" in shown


def test_quiet_and_a_pipe_show_none(inbox: Path, tmp_path: Path):
    _, shown = under_terminal(command(inbox, tmp_path / "o", "-q"), env())
    assert shown == ""
    done = subprocess.run(command(inbox, tmp_path / "p"), capture_output=True, env=env(),
                          timeout=120)
    assert done.returncode == 0
    assert done.stderr == b""  # nothing of the progress in a pipe or a log file
    assert "\x1b[K" not in done.stdout.decode()


def test_a_quick_run_shows_nothing(inbox: Path, tmp_path: Path):
    _, shown = under_terminal(command(inbox, tmp_path / "o"),
                              env(LEADBOOK_PROGRESS_DELAY="600"))
    assert shown == ""


def test_the_outputs_written_by_workers_are_waited_for_by_name(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch):
    """With workers, this process names its own outputs as it writes them, then what
    it waits for the workers to write."""
    import io

    from leadbook import workers
    from leadbook.config import parse_config
    from leadbook.outputs import write_outputs
    from leadbook.pipeline import analyse
    from leadbook.progress import Progress

    monkeypatch.setattr(workers, "PARALLEL_MIN_ROWS", 0)
    monkeypatch.setenv("LEADBOOK_PROGRESS_DELAY", "0")
    analysis = analyse(SAMPLE, parse_config({}), __import__("datetime").date(2026, 10, 31))
    stream = io.StringIO()
    progress = Progress("en", stream=stream, enabled=True)
    written = write_outputs(analysis, tmp_path / "o", jobs=2, progress=progress)
    assert not written.errors
    steps = stream.getvalue().split("\r\x1b[K")[1:]
    mine = [s.split(": ", 1)[1] for s in steps if "/" in s.split(": ")[0]]
    waited = [s for s in steps if "waiting for the other processes: " in s]
    assert mine[:2] == ["summary.json", "summary.html"]
    assert len(waited) == 1
    theirs = waited[0].split("waiting for the other processes: ")[1].split(", ")
    assert sorted(mine[2:] + theirs) == ["annotated/意向客户管理卡_2026-10.xlsx",
                                         "annotated/销售活动日报表_2026-10.xlsx", "report.xlsx"]
    assert theirs  # the worker had a share

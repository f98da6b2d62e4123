"""The cost of reading each input file in a child process of its own.

    python bench/isolation.py                  # week case and 200 small files, 3 repeats
    python bench/isolation.py --repeat 5

leadbook reads every file of the inbox in a forked child with memory and time
limits (leadbook/read/isolated.py). This measures what that costs against
reading the same files in the run's own process, for two inboxes:

- ``week`` (bench/data/week, made by make_inbox.py when missing): one store's
  5,000-lead workbook and its week of daily reports;
- ``small200`` (bench/data/small200, made here when missing): 200 workbooks of
  ten leads each, what a group of consultants' own files looks like.

Each measurement runs in a fresh interpreter (``python bench/isolation.py
--child MODE INBOX``), which imports what a run imports, then times
``read_inbox`` with ``jobs`` = 1. Peak memory is ``ru_maxrss`` of the process
and, with children, the largest of theirs.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
DATA = HERE / "data"
SMALL_FILES = 200
SMALL_LEADS = 10


def make_small(folder: Path) -> None:
    import xlsxwriter

    folder.mkdir(parents=True, exist_ok=True)
    header = ["客户姓名", "联系电话", "销售顾问", "首次接触日期", "预计购车时间", "客户级别",
              "状态"]
    for f in range(SMALL_FILES):
        wb = xlsxwriter.Workbook(folder / f"顾问{f:03d}.xlsx")
        ws = wb.add_worksheet("意向客户")
        ws.write_row(0, 0, header)
        for i in range(SMALL_LEADS):
            ws.write_row(i + 1, 0, [f"客户{f}-{i}", f"139{f:04d}{i:04d}", f"顾问{f:03d}",
                                    "2026-11-02", "3个月内", "B", "跟进中"])
        wb.close()


def child(mode: str, inbox: Path) -> None:
    import leadbook.read.isolated as isolated
    from leadbook.read import read_inbox

    if mode == "in-process":
        isolated.can_isolate = lambda: False  # type: ignore[assignment]
    started = time.perf_counter()
    files = read_inbox(inbox, None, 1)
    took = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"seconds": took, "files": len(files), "rss_mb": own, "child_rss_mb": kids,
                      "ok": sum(f.status == "ok" for f in files)}))


def measure(mode: str, inbox: Path) -> dict[str, float]:
    done = subprocess.run([sys.executable, __file__, "--child", mode, str(inbox)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("MODE", "INBOX"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return 0
    import make_inbox

    if not make_inbox.is_complete("week"):
        make_inbox.make_case("week")
    if not (DATA / "small200").is_dir():
        make_small(DATA / "small200")
    print("| inbox | files | reading | time (median) | per file | peak RSS: run / child |")
    print("|---|---|---|---|---|---|")
    for case in ("week", "small200"):
        inbox = DATA / case
        for mode in ("in-process", "isolated"):
            runs = [measure(mode, inbox) for _ in range(args.repeat)]
            t = statistics.median(r["seconds"] for r in runs)
            n = int(runs[0]["files"])
            rss = max(r["rss_mb"] for r in runs)
            kid = max(r["child_rss_mb"] for r in runs)
            print(f"| {case} | {n} | {mode} | {t:.3f} s | {t / n * 1000:.1f} ms | "
                  f"{rss:.0f} MB / {kid:.0f} MB |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

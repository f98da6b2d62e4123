"""Benchmark `leadbook group`: time against cores, memory against stores.

    python bench/run_group.py                       # 20 and 200 stores, --jobs 1 and 2
    python bench/run_group.py --stores 200 --jobs 2 --repeat 1

For every group size and every --jobs, `leadbook group` runs as a child
process (the groups are made by make_group.py when missing) and is measured
as bench/run.py measures a run: wall time, and the peak of the summed PSS of
its whole process tree, sampled every 50 ms (pages a fork shares count once).
Side by side, in the same run: seconds per store (time scales with the cores
when --jobs 2 takes about half of --jobs 1) and the tree's peak for a small and
a large group (the memory is bounded when the peak does not grow with the
number of stores). Results also go to bench/out/group_results.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_group  # noqa: E402
import run  # noqa: E402

AS_OF = "2026-11-22"


def group_cmd(stores: int, jobs: int, out: Path) -> list[str]:
    return [sys.executable, "-m", "leadbook", "group", str(make_group.group_root(stores)),
            "--out", str(out), "--as-of", AS_OF, "--jobs", str(jobs), "-q"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", type=int, nargs="+", default=[20, 200])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=3600)
    args = parser.parse_args(argv)
    run.OUT.mkdir(parents=True, exist_ok=True)
    results = []
    for stores in args.stores:
        if not make_group.is_complete(stores):
            make_group.make_group(stores)
        for jobs in args.jobs:
            out = run.OUT / f"group{stores}-j{jobs}"
            runs = []
            for _ in range(args.repeat):
                shutil.rmtree(out, ignore_errors=True)
                m = run.measure(group_cmd(stores, jobs, out), args.timeout, sample_tree=True)
                if m.returncode != 0:
                    print(f"group of {stores}, --jobs {jobs}: exit {m.returncode}\n"
                          f"{run.tail(m.stderr)}", file=sys.stderr)
                    return 1
                runs.append(m)
            wall = statistics.median(m.wall_s for m in runs)
            results.append({
                "stores": stores, "jobs": jobs, "wall_s": wall, "per_store_s": wall / stores,
                "tree_peak_mb": max(m.tree_mb or 0 for m in runs),
                "largest_process_mb": max(m.maxrss_mb for m in runs),
            })
            r = results[-1]
            print(f"{stores:>4} stores  --jobs {jobs}  {r['wall_s']:7.1f} s  "
                  f"{r['per_store_s']:.2f} s/store  tree peak {r['tree_peak_mb']:.0f} MB  "
                  f"largest process {r['largest_process_mb']:.0f} MB", flush=True)
    (run.OUT / "group_results.json").write_text(json.dumps(results, indent=2) + "\n")
    print()
    print("| stores | leads | --jobs | wall | per store | tree peak (PSS) | largest process |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['stores']} | {r['stores'] * 5000:,} | {r['jobs']} | {r['wall_s']:.1f} s | "
              f"{r['per_store_s']:.2f} s | {r['tree_peak_mb']:.0f} MB | "
              f"{r['largest_process_mb']:.0f} MB |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

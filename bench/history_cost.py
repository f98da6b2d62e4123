"""What the history (domain.md §10) adds to a run: the snapshot and the comparison alone.

    python bench/history_cost.py                    # group case, SQLite, 3 repeats
    python bench/history_cost.py --case week --history postgresql://user@host/db

The inbox is analysed once (bench/data/<case>, made by make_inbox.py when
missing); then, for each repeat, into a fresh history:

1. ``first``: the store's first run (as-of − 7 days): open (create the
   schema and key), snapshot, write — nothing to compare with;
2. ``weekly``: the run of the as-of date: open, read the previous snapshot,
   compare (follow-through, lead changes, trend), write its own;
3. ``rerun``: the same run again: as ``weekly``, and the old snapshot replaced.

Each figure is the wall time of :func:`leadbook.history.remember.remember`,
median of the repeats, with the garbage collector tuned as a run tunes it;
``facts`` is what the run's own process does (taking the history's facts from
the leads, :func:`leadbook.history.remember.lead_facts`). On a large inbox the
rest is done by report.xlsx's worker in three parts, timed once more on the
rerun: ``open`` (open the history, read the previous run) and ``hash`` (the
leads' phones, :meth:`Keeping.hash_ahead`), both once the inbox is read, while
the run applies its rules; ``compare`` (after the 待跟进 sheet, while the run
counts its figures) and ``save`` (while the run writes the annotated copies).
``bench/run.py --history`` times whole runs with and without the history, side
by side. The same leads serve both
weeks (the bench has one week of data), so every lead is carried over: the
comparison's largest case.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import shutil
import statistics
import sys
import tempfile
import time
from copy import deepcopy
from dataclasses import replace
from pathlib import Path

import make_inbox

from leadbook.config import load_config
from leadbook.history.remember import Keeping, lead_facts, remember
from leadbook.pipeline import analyse

AS_OF = dt.date(2026, 11, 22)


def timed(outcome, facts, location, grades, list_days=7) -> float:  # noqa: ANN001
    start = time.perf_counter()
    warnings = remember(outcome, facts, location, grades, list_days)
    took = time.perf_counter() - start
    if warnings:
        raise SystemExit(f"history not used: {warnings}")
    return took


def parts(outcome, facts, location, grades, list_days=7) -> list[float]:  # noqa: ANN001
    """The step as a large run's report worker does it: open (and read the previous
    run, while the run reads its inbox), compare (after the 待跟进 sheet), save."""
    keeping = Keeping(location, outcome.store, outcome.as_of, grades, list_days)
    phones = list(dict.fromkeys(f[0] for f in facts))
    took = []
    for part in (lambda: keeping.open(create=False), lambda: keeping.hash_ahead(phones),
                 lambda: keeping.compare(facts, outcome.tasks), lambda: keeping.save(outcome)):
        start = time.perf_counter()
        part()
        took.append(time.perf_counter() - start)
    if outcome.summary["history"] is None:
        raise SystemExit(f"history not used: {outcome.issues[-1:]}")
    return took


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=list(make_inbox.CASES), default="group")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--history", default=None,
                        help="a database URL (each repeat empties its tables); default: a "
                             "fresh SQLite file per repeat")
    args = parser.parse_args(argv)
    if not make_inbox.is_complete(args.case):
        make_inbox.make_case(args.case)
    inbox = make_inbox.DATA / args.case
    config = load_config(None, inbox)
    start = time.perf_counter()
    analysis = analyse(inbox, config, AS_OF, jobs=1)
    print(f"{args.case}: analysed {len(analysis.records.leads):,} leads, "
          f"{len(analysis.outcome.tasks):,} tasks in {time.perf_counter() - start:.1f} s")
    grades = [g.grade for g in config.scheme.grades]
    leads = analysis.records.leads
    gc.set_threshold(100_000, 50, 100)  # as leadbook.cli sets it for a run
    figures: dict[str, list[float]] = {"facts": [], "first": [], "weekly": [], "rerun": [],
                                       "  open": [], "  hash": [], "  compare": [],
                                       "  save": []}
    for _ in range(args.repeat):
        start = time.perf_counter()
        facts = lead_facts(leads)
        figures["facts"].append(time.perf_counter() - start)
        folder = Path(tempfile.mkdtemp(prefix="leadbook-history-bench-"))
        location = args.history or str(folder / "leadbook-history.sqlite")
        if args.history:
            _empty(args.history)
        week_before = replace(analysis.outcome, as_of=AS_OF - dt.timedelta(days=7),
                              summary=deepcopy(analysis.outcome.summary), issues=[])
        figures["first"].append(timed(week_before, facts, location, grades))
        for name in ("weekly", "rerun"):
            outcome = replace(analysis.outcome, summary=deepcopy(analysis.outcome.summary),
                              issues=[])
            figures[name].append(timed(outcome, facts, location, grades))
        outcome = replace(analysis.outcome, summary=deepcopy(analysis.outcome.summary), issues=[])
        for name, took in zip(("  open", "  hash", "  compare", "  save"),
                              parts(outcome, facts, location, grades), strict=True):
            figures[name].append(took)
        size = sum(p.stat().st_size for p in folder.iterdir())
        shutil.rmtree(folder)
    print("  (the rerun once more in the parts a large run's report worker does apart:)")
    for name, values in figures.items():
        print(f"  {name:9} {statistics.median(values):6.3f} s  (runs: "
              + ", ".join(f"{v:.3f}" for v in values) + ")")
    if not args.history:
        print(f"  history file after two runs: {size / 1e6:.1f} MB")
    return 0


def _empty(url: str) -> None:
    import sqlalchemy as sa

    from leadbook.history.store import _engine_url, metadata

    engine = sa.create_engine(_engine_url(url))
    metadata.drop_all(engine)
    engine.dispose()


if __name__ == "__main__":
    sys.exit(main())

"""report.xlsx and the annotated copies shared out by cost between the run's process
and forked workers (spawned where the platform cannot fork), each output
written by :func:`leadbook.output_jobs.write_one`.
"""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Callable
from typing import Any

from . import output_jobs
from .lifeline import die_with_parent
from .output_jobs import Result
from .write.output_words import OutputWhy

log = logging.getLogger("leadbook")

# Below this many lead rows a run is done in one process: forking workers and
# sending them their data would cost more than it saves. At 5,000 leads the
# early report saves about a tenth of the run (1.10 s → 1.02 s).
PARALLEL_MIN_ROWS = 2_000


# The tasks of the run in progress, for forked workers: they inherit this
# process's memory, so nothing has to be pickled to reach them.
_FORKED_TASKS: list[tuple[Any, ...]] = []


# Relative cost per lead row (report.xlsx, and each small output written here) or
# per annotated sheet row, measured on the group benchmark: report.xlsx 33 µs a
# lead; an annotated copy 22 µs a noted row of its process's time (patching 17,
# reading and writing the rest; the parse-back child and deflating run beside it)
# and 8 µs a row it copies through (a daily report of 36,500 rows with 673 notes:
# 0.3 s); the page and summary.json 2 µs a lead each. The early report's worker
# has report.xlsx after its 待跟进 sheet left when the figures reach it: 24 µs a
# lead. (At 100,000 leads the worker then has 2.8 M units left, this process the
# lead workbook's copy, 2.2 M: the daily report's copy is written here.)
COST_REPORT, COST_ANNOTATED, COST_PASSED, COST_LOCAL = 33, 22, 8, 2
COST_REPORT_REST = 24


def cost(task: tuple[Any, ...], leads: int) -> int:
    """What an output task costs, in the units above."""
    if task[0] == "report":
        return COST_REPORT * leads
    if task[0] == "annotated":
        src, notes = task[1], task[2]
        noted: int = sum(len(n.rows) for n in notes)
        named = {n.name for n in notes}
        sheets = src.sheets if src is not None else []
        rows: int = sum(max(s.row_count, 0) for s in sheets if s.name in named)
        return COST_ANNOTATED * noted + COST_PASSED * max(rows - noted, 0)
    return COST_LOCAL * leads


def share_out(tasks: list[tuple[Any, ...]], local: list[tuple[Any, ...]], workers: int,
              leads: int) -> list[list[int]]:
    """Task indexes for this process (first list) and each worker: the costliest task
    first, each to whoever has the least to do, this process starting with the
    small outputs it writes anyway."""
    loads = [sum(cost(t, leads) for t in local)] + [0] * workers
    return _shared(tasks, loads, leads)


def _shared(tasks: list[tuple[Any, ...]], loads: list[int], leads: int) -> list[list[int]]:
    """Task indexes for each of ``loads`` (what each has to do already): the costliest
    task first, each to whoever has the least to do (the later one of equals)."""
    shares: list[list[int]] = [[] for _ in loads]
    for i in sorted(range(len(tasks)), key=lambda i: -cost(tasks[i], leads)):
        least = min(range(len(loads)), key=lambda k: (loads[k], -k))
        shares[least].append(i)
        loads[least] += cost(tasks[i], leads)
    return shares


def early_share(copies: list[tuple[Any, ...]], local: list[tuple[Any, ...]],
                leads: int) -> tuple[list[int], list[int]]:
    """The annotated copies (indexes) this process writes and those the early
    report's worker writes after report.xlsx, summary.json and the page: each, the
    costliest first, to whichever has less to do."""
    theirs = COST_REPORT_REST * leads + 2 * COST_LOCAL * leads
    mine, worker = _shared(copies, [sum(cost(t, leads) for t in local), theirs], leads)
    return sorted(mine), sorted(worker)


def in_parallel(tasks: list[tuple[Any, ...]], local: list[tuple[Any, ...]],
                jobs: int, leads: int,
                write: Callable[[tuple[Any, ...]], Result] | None = None,
                waiting: Callable[[list[tuple[Any, ...]]], None] | None = None) -> list[Result]:
    """report.xlsx and the annotated copies shared out between this process and up to
    jobs − 1 workers. Workers are forked where the platform allows (no start-up,
    nothing pickled on the way in), else spawned with their tasks' data. This
    process writes its share with ``write`` (by default write_one), then says
    which tasks it waits for (``waiting``)."""
    # imported here: a run reads its inbox before it needs them (and most never do)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    mine_write = write or (lambda task: output_jobs.write_one(*task))
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    forked = ctx.get_start_method() == "fork"
    mine, *theirs = share_out(tasks, local, min(jobs - 1, len(tasks)), leads)
    theirs = [share for share in theirs if share]
    done: dict[int, Result] = {}
    if not theirs:
        return [mine_write(t) for t in local + tasks]
    _FORKED_TASKS[:] = tasks if forked else []
    if forked:
        # The collector would visit every inherited object in a worker and so copy
        # each page it touches: frozen objects are left alone.
        gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=len(theirs), mp_context=ctx,
                                 initializer=die_with_parent,
                                 initargs=(os.getpid(),)) as pool:
            futures = [
                pool.submit(_run_forked, share) if forked
                else pool.submit(_run_batch, [tasks[i] for i in share])
                for share in theirs
            ]
            first = [mine_write(t) for t in local]
            for i in mine:
                done[i] = mine_write(tasks[i])
            if waiting is not None:
                waiting([tasks[i] for share in theirs for i in share])
            for future, share in zip(futures, theirs, strict=True):
                try:
                    done.update(zip(share, future.result(), strict=True))
                except Exception as exc:  # a worker that died: say which outputs are missing
                    log.debug("a worker writing outputs failed: %s", exc, exc_info=True)
                    for i in share:
                        done[i] = ([], [OutputWhy.WORKER_FAILED(name=tasks[i][-1].name)])
    finally:
        _FORKED_TASKS.clear()
        gc.unfreeze()
    return first + [done[i] for i in range(len(tasks))]


def _run_batch(batch: list[tuple[Any, ...]]) -> list[Result]:
    return [output_jobs.write_one(*t) for t in batch]


def _run_forked(share: list[int]) -> list[Result]:
    return [output_jobs.write_one(*_FORKED_TASKS[i]) for i in share]

"""Write every output of a run into the output folder, each file atomically.

summary.json, report.xlsx, summary.html, annotated/<stem>.xlsx per input
workbook, and with ``split`` due/<consultant>.xlsx (domain.md §8).
Annotated copies are written in parallel processes when ``jobs`` > 1.
"""

from __future__ import annotations

import gc
import json
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .model import OutputError, SourceFile
from .pipeline import Analysis
from .write.atomic import write_text

log = logging.getLogger("leadbook")


@dataclass
class Written:
    paths: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def annotated_name(src: SourceFile) -> str:
    """annotated/<stem>.xlsx; a macro workbook keeps .xlsm, which Excel needs to open it."""
    suffix = ".xlsm" if src.format == "xlsm" else ".xlsx"
    return src.stem + suffix


def summary_json(analysis: Analysis) -> str:
    return json.dumps(analysis.outcome.summary, ensure_ascii=False, indent=2) + "\n"


# Below this many lead rows a run is done in one process: starting worker
# processes (each importing pandas) would cost more than it saves.
PARALLEL_MIN_ROWS = 20_000


def write_outputs(analysis: Analysis, out: Path, *, split: bool = False, jobs: int = 1) -> Written:
    """Every output of the run. With ``jobs`` > 1 and a large inbox, report.xlsx and
    the annotated copies are written in worker processes while this one writes the
    rest; one output's failure never stops the others."""
    out.mkdir(parents=True, exist_ok=True)
    outcome = analysis.outcome
    tasks: list[tuple[Any, ...]] = [("report", outcome, out / "report.xlsx")]
    tasks += [
        ("annotated", _without_rows(src), analysis.notes[src.name],
         out / "annotated" / annotated_name(src))
        for src in analysis.files
        if src.name in analysis.notes
    ]
    local: list[tuple[Any, ...]] = [("summary", analysis, out / "summary.json"),
                                    ("html", outcome, out / "summary.html")]
    if split:
        local.append(("split", outcome, out / "due"))
    big = analysis.outcome.summary["leads"]["rows"] >= PARALLEL_MIN_ROWS
    if jobs > 1 and big and tasks:
        results = _in_parallel(tasks, local, jobs, outcome.summary["leads"]["rows"])
    else:
        results = [_run(*t) for t in local + tasks]
    done = Written()
    for paths, error in results:
        done.paths.extend(paths)
        if error:
            done.errors.append(error)
    return done


# The tasks of the run in progress, for forked workers: they inherit this
# process's memory, so nothing has to be pickled to reach them.
_FORKED_TASKS: list[tuple[Any, ...]] = []


# Relative cost per lead row (report.xlsx, and each small output written here) or
# per annotated sheet row, measured on the group benchmark: report.xlsx 33 µs a
# lead, an annotated copy 20 µs a row, the page and summary.json 2 µs a lead each.
COST_REPORT, COST_ANNOTATED, COST_LOCAL = 33, 20, 2


def _cost(task: tuple[Any, ...], leads: int) -> int:
    if task[0] == "report":
        return COST_REPORT * leads
    if task[0] == "annotated":
        return COST_ANNOTATED * sum(len(n.rows) for n in task[2])
    return COST_LOCAL * leads


def share_out(tasks: list[tuple[Any, ...]], local: list[tuple[Any, ...]], workers: int,
              leads: int) -> list[list[int]]:
    """Task indexes for this process (first list) and each worker: the costliest task
    first, each to whoever has the least to do, this process starting with the
    small outputs it writes anyway."""
    loads = [sum(_cost(t, leads) for t in local)] + [0] * workers
    shares: list[list[int]] = [[] for _ in loads]
    for i in sorted(range(len(tasks)), key=lambda i: -_cost(tasks[i], leads)):
        least = min(range(len(loads)), key=lambda k: (loads[k], -k))
        shares[least].append(i)
        loads[least] += _cost(tasks[i], leads)
    return shares


def _in_parallel(tasks: list[tuple[Any, ...]], local: list[tuple[Any, ...]],
                 jobs: int, leads: int) -> list[tuple[list[Path], str]]:
    """report.xlsx and the annotated copies shared out between this process and up to
    jobs − 1 workers. Workers are forked where the platform allows (no start-up,
    nothing pickled on the way in), else spawned with their tasks' data."""
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    forked = ctx.get_start_method() == "fork"
    mine, *theirs = share_out(tasks, local, min(jobs - 1, len(tasks)), leads)
    theirs = [share for share in theirs if share]
    done: dict[int, tuple[list[Path], str]] = {}
    if not theirs:
        return [_run(*t) for t in local] + [_run(*t) for t in tasks]
    _FORKED_TASKS[:] = tasks if forked else []
    if forked:
        # The collector would visit every inherited object in a worker and so copy
        # each page it touches: frozen objects are left alone.
        gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=len(theirs), mp_context=ctx) as pool:
            futures = [
                pool.submit(_run_forked, share) if forked
                else pool.submit(_run_batch, [tasks[i] for i in share])
                for share in theirs
            ]
            first = [_run(*t) for t in local]
            for i in mine:
                done[i] = _run(*tasks[i])
            for future, share in zip(futures, theirs, strict=True):
                try:
                    done.update(zip(share, future.result(), strict=True))
                except Exception as exc:  # a worker that died: say which outputs are missing
                    for i in share:
                        done[i] = ([], f"{tasks[i][-1].name}: could not be written ({exc})")
    finally:
        _FORKED_TASKS.clear()
        gc.unfreeze()
    return first + [done[i] for i in range(len(tasks))]


def _run_batch(batch: list[tuple[Any, ...]]) -> list[tuple[list[Path], str]]:
    return [_run(*t) for t in batch]


def _run_forked(share: list[int]) -> list[tuple[list[Path], str]]:
    return [_run(*_FORKED_TASKS[i]) for i in share]


def _run(kind: str, *args: Any) -> tuple[list[Path], str]:
    """Write one output; errors come back as a message, never as an exception."""
    try:
        if kind == "summary":
            analysis, target = args
            write_text(target, summary_json(analysis))
            return [target], ""
        if kind == "report":
            from .write.report_xlsx import write_report

            return [write_report(*args)], ""
        if kind == "html":
            from .write.html import write_html

            return [write_html(*args)], ""
        if kind == "split":
            from .write.split import write_split

            return list(write_split(*args)), ""
        from .write.annotated import write_annotated

        src, notes, target = args
        return [write_annotated(src, notes, target)], ""
    except OutputError as exc:
        message = str(exc)
        if kind == "annotated" and args[0].name not in message:
            # A damaged part of the input met while copying it: say which input.
            message = f"{args[0].name}: the annotated copy could not be written ({message})"
        return [], message
    except Exception as exc:  # one output's failure must not stop the others
        log.debug("writing %s failed", kind, exc_info=True)
        what = args[0].name if kind == "annotated" else kind
        return [], f"{what}: could not be written ({type(exc).__name__}: {exc})"


def _without_rows(src: SourceFile) -> SourceFile:
    """Rows are not needed to patch a workbook: the copy carries only the sheet shapes."""
    from dataclasses import replace

    return replace(src, sheets=[replace(s, rows=[]) for s in src.sheets], issues=[])


def default_jobs() -> int:
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1

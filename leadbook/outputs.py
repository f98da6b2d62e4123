"""Write every output of a run into the output folder, each file atomically.

summary.json, report.xlsx, summary.html, annotated/<stem>.xlsx per input
workbook, and with ``split`` due/<consultant>.xlsx (domain.md §8).
Annotated copies are written in parallel processes when ``jobs`` > 1.
"""

from __future__ import annotations

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
    results: list[tuple[list[Path], str]] = []
    if jobs > 1 and big:
        ctx = multiprocessing.get_context("spawn")  # fresh workers: no copy of this heap
        with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=ctx) as pool:
            futures = [pool.submit(_run, *t) for t in tasks]
            results += [_run(*t) for t in local]
            for future, task in zip(futures, tasks, strict=True):
                try:
                    results.append(future.result())
                except Exception as exc:  # a worker that died: say which output is missing
                    results.append(([], f"{task[-1].name}: could not be written ({exc})"))
    else:
        results += [_run(*t) for t in local + tasks]
    done = Written()
    for paths, error in results:
        done.paths.extend(paths)
        if error:
            done.errors.append(error)
    return done


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

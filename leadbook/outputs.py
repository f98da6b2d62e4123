"""Write every output of a run into the output folder, each file atomically.

summary.json, report.xlsx, summary.html, annotated/<stem>.xlsx per input
workbook, and with ``split`` due/<consultant>.xlsx (domain.md §8). Each is
written by :func:`leadbook.output_jobs.write_one`; with ``jobs`` > 1 and a
large inbox, report.xlsx (and the page) by a worker started early
(:mod:`leadbook.early_report`), and the annotated copies shared out by cost
between this process and forked workers (:mod:`leadbook.workers`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import output_jobs, workers
from .model import SourceFile
from .output_jobs import Result
from .progress import Progress, Silent
from .texts import render
from .write.atomic import remove_leftovers

if TYPE_CHECKING:
    from .early_report import EarlyReport
    from .history.remember import Keeping
    from .pipeline import Analysis

log = logging.getLogger("leadbook")


@dataclass
class Written:
    paths: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # in the run's language
    warnings: list[str] = field(default_factory=list)  # the history's, in words


def annotated_name(src: SourceFile) -> str:
    """annotated/<stem>.xlsx; a macro workbook keeps .xlsm, which Excel needs to open it."""
    suffix = ".xlsm" if src.format == "xlsm" else ".xlsx"
    return src.stem + suffix


def annotated_names(files: list[SourceFile]) -> dict[str, str]:
    """Input name → its annotated copy's name, one copy per input, never two alike.

    An input whose copy keeps its own name (leads.xlsx → leads.xlsx) has it;
    another input of the same stem is told apart by its own suffix in brackets
    (leads.xls → "leads (xls).xlsx", leads.csv → "leads (csv).xlsx"), then by a
    number. Names are compared as a case-blind file system does.
    """
    natural = [f for f in files if f.name.casefold() == annotated_name(f).casefold()]
    others = [f for f in files if f not in natural]
    taken: set[str] = set()
    names: dict[str, str] = {}
    for src in natural + others:
        plain = annotated_name(src)
        stem, suffix = plain[: -len(".xlsx")], plain[-len(".xlsx"):]
        tag = Path(src.name).suffix.lstrip(".") or "copy"
        candidates = [plain, f"{stem} ({tag}){suffix}"]
        n = 2
        while all(c.casefold() in taken for c in candidates):
            candidates.append(f"{stem} ({tag} {n}){suffix}")
            n += 1
        name = next(c for c in candidates if c.casefold() not in taken)
        taken.add(name.casefold())
        names[src.name] = name
    return names


def write_outputs(analysis: Analysis, out: Path, *, split: bool = False, jobs: int = 1,
                  report: EarlyReport | None = None,
                  history: Keeping | None = None,
                  progress: Progress | None = None) -> Written:
    """Every output of the run. With ``jobs`` > 1 and a large inbox, report.xlsx and
    the annotated copies are shared out between this process and workers (the
    report possibly started early, ``report``); one output's failure never stops
    the others. ``history``, the run's history step, is done first, or by the
    early report's worker while this process writes the annotated copies; its
    results are on the outcome before summary.json is written."""
    out.mkdir(parents=True, exist_ok=True)
    outcome = analysis.outcome
    early = report is not None and report.started
    done = Written()
    if history is not None and not early:
        from .history.remember import lead_facts

        history.compare(lead_facts(analysis.leads), outcome.tasks)
        done.warnings = history.save(outcome).warnings
    if not early:  # else the early report's own temporary file may be there already
        for path in remove_leftovers(out):
            log.info("removed %s, left by an interrupted earlier run", path)
    tasks: list[tuple[Any, ...]] = [] if early else [("report", outcome, out / "report.xlsx")]
    copies = [src for src in analysis.files if src.name in analysis.notes]
    names = annotated_names(copies)
    tasks += [
        ("annotated", _without_rows(src), analysis.notes[src.name],
         out / "annotated" / names[src.name])
        for src in copies
    ]
    summary = ("summary", outcome, out / "summary.json")
    local: list[tuple[Any, ...]] = [summary, ("html", outcome, out / "summary.html")]
    if split:
        local.append(("split", outcome, out / "due"))
    later: list[tuple[Any, ...]] = []  # written once the worker's history results are in
    theirs: list[tuple[Any, ...]] = []  # the copies the report's worker writes
    leads = outcome.summary["leads"]["rows"]
    if early:
        assert report is not None
        if history is None:
            # summary.json and the page go with the report: the worker has the outcome
            # they are made of, and this process the annotated copies to write; the
            # smaller copies go too when the worker would otherwise wait for this
            # process.
            summary_path, page = local.pop(0)[-1], local.pop(0)[-1]
            mine, worker = workers.early_share(tasks, local, leads)
            theirs, tasks = [tasks[i] for i in worker], [tasks[i] for i in mine]
            report.send(outcome, page, theirs, summary=summary_path)
        else:
            # The page and summary.json hold the history, which the worker keeps
            # after the 待跟进 sheet: this process writes them after its copies.
            report.send(outcome, None)
            later = local[:2]
            del local[:2]
    step = progress or Silent()
    step.expect(len(local) + len(tasks) + len(later))

    def write(task: tuple[Any, ...]) -> Result:
        step.output(_shown(task[-1], out))
        return output_jobs.write_one(*task)

    spare = jobs - 1 - (1 if early else 0)  # the early report has a core of its own
    if spare > 0 and leads >= workers.PARALLEL_MIN_ROWS and tasks:
        if report is not None:
            report.sent()  # no thread of this process runs across a fork
        results = workers.in_parallel(
            tasks, local, spare + 1, leads, write=write,
            waiting=lambda theirs: step.waiting([_shown(t[-1], out) for t in theirs]))
    else:
        results = [write(t) for t in local + tasks]
    if early:
        assert report is not None
        if history is not None:
            done.warnings = report.kept_history().warnings
            results += [write(t) for t in later]
        step.waiting([_shown(t, out) for t in (report.target, *(t[-1] for t in theirs))])
        results += report.finish()
    for paths, errors in results:
        done.paths.extend(paths)
        done.errors.extend(render(why, outcome.lang) for why in errors)
    return done


def _shown(path: Path, out: Path) -> str:
    """An output as the progress line names it: its path in the output folder."""
    try:
        shown = path.relative_to(out).as_posix()
    except ValueError:
        return path.name
    return shown + "/" if path.suffix == "" else shown


def _without_rows(src: SourceFile) -> SourceFile:
    """Rows are not needed to patch a workbook: the copy carries only the sheet shapes."""
    from dataclasses import replace

    return replace(src, sheets=[replace(s, rows=[]) for s in src.sheets], issues=[])

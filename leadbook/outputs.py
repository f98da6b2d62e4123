"""Write every output of a run into the output folder, each file atomically.

summary.json, report.xlsx, summary.html, annotated/<stem>.xlsx per input
workbook, and with ``split`` due/<consultant>.xlsx (domain.md §8).
With ``jobs`` > 1 and a large inbox, report.xlsx (and the page) are written by
a worker started early (:class:`EarlyReport`), and the annotated copies are
shared out by cost between this process and forked workers.
"""

from __future__ import annotations

import gc
import json
import logging
import multiprocessing
import os
import pickle
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .lifeline import die_with_parent
from .model import Outcome, OutputError, SourceFile
from .read.discover import SPREADSHEET_SUFFIXES
from .texts import Words, render
from .write.atomic import remove_leftovers, write_text
from .write.output_words import OutputWhy

if TYPE_CHECKING:
    from .history.remember import HistoryResult, Keeping, LeadFact
    from .pipeline import Analysis
    from .records import Lead

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


def summary_json(analysis: Analysis) -> str:
    return json.dumps(analysis.outcome.summary, ensure_ascii=False, indent=2) + "\n"


# Below this many lead rows a run is done in one process: forking workers and
# sending them their data would cost more than it saves. At 5,000 leads the
# early report saves about a tenth of the run (1.10 s → 1.02 s).
PARALLEL_MIN_ROWS = 2_000


# Inputs this large (workbook and CSV bytes in the inbox) may reach
# PARALLEL_MIN_ROWS: the report's worker process is made before they are read
# (a fork of a process holding only its imports: a few milliseconds).
PREPARE_MIN_BYTES = 64 << 10


class EarlyReport:
    """report.xlsx started in a worker as soon as the due list is known.

    :meth:`prepare` forks the worker before the inbox is read, while this
    process holds little more than its imports; the worker waits. When
    :func:`leadbook.pipeline.analyse` has the due list it calls :meth:`start`
    (its ``on_tasks``), which sends the list; the worker writes the 待跟进
    sheet, the largest, while the analysis goes on, then waits for the whole
    outcome, which :meth:`send` gives it, writes the other sheets and the
    summary page; :meth:`finish` waits for it.

    Forked later, from the full heap, the worker would share this process's
    pages, and every page either process then writes would be held twice:
    measured at 100,000 leads, 605 MB for the process tree, against 484 MB
    this way. Used with ``jobs`` > 1 on a large inbox, where processes
    can be forked.
    """

    def __init__(self, target: Path, jobs: int, keeping: Keeping | None = None) -> None:
        self.target = target
        self.jobs = jobs
        self.keeping = keeping  # the run's history step, done by the worker too
        self.leads: list[Lead] = []  # for the history step here, should the worker stop
        self.process: Any = None
        self.conn: Any = None
        self.started = False  # the worker has a due list to write
        self.page: Path | None = None
        self.outcome: Outcome | None = None
        self.kept: HistoryResult | None = None  # the history step's results, from the worker
        self.sender: threading.Thread | None = None

    def prepare(self, inbox: Path) -> None:
        """Fork the waiting worker now when the inbox looks large enough to use it.
        While it waits, it opens the run's history and reads the previous run."""
        if self.jobs < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return
        try:
            size = sum(p.stat().st_size for p in inbox.iterdir()
                       if p.suffix.lower() in SPREADSHEET_SUFFIXES and p.is_file())
        except OSError:
            return
        if size < PREPARE_MIN_BYTES:
            return
        ctx = multiprocessing.get_context("fork")
        conn, theirs = ctx.Pipe()
        process = ctx.Process(target=_early_report,
                              args=(self.target, theirs, conn, os.getpid(), self.keeping),
                              name="leadbook-report", daemon=True)
        gc.freeze()  # the worker's collector leaves the inherited objects alone
        try:
            process.start()
        except OSError:  # no worker: the report is written with the other outputs
            log.debug("the report's worker did not start", exc_info=True)
            conn.close()
            return
        finally:
            gc.unfreeze()
            theirs.close()
        self.conn, self.process = conn, process

    def ahead(self, leads: list[Lead]) -> None:
        """The leads' phones, as soon as the records are built: the worker hashes
        them for the history while the run applies its rules."""
        if self.process is None or self.keeping is None or len(leads) < PARALLEL_MIN_ROWS:
            return
        try:
            self.conn.send(list(dict.fromkeys(lead.phone for lead in leads if lead.phone)))
        except OSError:
            self.abandon()

    def start(self, early: Outcome, leads: list[Lead]) -> None:
        """Give the waiting worker the due list, and the leads' facts for the history's
        comparison, which it makes after the 待跟进 sheet; a small run lets it go
        instead."""
        if self.process is None:
            return
        if len(leads) < PARALLEL_MIN_ROWS:
            self.abandon()
            return
        if self.keeping is not None:
            from .history.remember import lead_facts

            self.leads = leads
        try:
            self.conn.send((early, None if self.keeping is None else lead_facts(leads)))
        except OSError:
            self.abandon()
            return
        self.started = True

    def send(self, outcome: Outcome, page: Path | None = None) -> None:
        """Give the worker the whole outcome, for the sheets after the due list, and
        with ``page`` the summary page to write after the report. With the run's
        history step, the worker saves the snapshot now (the run's process
        meanwhile writes the annotated copies); :meth:`finish` puts its results
        on ``outcome``."""
        self.page, self.outcome = page, outcome
        data = pickle.dumps((_without_tasks(outcome), page), protocol=pickle.HIGHEST_PROTOCOL)
        # The worker may still be busy (the history's comparison) when the pipe is
        # full: the bytes go from a thread, and this process goes on to its copies.
        self.sender = threading.Thread(target=self._send_bytes, args=(data,),
                                       name="leadbook-send", daemon=True)
        self.sender.start()

    def _send_bytes(self, data: bytes) -> None:
        try:
            self.conn.send_bytes(data)
        except OSError:  # the worker is gone: finish() says so
            pass

    def sent(self) -> None:
        """Wait until the worker has the outcome (before forking: no thread is left
        running then)."""
        if self.sender is not None:
            self.sender.join()
            self.sender = None

    def kept_history(self) -> HistoryResult:
        """Wait for the history step's results, which the worker sends once it has
        saved the snapshot, and put them on the run's outcome; when the worker
        stopped first, the step is done here."""
        from .history.remember import HistoryResult, lead_facts

        assert self.keeping is not None and self.outcome is not None
        if self.kept is not None:
            return self.kept
        self.sent()
        try:
            kept = self.conn.recv()
        except (EOFError, OSError, TypeError, ValueError):
            kept = None
        if isinstance(kept, HistoryResult):
            kept.apply(self.outcome)
        else:  # the worker stopped first: the step is this process's
            self.keeping.compare(lead_facts(self.leads), self.outcome.tasks)
            kept = self.keeping.save(self.outcome)
        self.kept = kept
        return kept

    def finish(self) -> list[Result]:
        """Wait for the worker and say what it wrote; the history step's results go
        on the run's outcome first (:meth:`kept_history`)."""
        if self.keeping is not None:
            self.kept_history()
        self.sent()
        try:
            results: list[Result] = self.conn.recv()
            if not isinstance(results, list):
                results = []
        except (EOFError, OSError, TypeError, ValueError):
            results = []
        self.process.join()
        self.conn.close()
        assert self.outcome is not None
        if self.process.exitcode != 0 or len(results) != 1 + (self.page is not None):
            code = self.process.exitcode
            stopped: list[Result] = [
                ([], [OutputWhy.WORKER_STOPPED(name=self.target.name, code=code)])]
            # The page is this process's to write again: it has all it needs.
            page = [_run("html", self.outcome, self.page)] if self.page is not None else []
            return stopped + page
        return results

    def abandon(self) -> None:
        """Let the worker go without a report (the run failed, or is small): it sees
        its pipe close and leaves no file."""
        if self.process is None:
            return
        self.conn.close()
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join()
        self.process, self.started = None, False


def _without_tasks(outcome: Outcome) -> Outcome:
    """The worker has the due list already: the rest travels without it."""
    from dataclasses import replace

    return replace(outcome, tasks=outcome.tasks.iloc[0:0])


def _early_report(target: Path, conn: Any, parents_end: Any, run: int,
                  keeping: Keeping | None = None) -> None:
    die_with_parent(run)  # a killed run leaves no worker to rename files after it
    # The inherited copy of the run's end, closed: the run closing its own is then
    # seen here as the end of the pipe.
    parents_end.close()
    # Stopped from outside: unwind, so that a temporary file is removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        early: Outcome
        facts: list[LeadFact] | None
        message = conn.recv()
        if isinstance(message, list):  # the phones, while the run applies its rules
            if keeping is not None:
                # Opened now, not while the inbox is read: the reading children
                # have the cores then, and this is idle until the due list comes.
                keeping.open(create=False)
                keeping.hash_ahead(message)
            message = conn.recv()
        early, facts = message
    except EOFError:  # not needed after all
        if keeping is not None:
            keeping.close()
        return

    got: list[tuple[Outcome, Path | None]] = []
    sending: list[threading.Thread] = []

    def rest() -> Outcome:
        nonlocal facts
        whole: Outcome
        if keeping is not None and facts is not None:  # while the run counts its figures
            keeping.compare(facts, early.tasks)
        # EOFError when the run stops: no file is written
        whole, page = pickle.loads(conn.recv_bytes())
        whole.tasks = early.tasks
        if keeping is not None:
            kept = keeping.save(whole) if facts is not None else None
            # The run's process writes the page and summary.json with these while this
            # one finishes report.xlsx: sent from a thread, as the run may be busy.
            thread = threading.Thread(
                target=_send_quietly, args=(conn, None if kept is None else kept.for_page()),
                name="leadbook-kept", daemon=True)
            thread.start()
            sending.append(thread)
        facts = None  # the comparison holds what it needs
        got.append((whole, page))
        return whole

    results = [_run("report", early, target, rest)]
    try:
        if not got:  # the report stopped before it needed the rest: the page still does
            rest()
        whole, page = got[0]
        if page is not None:
            results.append(_run("html", whole, page))
        for thread in sending:
            thread.join()
        conn.send(results)
    except (EOFError, OSError):  # the run stopped and closed its end
        pass
    conn.close()


def _send_quietly(conn: Any, message: Any) -> None:
    try:
        conn.send(message)
    except OSError:  # the run is gone
        pass


def write_outputs(analysis: Analysis, out: Path, *, split: bool = False, jobs: int = 1,
                  report: EarlyReport | None = None,
                  history: Keeping | None = None) -> Written:
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

        history.compare(lead_facts(analysis.records.leads), outcome.tasks)
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
    summary = ("summary", analysis, out / "summary.json")
    local: list[tuple[Any, ...]] = [summary, ("html", outcome, out / "summary.html")]
    if split:
        local.append(("split", outcome, out / "due"))
    later: list[tuple[Any, ...]] = []  # written once the worker's history results are in
    if early:
        assert report is not None
        if history is None:
            # The page goes with the report: the worker has the due list it is made
            # of, and this process the annotated copies to write.
            report.send(outcome, local.pop(1)[-1])
        else:
            # The page and summary.json hold the history, which the worker keeps
            # after the 待跟进 sheet: this process writes them after its copies.
            report.send(outcome, None)
            later = local[:2]
            del local[:2]
    leads = outcome.summary["leads"]["rows"]
    workers = jobs - 1 - (1 if early else 0)  # the early report has a core of its own
    if workers > 0 and leads >= PARALLEL_MIN_ROWS and tasks:
        if report is not None:
            report.sent()  # no thread of this process runs across a fork
        results = _in_parallel(tasks, local, workers + 1, leads)
    else:
        results = [_run(*t) for t in local + tasks]
    if early:
        assert report is not None
        if history is not None:
            done.warnings = report.kept_history().warnings
            results += [_run(*t) for t in later]
        results += report.finish()
    for paths, errors in results:
        done.paths.extend(paths)
        done.errors.extend(render(why, outcome.lang) for why in errors)
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
                 jobs: int, leads: int) -> list[Result]:
    """report.xlsx and the annotated copies shared out between this process and up to
    jobs − 1 workers. Workers are forked where the platform allows (no start-up,
    nothing pickled on the way in), else spawned with their tasks' data."""
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    forked = ctx.get_start_method() == "fork"
    mine, *theirs = share_out(tasks, local, min(jobs - 1, len(tasks)), leads)
    theirs = [share for share in theirs if share]
    done: dict[int, Result] = {}
    if not theirs:
        return [_run(*t) for t in local] + [_run(*t) for t in tasks]
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
            first = [_run(*t) for t in local]
            for i in mine:
                done[i] = _run(*tasks[i])
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
    return [_run(*t) for t in batch]


def _run_forked(share: list[int]) -> list[Result]:
    return [_run(*_FORKED_TASKS[i]) for i in share]


# What writing one output gave: the files written, and why what is missing is missing.
Result = tuple[list[Path], list[Words | str]]

# The outputs named in the errors of their writers, by kind.
OUTPUT_NAMES = {"summary": "summary.json", "report": "report.xlsx", "html": "summary.html",
                "split": "due/"}


def _run(kind: str, *args: Any) -> Result:
    """Write one output; errors come back in words, never as an exception."""
    try:
        if kind == "summary":
            analysis, target = args
            write_text(target, summary_json(analysis))
            return [target], []
        if kind == "report":
            from .write.report_xlsx import write_report

            return [write_report(*args)], []
        if kind == "html":
            from .write.html import write_html

            return [write_html(*args)], []
        if kind == "split":
            from .write.split import write_split

            errors: list[Words | str] = []
            outcome, folder = args
            return list(write_split(outcome, folder, errors)), errors
        from .annotate import write_annotated

        src, notes, target = args
        return [write_annotated(src, notes, target)], []
    except OutputError as exc:
        why = exc.why
        if kind == "annotated" and args[0].name not in render(why, "zh"):
            # A damaged part of the input met while copying it: say which input.
            why = OutputWhy.COPY_FAILED(file=args[0].name, reason=why)
        return [], [why]
    except Exception as exc:  # one output's failure must not stop the others
        log.debug("writing %s failed", kind, exc_info=True)
        what = args[0].name if kind == "annotated" else OUTPUT_NAMES.get(kind, kind)
        return [], [OutputWhy.UNEXPECTED(name=what, kind=type(exc).__name__)]


def _without_rows(src: SourceFile) -> SourceFile:
    """Rows are not needed to patch a workbook: the copy carries only the sheet shapes."""
    from dataclasses import replace

    return replace(src, sheets=[replace(s, rows=[]) for s in src.sheets], issues=[])



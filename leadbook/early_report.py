"""report.xlsx written by a worker forked before the inbox is read (:class:`EarlyReport`),
which starts on 待跟进 as soon as the due list is known and keeps the run's
history in its idle moments; the pipe between the run and it.
"""

from __future__ import annotations

import gc
import logging
import os
import pickle
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import output_jobs, workers
from .lifeline import die_with_parent
from .model import Outcome
from .output_jobs import Result
from .read.discover import SPREADSHEET_SUFFIXES
from .write.output_words import OutputWhy

if TYPE_CHECKING:
    import datetime as dt

    import pandas as pd

    from .config import Config
    from .history.remember import HistoryResult, Keeping, LeadFact
    from .metrics import Period

log = logging.getLogger("leadbook")

# Inputs this large (workbook and CSV bytes in the inbox) may reach
# workers.PARALLEL_MIN_ROWS: the report's worker process is made before they are
# read (a fork of a process holding only its imports: a few milliseconds).
PREPARE_MIN_BYTES = 64 << 10


class EarlyReport:
    """report.xlsx started in a worker as soon as the due list is known.

    :meth:`prepare` forks the worker before the inbox is read, while this
    process holds little more than its imports; the worker waits. When the run
    has the due list (:func:`leadbook.pipeline.work_of`) it calls :meth:`start`
    with :func:`early_outcome`, which sends the list; the worker writes the 待跟进
    sheet, the largest, while the analysis goes on, then waits for the whole
    outcome, which :meth:`send` gives it, writes the other sheets, and without
    the history summary.json and the summary page; :meth:`finish` waits for it.

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
        self.leads: pd.DataFrame | None = None  # for the history step here, should the worker stop
        self.process: Any = None
        self.conn: Any = None
        self.started = False  # the worker has a due list to write
        self.page: Path | None = None
        self.summary: Path | None = None
        self.outcome: Outcome | None = None
        self.kept: HistoryResult | None = None  # the history step's results, from the worker
        self.sender: threading.Thread | None = None
        self.copies: list[tuple[Any, ...]] = []  # the annotated copies the worker writes

    def prepare(self, inbox: Path) -> None:
        """Fork the waiting worker now when the inbox looks large enough to use it.
        While it waits, it opens the run's history and reads the previous run."""
        import multiprocessing  # here, while the children read: not before they start

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

    def ahead(self, leads: pd.DataFrame) -> None:
        """The leads' phones, as soon as the records are built: the worker hashes
        them for the history while the run applies its rules."""
        if self.process is None or self.keeping is None or len(leads) < workers.PARALLEL_MIN_ROWS:
            return
        try:
            self.conn.send(list(dict.fromkeys(p for p in leads["phone"].tolist() if p)))
        except OSError:
            self.abandon()

    def start(self, early: Outcome, leads: pd.DataFrame) -> None:
        """Give the waiting worker the due list, and the leads' facts for the history's
        comparison, which it makes after the 待跟进 sheet; a small run lets it go
        instead."""
        if self.process is None:
            return
        if len(leads) < workers.PARALLEL_MIN_ROWS:
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

    def send(self, outcome: Outcome, page: Path | None = None,
             copies: Sequence[tuple[Any, ...]] = (), summary: Path | None = None) -> None:
        """Give the worker the whole outcome, for the sheets after the due list, and
        with ``summary`` and ``page`` summary.json and the summary page to write
        after the report, then ``copies`` (annotated-copy tasks of
        output_jobs.write_one). With the run's history step, the worker saves the
        snapshot now (the run's process meanwhile writes the annotated copies);
        :meth:`finish` puts its results on ``outcome``."""
        self.page, self.summary, self.outcome = page, summary, outcome
        self.copies = list(copies)
        data = pickle.dumps((_without_tasks(outcome), summary, page, self.copies),
                            protocol=pickle.HIGHEST_PROTOCOL)
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
            assert self.leads is not None
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
        after = [(kind, self.outcome, path) for kind, path in (
            ("summary", self.summary), ("html", self.page)) if path is not None]
        if self.process.exitcode != 0 or len(results) != 1 + len(after) + len(self.copies):
            code = self.process.exitcode
            stopped: list[Result] = [
                ([], [OutputWhy.WORKER_STOPPED(name=self.target.name, code=code)])]
            # summary.json, the page and the copies are this process's to write
            # again: it has all they need.
            return stopped + [output_jobs.write_one(*task) for task in after + self.copies]
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
    _ready()
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

    got: list[tuple[Outcome, Path | None, Path | None, list[tuple[Any, ...]]]] = []
    sending: list[threading.Thread] = []

    def rest() -> Outcome:
        nonlocal facts
        whole: Outcome
        if keeping is not None and facts is not None:  # while the run counts its figures
            keeping.compare(facts, early.tasks)
        # EOFError when the run stops: no file is written
        whole, summary, page, copies = pickle.loads(conn.recv_bytes())
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
        got.append((whole, summary, page, copies))
        return whole

    results = [output_jobs.write_one("report", early, target, rest)]
    try:
        if not got:  # the report stopped before it needed the rest: the page still does
            rest()
        whole, summary, page, copies = got[0]
        if summary is not None:
            results.append(output_jobs.write_one("summary", whole, summary))
        if page is not None:
            results.append(output_jobs.write_one("html", whole, page))
        results += [output_jobs.write_one(*task) for task in copies]
        for thread in sending:
            thread.join()
        conn.send(results)
    except (EOFError, OSError):  # the run stopped and closed its end
        pass
    conn.close()


def _ready() -> None:
    """What the worker writes with, loaded while it waits for the due list (the run
    is then reading or building its records): the report's and the page's writers,
    XlsxWriter and jinja2, and the page's template compiled. A tenth of a second of
    a store's week that is then off the run's last stretch."""
    from .write import html, report_xlsx  # noqa: F401

    html.template_env().get_template(html.TEMPLATE)


def _send_quietly(conn: Any, message: Any) -> None:
    try:
        conn.send(message)
    except OSError:  # the run is gone
        pass


def early_outcome(config: Config, as_of: dt.date, period: Period, tasks: Any,
                  lang: str) -> Outcome:
    """The outcome as far as the due list, for the report's worker to start on: the
    other tables empty, no summary."""
    import pandas as pd

    empty = pd.DataFrame()
    return Outcome(store=config.store, as_of=as_of, period_start=period.start,
                   period_end=period.end, summary={}, tasks=tasks, channels=empty,
                   consultants=empty, lost=empty, crosscheck=empty, duplicates=empty,
                   issues=[], lang=lang, list_days=config.list_days)

"""One store's run, as ``leadbook process`` makes it: the library call behind the
command line and behind each store of ``leadbook group``.

It owns what a run needs around the pipeline: the collector's thresholds and
the early report worker (leadbook.outputs). It prints nothing; the caller turns
the result into words and an exit status.
"""

from __future__ import annotations

import datetime as dt
import gc
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Config
from .progress import Progress, Silent

if TYPE_CHECKING:
    from .history.remember import Keeping
    from .model import SheetData, SourceFile
    from .outputs import Written
    from .pipeline import Analysis
    from .records import Ahead


def file_error(name: str, message: str) -> str:
    """A file's error as one line: the reader's message names the file already
    ("x.xlsx: refused: ..."), others get the name put in front."""
    return message if message.startswith(f"{name}: ") else f"{name}: {message}"


@dataclass
class RunResult:
    analysis: Analysis
    written: Written
    config: Config
    out: Path
    warnings: list[str] = field(default_factory=list)  # the history's, in words
    lang: str = "zh"

    @property
    def errors(self) -> list[str]:
        """What could not be read or written, one line each, in the user's words."""
        lines = [file_error(f.name, f.message(self.lang)) for f in self.analysis.failed]
        lines.extend(self.written.errors)
        return lines

    @property
    def nothing_found(self) -> list[str]:
        """When no file held a lead card or a daily report: what each file and sheet
        was taken for, and the [columns] line that would fix it ([] otherwise)."""
        from .model import SheetKind
        from .read.header_hint import WORDS, sheet_hint

        files = self.analysis.files
        if any(s.kind in (SheetKind.LEADS, SheetKind.ACTIVITY)
               for f in files if f.status == "ok" for s in f.sheets):
            return []
        w = WORDS.get(self.lang, WORDS["zh"])
        lines = [w["head"]]
        if not files:
            lines.append(w["empty"])
        for f in files:
            if f.status != "ok":
                lines.append(f"  {f.name}: {f.message(self.lang)}")
                continue
            for sheet in f.sheets:
                if sheet.kind is SheetKind.SPEND:
                    lines.append(w["spend"].format(file=f.name, sheet=sheet.name))
                    continue
                lines.extend(f"  {line}" for line in sheet_hint(f.name, sheet.name,
                                                                 sheet.guess, self.lang))
        return lines

    @property
    def exit_code(self) -> int:
        """0 every input read (warnings allowed); 1 an input or an output failed, or
        the inbox held no lead card and no daily report at all."""
        return 1 if self.errors or self.nothing_found else 0


def run_store(
    inbox: Path,
    out: Path,
    config: Config,
    as_of: dt.date,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    lang: str = "zh",
    split: bool = False,
    jobs: int | None = None,
    history: str | None = None,
    keep_history: bool = True,
    progress: Progress | None = None,
) -> RunResult:
    """Read ``inbox``, work out the week and write every output into ``out``.

    The run is kept in ``history`` (a path or URL; default the config's
    ``history``, relative to the inbox) and compared with the store's previous
    run, unless ``keep_history`` is false (domain.md §10).

    Raises :class:`leadbook.layout.LayoutError`, before anything is written, when
    ``out`` holds or links to a file the run reads."""
    from .early_report import EarlyReport
    from .history.remember import remember
    from .layout import check_layout, folder_error
    from .lifeline import default_jobs
    from .outputs import write_outputs
    from .read import read_inbox
    from .read.discover import discover
    from .write.atomic import remove_leftovers

    # LayoutError when an output would replace or write through to an input.
    check_layout(out, [path for path, reason in discover(inbox) if not reason])
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise folder_error(out, exc) from exc
    remove_leftovers(out)  # what a killed earlier run left (the early report writes soon)
    jobs = jobs or default_jobs()
    # A run allocates millions of small objects (cells, leads, tasks) and frees few
    # of them: the collector's default of a pass every 700 allocations costs about
    # a second at 100,000 leads for nothing. A cycle still gets collected.
    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    step = progress or Silent()
    keeping = _keeping(config, inbox, history, as_of, lang) if keep_history else None
    report = EarlyReport(out / "report.xlsx", jobs, keeping)

    def meanwhile() -> None:
        # While the children read the inbox: the analysis's imports (pandas: a quarter
        # of a second), then the report's worker, forked from a process that holds
        # little more than them.
        from . import pipeline  # noqa: F401

        report.prepare(inbox)

    ahead: list[Ahead] = []

    def early() -> Ahead:
        from .records import Ahead

        if not ahead:
            ahead.append(Ahead(as_of, config.grade_aliases))
        return ahead[0]

    def came(src: SourceFile) -> None:
        # The daily reports' records are worked out as they come in, while the lead
        # workbooks (larger: read first, and for longer) are still being read; after
        # meanwhile(), which has imported what they need.
        early().take(src)

    def rows_came(src: SourceFile, sheet: SheetData, rows: list[tuple[int, list[Any]]]) -> None:
        # A large lead sheet's records, part by part while its child sends the rest.
        early().take_rows(src, sheet, rows)

    try:
        files = read_inbox(inbox, {k: list(v) for k, v in config.columns.items()}, jobs,
                           step.read, meanwhile=meanwhile, on_read=came, on_rows=rows_came)
        from .early_report import early_outcome
        from .pipeline import figures_of, records_of, work_of

        records = records_of(files, config, as_of, ahead[0] if ahead else None)
        report.ahead(records.leads)  # the history's worker hashes the phones meanwhile
        week = work_of(files, records, config, as_of, start, end, lang)
        # The report's worker starts on 待跟进, and the history on its comparison,
        # while this process counts the figures.
        report.start(early_outcome(config, as_of, week.period, week.tasks, lang), week.leads)
        analysis = figures_of(week, config, as_of, lang)
        if keeping is not None:
            step.step("history")
        else:
            remember(analysis.outcome, [], None, [])  # summary.json: "history": null
        written = write_outputs(analysis, out, split=split, jobs=jobs, report=report,
                                history=keeping, progress=step)
    except BaseException:
        report.abandon()
        raise
    finally:
        step.done()
        gc.set_threshold(*thresholds)
    return RunResult(analysis, written, config, out, written.warnings, lang)


def _keeping(config: Config, inbox: Path, history: str | None, as_of: dt.date,
             lang: str) -> Keeping:
    """The run's history step: done by write_outputs, or by the report's worker."""
    from .history.remember import Keeping, location_of

    grades = [g.grade for g in config.scheme.grades]
    return Keeping(history or location_of(config.history, inbox), config.store, as_of, grades,
                   config.list_days, lang)

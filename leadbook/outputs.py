"""Write every output of a run into the output folder, each file atomically.

summary.json, report.xlsx, summary.html, annotated/<stem>.xlsx per input
workbook, and with ``split`` due/<consultant>.xlsx (domain.md §8).
Annotated copies are written in parallel processes when ``jobs`` > 1.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .model import OutputError, SheetNotes, SourceFile
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


def write_outputs(analysis: Analysis, out: Path, *, split: bool = False, jobs: int = 1) -> Written:
    from .write.html import write_html
    from .write.report_xlsx import write_report

    done = Written()
    out.mkdir(parents=True, exist_ok=True)
    outcome = analysis.outcome

    def attempt(what: str, fn, *args) -> None:  # type: ignore[no-untyped-def]
        try:
            result = fn(*args)
        except OutputError as exc:
            done.errors.append(str(exc))
            return
        if isinstance(result, list):
            done.paths.extend(result)
        elif result is not None:
            done.paths.append(Path(result))
        log.debug("wrote %s", what)

    attempt("summary.json", _write_summary, analysis, out / "summary.json")
    attempt("report.xlsx", write_report, outcome, out / "report.xlsx")
    attempt("summary.html", write_html, outcome, out / "summary.html")
    if split:
        from .write.split import write_split

        attempt("due/", write_split, outcome, out / "due")
    jobs_list = [
        (src, analysis.notes[src.name], out / "annotated" / annotated_name(src))
        for src in analysis.files
        if src.name in analysis.notes
    ]
    for path, error in annotate_all(jobs_list, jobs):
        if error:
            done.errors.append(error)
        else:
            done.paths.append(path)
    return done


def _write_summary(analysis: Analysis, target: Path) -> Path:
    write_text(target, summary_json(analysis))
    return target


def _annotate(src: SourceFile, notes: list[SheetNotes], target: Path) -> tuple[Path, str]:
    from .write.annotated import write_annotated

    try:
        write_annotated(src, notes, target)
    except OutputError as exc:
        return target, str(exc)
    except Exception as exc:  # one workbook's failure must not stop the others
        log.debug("annotating %s failed", src.name, exc_info=True)
        return target, f"{src.name}: the annotated copy could not be written ({exc})"
    return target, ""


def annotate_all(
    work: Sequence[tuple[SourceFile, list[SheetNotes], Path]], jobs: int
) -> list[tuple[Path, str]]:
    if jobs <= 1 or len(work) <= 1:
        return [_annotate(*item) for item in work]
    # Rows are not needed to patch a workbook: send the workers only the sheet shapes.
    light = [(_without_rows(src), notes, target) for src, notes, target in work]
    with ProcessPoolExecutor(max_workers=min(jobs, len(work))) as pool:
        futures = [pool.submit(_annotate, *item) for item in light]
        return [f.result() for f in futures]


def _without_rows(src: SourceFile) -> SourceFile:
    from dataclasses import replace

    return replace(src, sheets=[replace(s, rows=[]) for s in src.sheets], issues=[])


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))

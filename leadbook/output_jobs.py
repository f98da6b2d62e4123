"""One output written, and what went wrong in words: the unit the run's process and
its workers share (leadbook.outputs, leadbook.workers, leadbook.early_report).

A kind names the output: summary (summary.json), report (report.xlsx), html
(summary.html), split (due/<consultant>.xlsx) or annotated (the copy of one
input). One output's failure is words for the terminal, never an exception
that would stop the others.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from .model import OutputError
from .texts import Words, render
from .write.atomic import write_text
from .write.output_words import OutputWhy

log = logging.getLogger("leadbook")


def summary_json(summary: dict[str, Any]) -> str:
    """summary.json's text: the outcome's summary (domain.md §8)."""
    return json.dumps(summary, ensure_ascii=False, indent=2) + "\n"



# What writing one output gave: the files written, and why what is missing is missing.
Result = tuple[list[Path], list[Words | str]]

# The outputs named in the errors of their writers, by kind.
OUTPUT_NAMES = {"summary": "summary.json", "report": "report.xlsx", "html": "summary.html",
                "split": "due/"}


def write_one(kind: str, *args: Any) -> Result:
    """Write one output; errors come back in words, never as an exception."""
    try:
        if kind == "summary":
            outcome, target = args
            write_text(target, summary_json(outcome.summary))
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

"""Progress of a run on a terminal: which step it is at, on stderr, one line.

Shown only when stderr is a terminal, and only once the run has taken more
than a moment (PROGRESS_DELAY): a quick run prints nothing of it, and nothing of
it ever reaches a pipe or a log file. ``-q`` turns it off. The line is cleared
when the run ends, so the summary stands alone.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

PROGRESS_DELAY = 0.5  # seconds: a run shorter than this shows no progress
WORDS = {
    "zh": {"read": "读取 {i}/{n}: {name}", "rules": "定级、排程与统计…",
           "write": "写出报告、页面和注释副本…", "history": "与上次比较并记入历史…",
           "output": "写出报告、页面和注释副本… {i}/{n}: {name}",
           "waiting": "写出报告、页面和注释副本… 等待其余进程写完: {names}"},
    "en": {"read": "reading {i}/{n}: {name}", "rules": "grading, scheduling and counting…",
           "write": "writing the report, the page and the annotated copies…",
           "history": "comparing with the last run and keeping this one…",
           "output": "writing the report, the page and the annotated copies… {i}/{n}: {name}",
           "waiting": "writing the report, the page and the annotated copies… waiting for "
                      "the other processes: {names}"},
}


class Progress:
    def __init__(self, lang: str = "zh", stream: TextIO | None = None,
                 enabled: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.words = WORDS.get(lang, WORDS["zh"])
        self.started = time.monotonic()
        self.delay = float(os.environ.get("LEADBOOK_PROGRESS_DELAY", PROGRESS_DELAY))
        self.shown = False
        self.outputs, self.written = 0, 0

    def step(self, key: str, **values: object) -> None:
        """Say the run is at step ``key`` (a key of WORDS), once it has taken a moment."""
        if not self.enabled or time.monotonic() - self.started < self.delay:
            return
        self.stream.write("\r\x1b[K" + self.words[key].format(**values))
        self.stream.flush()
        self.shown = True

    def read(self, name: str, i: int, n: int) -> None:
        """A file read; after the last, the rules and figures come next."""
        self.step("read", name=name, i=i, n=n)
        if i == n:
            self.step("rules")

    def expect(self, outputs: int) -> None:
        """The run is about to write ``outputs`` outputs (counted by :meth:`output`)."""
        self.outputs, self.written = outputs, 0
        self.step("write")

    def output(self, name: str) -> None:
        """This process starts writing the output ``name`` (a path in the output folder)."""
        self.written += 1
        self.step("output", name=name, i=min(self.written, self.outputs), n=self.outputs)

    def waiting(self, names: list[str]) -> None:
        """What this process waits for the workers to finish."""
        if names:
            self.step("waiting", names=", ".join(names))

    def done(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False


class Silent(Progress):
    def __init__(self) -> None:
        super().__init__(enabled=False)

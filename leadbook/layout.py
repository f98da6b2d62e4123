"""Where a run may write: never onto, or through a link to, a file it reads.

``--out INBOX`` with an input named report.xlsx, an inbox that is an earlier
run's annotated/ folder with ``--out`` its parent, or a folder linked into the
inbox would let an output replace a user's workbook (domain.md §9: inputs are
never modified). Such a layout is refused before anything is written (exit 2).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from .write.atomic import OUTPUT_FOLDERS


class LayoutError(Exception):
    """The output folder would hold, or link to, files the run reads."""


def _real(path: Path) -> str:
    return os.path.normcase(os.path.realpath(path))


def check_layout(out: Path, inputs: Sequence[Path]) -> None:
    """Raise LayoutError when an input lies (or its link leads) into a folder
    that outputs are written to: OUT itself, OUT/annotated or OUT/due."""
    folders = {_real(out / sub if sub else out) for sub in OUTPUT_FOLDERS}
    clashes = [p for p in inputs if os.path.dirname(_real(p)) in folders]
    if not clashes:
        return
    names = ", ".join(p.name for p in clashes[:5]) + (" …" if len(clashes) > 5 else "")
    raise LayoutError(
        f"--out {out} is where leadbook writes its outputs, and it holds files this run "
        f"reads ({names}): an output could replace one of them. Choose an output folder "
        "outside the inbox (the default is INBOX/leadbook-out); nothing was written.")

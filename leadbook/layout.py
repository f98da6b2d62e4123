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


# The files a run writes directly into OUT (its subfolders are OUTPUT_FOLDERS).
OUTPUT_NAMES = frozenset({"report.xlsx", "summary.json", "summary.html"})


def check_layout(out: Path, inputs: Sequence[Path]) -> None:
    """Raise LayoutError when an output could replace an input: an input (or where
    its link leads) in OUT/annotated or OUT/due, whose files are named after the
    inputs and the consultants, or directly in OUT under an output's name.

    OUT may be the inbox itself or lie inside it: the inputs stay apart from the
    outputs, and leadbook's own workbooks left there are skipped when read
    (leadbook.own_files)."""
    root = _real(out)
    folders = {_real(out / sub) for sub in OUTPUT_FOLDERS if sub}
    clashes = [p for p in inputs
               if os.path.dirname(_real(p)) in folders
               or (os.path.dirname(_real(p)) == root
                   and os.path.basename(_real(p)).lower() in OUTPUT_NAMES)]
    if not clashes:
        return
    names = ", ".join(p.name for p in clashes[:5]) + (" …" if len(clashes) > 5 else "")
    raise LayoutError(
        f"--out {out} is where leadbook writes its outputs, and it holds files this run "
        f"reads ({names}): an output could replace one of them. Choose an output folder "
        "outside the inbox (the default is INBOX/leadbook-out); nothing was written.")

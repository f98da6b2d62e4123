"""due/<consultant>.xlsx: each consultant's own call list (``--split``).

The same columns as report.xlsx 待跟进, that consultant's tasks only, with the
full phone number. Names become safe file names on Windows, macOS and Linux;
two names that end up alike get -2, -3….
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from ..labels import Labels
from ..model import Outcome
from ..worklist import followup_counts
from .atomic import atomic_path
from .report_xlsx import title_text, write_due_sheet
from .xlsx_table import Formats, new_workbook

_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]+')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
             *(f"LPT{i}" for i in range(1, 10))}
MAX_NAME = 80


def safe_name(name: str) -> str:
    """A consultant's name as a file name: no path separators, no reserved names."""
    text = unicodedata.normalize("NFC", str(name))
    text = _UNSAFE.sub("_", text).strip(" .")
    text = text[:MAX_NAME].rstrip(" .")
    if not text:
        text = "_"
    if text.split(".")[0].upper() in _RESERVED:
        text = f"_{text}"
    return text


def write_split(outcome: Outcome, out_dir: Path) -> list[Path]:
    """One workbook per consultant with tasks; returns the paths written, in name order."""
    lab = Labels(outcome.lang)
    out_dir = Path(out_dir)
    tasks = outcome.tasks
    if tasks is None or len(tasks) == 0:
        return []
    written: list[Path] = []
    taken: set[str] = set()
    for key, group in tasks.groupby("consultant", sort=True, dropna=False):
        consultant = str(key) if isinstance(key, str) and key else lab["text.unknown"]
        stem = base = safe_name(consultant)
        n = 1
        while stem.casefold() in taken:
            n += 1
            stem = f"{base}-{n}"
        taken.add(stem.casefold())
        target = out_dir / f"{stem}.xlsx"
        what = f"{consultant} · {lab['sheet.due']}"
        counts = lab.followups(followup_counts(group), outcome.list_days)
        title = f"{title_text(outcome, lab, what)} · {counts}"
        with atomic_path(target) as tmp:
            wb = new_workbook(str(tmp))
            write_due_sheet(wb, Formats(wb), lab, group.reset_index(drop=True), title,
                            f"{outcome.store} · {consultant}")
            wb.close()
        written.append(target)
    return written

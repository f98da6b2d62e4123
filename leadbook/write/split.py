"""due/<consultant>.xlsx: each consultant's own call list (``--split``).

The same columns as report.xlsx 待跟进, that consultant's tasks only, with the
full phone number. Names become safe file names on Windows, macOS and Linux,
phone-like digits in them masked and their length held under what file systems
take (255 bytes a name); two names that end up alike get -2, -3…. One
consultant's file that cannot be written is an error naming it; the others are
still written.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from ..labels import Labels
from ..model import Outcome, OutputError
from ..own_files import own_output
from ..texts import Words
from ..values import mask_text
from ..worklist import followup_counts
from .atomic import atomic_path
from .output_words import OutputWhy, os_why
from .report_xlsx import write_due_sheet
from .xlsx_table import Formats, new_workbook, title_text

_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]+')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
             *(f"LPT{i}" for i in range(1, 10))}
MAX_NAME = 80  # characters, and ...
# ... bytes in UTF-8: ext4, APFS and NTFS take 255 a name; room is left for
# "-NN" and ".xlsx".
MAX_NAME_BYTES = 200


def safe_name(name: str) -> str:
    """A consultant's name as a file name: no path separators, no reserved names."""
    text = _UNSAFE.sub("_", unicodedata.normalize("NFC", str(name)))
    # "*" is not allowed in Windows file names: the mask is the full-width ＊.
    text = mask_text(text).replace("*", "＊").strip(" .")
    text = text[:MAX_NAME]
    while len(text.encode("utf-8")) > MAX_NAME_BYTES:
        text = text[:-1]
    text = text.rstrip(" .")
    if not text:
        text = "_"
    if text.split(".")[0].upper() in _RESERVED:
        text = f"_{text}"
    return text


def write_split(outcome: Outcome, out_dir: Path,
                errors: list[Words | str] | None = None) -> list[Path]:
    """One workbook per consultant with tasks; returns the paths written, in name order.

    A consultant's file that cannot be written is a message in ``errors`` (raised
    as OutputError when no list is given, after the others are written)."""
    lab = Labels(outcome.lang)
    out_dir = Path(out_dir)
    tasks = outcome.tasks
    if tasks is None:
        return []
    written: list[Path] = []
    failed: list[Words | str] = []
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
        try:
            with atomic_path(target) as tmp:
                wb = new_workbook(str(tmp))
                write_due_sheet(wb, Formats(wb), lab, group.reset_index(drop=True), title,
                                f"{outcome.store} · {consultant}")
                wb.close()
        except OutputError as exc:
            failed.append(OutputWhy.LIST_FAILED(name=target.name, why=exc.why))
            continue
        except OSError as exc:
            failed.append(OutputWhy.LIST_FAILED(name=target.name, why=os_why(exc)))
            continue
        written.append(target)
    # A list of a consultant who has none this week (who left, or whose leads
    # moved) is removed; a file in due/ that leadbook did not write is left alone.
    for old in sorted(out_dir.glob("*.xlsx")):
        if old not in written and own_output(old):
            try:
                old.unlink()
            except OSError as exc:
                failed.append(OutputWhy.LIST_NOT_REMOVED(name=old.name, why=os_why(exc)))
    if failed and errors is None:
        raise OutputError(failed[0])
    if errors is not None:
        errors.extend(failed)
    return written

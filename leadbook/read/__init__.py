"""Reading an inbox: files as they really are, sheets recognised by their header."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from ..model import FileError, SourceFile
from .discover import discover, skipped
from .grid import RawSheet, load_grids
from .safety import check_zip
from .sheets import classify
from .sniff import sniff_format

__all__ = ["RawSheet", "load_grids", "read_file", "read_inbox"]


def read_inbox(inbox: Path, extra: Mapping[str, Sequence[str]] | None = None) -> list[SourceFile]:
    files = []
    for path, reason in discover(inbox):
        if reason is not None:
            files.append(skipped(path, inbox, reason))
        else:
            files.append(read_file(path, path.name, extra))
    return files


def read_file(path: Path, name: str, extra: Mapping[str, Sequence[str]] | None = None) -> SourceFile:
    """Read one file; any failure becomes status 'error' with a message, never an exception."""
    src = SourceFile(path, name, "other")
    try:
        fmt = sniff_format(path)
        src.format = fmt
        if fmt == "other":
            raise FileError(path, "not a spreadsheet: its content is neither a workbook nor text")
        if fmt in ("xlsx", "xlsm"):
            check_zip(path)
        grids, src.date1904 = load_grids(path, fmt)
        for raw in grids:
            sheet, issues = classify(raw, extra, name)
            src.sheets.append(sheet)
            src.issues.extend(issues)
    except FileError as exc:
        src.status, src.message, src.sheets, src.issues = "error", f"{name}: {exc.reason}", [], []
    except (OSError, MemoryError, RecursionError, ValueError) as exc:
        src.status, src.sheets, src.issues = "error", [], []
        src.message = f"{name}: could not be read ({type(exc).__name__}: {exc})"
    return src

"""The files of an inbox: which to read, which to skip and why (domain.md §6)."""

from __future__ import annotations

from pathlib import Path

from ..model import SourceFile

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".csv"}
CONFIG_NAME = "leadbook.toml"


def skip_reason(path: Path) -> str | None:
    name = path.name
    if name.startswith("~$"):
        return "skipped: Excel's owner file of an open workbook"
    if name.startswith(".~lock.") and name.endswith("#"):
        return "skipped: LibreOffice lock file"
    if name.startswith("."):
        return "skipped: hidden file"
    if path.suffix.lower() not in SPREADSHEET_SUFFIXES:
        return "skipped: not a spreadsheet (.xlsx, .xlsm, .xls or .csv)"
    return None


def discover(inbox: Path) -> list[tuple[Path, str | None]]:
    """Every file directly in the inbox, sorted by name, with a reason to skip it or None."""
    out = []
    for path in sorted(inbox.iterdir(), key=lambda p: p.name):
        if not path.is_file() or path.name == CONFIG_NAME:
            continue
        out.append((path, skip_reason(path)))
    return out


def skipped(path: Path, inbox: Path, reason: str) -> SourceFile:
    return SourceFile(path, path.name, path.suffix.lower().lstrip(".") or "other",
                      status="skipped", message=reason)

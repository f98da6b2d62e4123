"""The files of an inbox: which to read, which to skip and why (domain.md §6)."""

from __future__ import annotations

from pathlib import Path

from ..model import SourceFile
from ..own_files import own_output
from .file_words import FileWhy

SPREADSHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".csv"})
CONFIG_NAME = "leadbook.toml"  # the inbox's config: read by the config loader, not listed
# The default history (domain.md §10) and its key and journal files: leadbook's own,
# not listed, so that a run's file list does not depend on the runs before it.
HISTORY_PREFIX = "leadbook-history.sqlite"
OWN_OUTPUT = FileWhy.SKIP_OWN_OUTPUT


def skip_reason(name: str) -> FileWhy | None:
    """Why a file of the inbox is not read, or None to read it."""
    if name.startswith("~$"):
        return FileWhy.SKIP_OWNER_FILE
    if name.startswith(".~lock.") and name.endswith("#"):
        return FileWhy.SKIP_LOCK_FILE
    if name.startswith("."):
        return FileWhy.SKIP_HIDDEN
    if Path(name).suffix.lower() not in SPREADSHEET_SUFFIXES:
        return FileWhy.SKIP_NOT_SPREADSHEET
    return None


def discover(inbox: Path) -> list[tuple[Path, FileWhy | None]]:
    """Every file directly in the inbox, sorted by name, with a reason to skip it or None."""
    out = []
    for path in sorted(inbox.iterdir(), key=lambda p: p.name):
        if path.name == CONFIG_NAME or path.name.startswith(HISTORY_PREFIX) \
                or not path.is_file():
            continue
        reason = skip_reason(path.name)
        if reason is None and own_output(path):
            reason = OWN_OUTPUT
        out.append((path, reason))
    return out


def skipped(path: Path, reason: FileWhy) -> SourceFile:
    fmt = path.suffix.lower().lstrip(".")
    return SourceFile(path, path.name, fmt if fmt in ("xlsx", "xlsm", "xls", "csv") else "other",
                      status="skipped", note=reason)

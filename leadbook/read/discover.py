"""The files of an inbox: which to read, which to skip and why (domain.md §6)."""

from __future__ import annotations

from pathlib import Path

from ..model import SourceFile
from ..own_files import own_output

SPREADSHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".csv"})
CONFIG_NAME = "leadbook.toml"  # the inbox's config: read by the config loader, not listed
# The default history (domain.md §10) and its key and journal files: leadbook's own,
# not listed, so that a run's file list does not depend on the runs before it.
HISTORY_PREFIX = "leadbook-history.sqlite"
OWN_OUTPUT = ("skipped: written by leadbook (an earlier run's report); leadbook never reads "
              "its own outputs")


def skip_reason(name: str) -> str | None:
    """Why a file of the inbox is not read, or None to read it."""
    if name.startswith("~$"):
        return "skipped: Excel's owner file of an open workbook"
    if name.startswith(".~lock.") and name.endswith("#"):
        return "skipped: LibreOffice's lock file of an open workbook"
    if name.startswith("."):
        return "skipped: hidden file"
    if Path(name).suffix.lower() not in SPREADSHEET_SUFFIXES:
        return "skipped: not a spreadsheet (.xlsx, .xlsm, .xls or .csv)"
    return None


def discover(inbox: Path) -> list[tuple[Path, str | None]]:
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


def skipped(path: Path, reason: str) -> SourceFile:
    fmt = path.suffix.lower().lstrip(".")
    return SourceFile(path, path.name, fmt if fmt in ("xlsx", "xlsm", "xls", "csv") else "other",
                      status="skipped", message=reason)

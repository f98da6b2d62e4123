"""Reading an inbox: files as they really are, sheets recognised by their header.

:func:`read_inbox` lists every file of the inbox; :func:`read_file` reads one.
Neither raises for a bad file: a file that cannot be read gets status
``error`` and a message naming it, and the other files are read as usual.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from ..issue_codes import FORMAT_WORDS, IssueCode
from ..model import FileError, Issue, RawSheet, Severity, SourceFile
from ..texts import Words, said
from .cfb import check_cfb
from .discover import discover, skipped
from .extent import check_extent
from .file_words import FileWhy
from .grid import load_grids, share_values
from .headers import find_header, normalise_header, normalise_text
from .isolated import OnRows, in_child
from .legacy_formats import REFUSED_XLS, old_biff, xls_kind
from .safety import check_zip
from .sheets import classify, header_issues
from .sniff import sniff_format

__all__ = [
    "RawSheet",
    "check_zip",
    "classify",
    "find_header",
    "load_grids",
    "normalise_header",
    "normalise_text",
    "read_file",
    "read_inbox",
    "sniff_format",
]

log = logging.getLogger("leadbook")

ZIP_FORMATS = ("xlsx", "xlsm")
# The largest input file read. The 100,000-lead benchmark workbook is 8 MB and
# its CSV form 15 MB: twelve times that leaves room, and a 1 GiB file (a link
# to a disk image, a log) is refused before a byte of it is read.
MAX_INPUT_BYTES = 200 << 20
# What each name may hold without comment: dealer systems save HTML tables and
# CSV text under an .xls name as a matter of course.
EXPECTED_FORMATS = {
    ".xlsx": {"xlsx", "xlsm"},
    ".xlsm": {"xlsm", "xlsx"},
    ".xls": {"xls", "html", "csv"},
    ".csv": {"csv"},
}


def read_inbox(inbox: Path, extra: Mapping[str, Sequence[str]] | None = None,
               jobs: int = 1, on_file: Callable[[str, int, int], None] | None = None,
               meanwhile: Callable[[], None] | None = None,
               on_read: Callable[[SourceFile], None] | None = None,
               on_rows: OnRows | None = None) -> list[SourceFile]:
    """Every file directly in the inbox, sorted by name: read, or skipped with the reason.

    Each file is read in a forked child with memory and time limits
    (:mod:`.isolated`), up to ``jobs`` at once; where processes cannot be forked,
    in this process, up to ``jobs`` at once in threads (the workbook parser,
    calamine, works without holding the interpreter's lock). The largest files
    are started first. ``meanwhile()`` is called once while the children read
    (before reading, where files are read here); ``on_read(file)`` with each file
    as it comes in, while the others are read (one by one, where files are read
    here one after the other). A reading child sends a large lead sheet's rows in
    parts, each given to ``on_rows(file, sheet, rows)`` as it comes, before
    ``on_read`` (the sheet's ``rows`` then stay empty); files read here come whole.
    """
    found = discover(inbox)
    to_read = [path for path, reason in found if not reason]
    from .isolated import can_isolate, read_isolated

    count = [0]

    def told(path: Path, src: SourceFile) -> None:  # ``on_file(name, files read, files to read)``
        count[0] += 1
        if on_file is not None:
            on_file(path.name, count[0], len(to_read))
        if on_read is not None:
            on_read(src)

    if to_read and can_isolate():
        done = read_isolated(to_read, extra_reader(extra), jobs, told, meanwhile,
                             stopped=stopped_reader, on_rows=on_rows)
    else:
        if meanwhile is not None:
            meanwhile()
        done = _read_here(to_read, extra, jobs, told)
    return [skipped(path, reason) if reason else done[path] for path, reason in found]


def _read_here(to_read: list[Path], extra: Mapping[str, Sequence[str]] | None, jobs: int,
               told: Callable[[Path, SourceFile], None]) -> dict[Path, SourceFile]:
    """The files read in this process (where no child can be forked)."""
    done: dict[Path, SourceFile] = {}
    if jobs > 1 and len(to_read) > 1:
        from concurrent.futures import ThreadPoolExecutor

        def size(path: Path) -> int:
            try:
                return path.stat().st_size
            except OSError:
                return 0

        largest_first = sorted(to_read, key=lambda p: -size(p))
        with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="leadbook-read") as pool:
            done = dict(zip(largest_first,
                            pool.map(lambda p: read_file(p, p.name, extra), largest_first),
                            strict=True))
    else:
        for path in to_read:
            done[path] = read_file(path, path.name, extra)
            told(path, done[path])
    return done


def extra_reader(extra: Mapping[str, Sequence[str]] | None) -> Callable[[Path], SourceFile]:
    """``read_file`` with the config's extra header words, for a child to call: a
    child checks a workbook's extent while the parser reads it (a parser that
    aborts on a sheet too large ends only the child, whose parent then tells why:
    :func:`stopped_reader`)."""

    def reader(path: Path) -> SourceFile:
        return read_file(path, path.name, extra)

    return reader


def stopped_reader(path: Path) -> Words | None:
    """Why the reader of ``path`` stopped, when it was the workbook's own doing: a
    package the reader's bounds refuse, or a sheet too large to read; else None."""
    try:
        if sniff_format(path) in ZIP_FORMATS:
            check_zip(path)
            check_extent(path)
    except FileError as exc:
        return exc.reason
    except OSError:  # the file is gone or unreadable now: the limit's words stand
        pass
    return None


def read_file(
    path: Path, name: str, extra: Mapping[str, Sequence[str]] | None = None
) -> SourceFile:
    """Read one file; any failure becomes status 'error' with a message, never an exception.

    A workbook's extent is checked before the parser starts on it, or, in a reading
    child (which a parser that aborts ends alone: :func:`.isolated.in_child`), while
    the parser reads it: the check's refusal comes first either way."""
    src = SourceFile(path, name, "other")
    try:
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise FileError(path, FileWhy.TOO_BIG(size=f"{size / (1 << 20):,.0f}",
                                                  limit=MAX_INPUT_BYTES >> 20))
        src.format = sniff_format(path)
        if src.format == "other" and path.stat().st_size == 0:
            raise FileError(path, FileWhy.EMPTY)
        if src.format == "other" and (old := _old_biff(path)):
            raise FileError(path, FileWhy.OLD_BIFF(version=old))
        if src.format == "other":
            raise FileError(path, FileWhy.NOT_SPREADSHEET)
        extent: _Beside | None = None
        if src.format in ZIP_FORMATS:
            check_zip(path)
            if in_child():
                extent = _Beside(check_extent, path)
            else:
                check_extent(path)
        elif src.format == "xls":
            check_cfb(path)
            refused = REFUSED_XLS.get(xls_kind(path) or "")
            if refused is not None:
                raise FileError(path, refused)
        try:
            grids, src.date1904 = load_grids(path, src.format)
        finally:
            if extent is not None:
                extent.verdict()  # its refusal before anything the parser said
        for raw in grids:
            sheet = classify(raw, extra)
            if not in_child():  # a reading child shares them as it sends them
                share_values(sheet.rows)
            src.sheets.append(sheet)
            src.issues.extend(header_issues(sheet, name))
        src.issues[:0] = _format_issues(path, name, src.format)
    except FileError as exc:
        _failed(src, exc.reason)
    except MemoryError:
        _failed(src, FileWhy.TOO_MUCH_MEMORY)
    except (OSError, RecursionError, ValueError, UnicodeError) as exc:
        log.info("%s: %s: %s", name, type(exc).__name__, exc)  # library text: the -v log
        why = _READ_FAILED.get(type(exc), FileWhy.CHANGED)
        _failed(src, FileWhy.READ_FAILED(why=why))
    return src


class _Beside:
    """``check(path)`` in a thread of its own: the extent scan mostly inflates and
    searches in C, as the parser reads, so the two share the cores."""

    def __init__(self, check: Callable[[Path], None], path: Path) -> None:
        self.failed: BaseException | None = None

        def run() -> None:
            try:
                check(path)
            except BaseException as exc:  # raised by verdict() in the reading thread
                self.failed = exc

        self.thread = threading.Thread(target=run, name="leadbook-extent", daemon=True)
        self.thread.start()

    def verdict(self) -> None:
        """Wait for the check; raise what it raised."""
        self.thread.join()
        if self.failed is not None:
            raise self.failed


# The words for a failure the readers did not name (their own text goes to the log).
_READ_FAILED: dict[type, FileWhy] = {
    PermissionError: FileWhy.NOT_ALLOWED,
    FileNotFoundError: FileWhy.GONE,
    MemoryError: FileWhy.NO_MEMORY,
    RecursionError: FileWhy.TOO_NESTED,
    UnicodeDecodeError: FileWhy.UNKNOWN_ENCODING,
}


def _old_biff(path: Path) -> str | None:
    try:
        with open(path, "rb") as fh:
            return old_biff(fh.read(8))
    except OSError:
        return None


def _failed(src: SourceFile, reason: Words) -> None:
    """The file cannot be read: its note names it and says why."""
    src.status, src.sheets, src.issues = "error", [], []
    src.note = FileWhy.FAILED(file=src.name, reason=reason)


def _format_issues(path: Path, name: str, fmt: str) -> list[Issue]:
    expected = EXPECTED_FORMATS.get(path.suffix.lower())
    if expected is None or fmt in expected:
        return []
    return [Issue(
        name, None, None, None, None, IssueCode.FORMAT_MISMATCH,
        said(suffix=path.suffix, format=FORMAT_WORDS.get(fmt, fmt)), Severity.WARNING,
    )]

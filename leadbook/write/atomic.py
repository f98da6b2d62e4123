"""Write an output under a temporary name and rename it into place.

A run killed half-way leaves the previous output (or nothing), never a
half-written file. A target the user has open in Excel (locked on Windows)
becomes an OutputError naming the file, not a traceback.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ..lifeline import parent_alive
from ..model import OutputError
from .output_words import OutputWhy, os_why

TEMP_PREFIX = ".~leadbook-"


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success rename it onto ``target``."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(
            prefix=TEMP_PREFIX, suffix=target.suffix, dir=target.parent
        )
    except OSError as exc:
        raise OutputError(OutputWhy.CANNOT_WRITE(target=str(target), why=os_why(exc))) from exc
    os.close(fd)
    tmp = Path(tmp_name)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are shared like any file
    try:
        yield tmp
        replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def replace(tmp: Path, target: Path) -> None:
    """Rename ``tmp`` onto ``target``, turning a locked target into a clear error.

    A worker whose run has ended renames nothing (:mod:`leadbook.lifeline`)."""
    if not parent_alive():
        raise OutputError(OutputWhy.RUN_ENDED(name=target.name))
    try:
        os.replace(tmp, target)
    except PermissionError as exc:
        raise OutputError(OutputWhy.LOCKED(target=str(target))) from exc
    except OSError as exc:
        raise OutputError(OutputWhy.CANNOT_WRITE(target=str(target), why=os_why(exc))) from exc


def write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text(target: Path, text: str) -> None:
    write_bytes(target, text.encode("utf-8"))


# The folders of an output folder that hold outputs (domain.md §8).
OUTPUT_FOLDERS = ("", "annotated", "due")


def remove_leftovers(out: Path) -> list[Path]:
    """Remove the temporary files a killed earlier run left in ``out`` (and its
    annotated/ and due/ folders); returns what was removed. Only leadbook's own
    temporary names are touched, and inputs never carry one: the reader skips
    hidden files."""
    removed = []
    for sub in OUTPUT_FOLDERS:
        folder = out / sub if sub else out
        try:
            entries = list(folder.iterdir())
        except OSError:
            continue
        for path in entries:
            if not path.name.startswith(TEMP_PREFIX) or path.is_dir() and not path.is_symlink():
                continue
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
    return removed

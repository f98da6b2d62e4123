"""Each input file read in a child process of its own, with memory and time limits.

The workbook parser is native code (calamine, Rust): a file it cannot cope with
can make it allocate until the kernel kills the process, abort on a failed
allocation, or panic — none of which an ``except`` can catch, and each of
which would take the whole run down with it, summary.json and every other
file included. So every file is read in a forked child: the child sets
RLIMIT_AS (address space: :data:`MEMORY_LIMIT` beyond what it started with)
and RLIMIT_CPU (:data:`CPU_LIMIT`), redirects its stderr (a Rust panic line
goes to the -v log, never to the terminal), reads the file with
:func:`leadbook.read.read_file` and sends back the result. A child that dies,
runs out of memory or time, or sends nothing makes that file's status
``error``, with a message in words; the other files are read as usual.

The children are forked from the run before it holds any file's rows, and die
with it (:mod:`leadbook.lifeline`). Where processes cannot be forked (Windows,
macOS's default) files are read in this process, as before.

Measured cost (bench figures in the README): a fork, the pickled rows sent
back and unpickled here.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import resource
import signal
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from ..lifeline import die_with_parent
from ..model import SourceFile

log = logging.getLogger("leadbook")

# Address space a reading child may add to what it inherited: a 100,000-lead
# workbook is read in under 600 MB; the largest used area the extent check lets
# through (25 million cells) about 1 GB in the parser and as much in Python.
MEMORY_LIMIT = 3 << 30
# CPU seconds, and wall-clock seconds, a file may take: the 100,000-lead
# workbook takes about 2 s.
CPU_LIMIT = 120
WALL_LIMIT = 300


def can_isolate() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and hasattr(resource, "RLIMIT_AS")


def read_isolated(paths: Sequence[Path], reader: Callable[[Path], SourceFile],
                  jobs: int = 1) -> dict[Path, SourceFile]:
    """``reader(path)`` for every path, each in a child of its own, up to ``jobs`` at
    once, the largest files first."""
    ctx = multiprocessing.get_context("fork")
    pending = sorted(paths, key=lambda p: -_size(p))
    running: dict[Connection, tuple[Any, Path, Any, float]] = {}
    done: dict[Path, SourceFile] = {}
    run = os.getpid()
    while pending or running:
        while pending and len(running) < max(1, jobs):
            path = pending.pop(0)
            errors = tempfile.TemporaryFile()
            mine, theirs = ctx.Pipe(duplex=False)
            child = ctx.Process(target=_child, args=(reader, path, theirs, errors.fileno(), run),
                                name="leadbook-read", daemon=True)
            child.start()
            theirs.close()
            running[mine] = (child, path, errors, time.monotonic())
        ready = wait(list(running), timeout=1.0)
        for conn in ready:
            child, path, errors, _ = running.pop(conn)  # type: ignore[index]
            done[path] = _collect(conn, child, path, errors, reader)
        now = time.monotonic()
        for conn, (child, path, errors, started) in list(running.items()):
            if now - started > WALL_LIMIT:
                child.kill()
                running.pop(conn)
                done[path] = _collect(conn, child, path, errors, reader, timed_out=True)
    return done


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _child(reader: Callable[[Path], SourceFile], path: Path, conn: Connection, errors: int,
           run: int) -> None:
    die_with_parent(run)
    os.dup2(errors, 2)  # the parser's own words go to the -v log
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    _limit(resource.RLIMIT_AS, _address_space() + MEMORY_LIMIT)
    _limit(resource.RLIMIT_CPU, CPU_LIMIT)
    os.environ["RUST_BACKTRACE"] = "0"
    conn.send(reader(path))
    conn.close()


def _limit(which: int, value: int) -> None:
    soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    if soft == resource.RLIM_INFINITY or soft > value:
        try:
            resource.setrlimit(which, (value, hard))
        except (ValueError, OSError):
            log.debug("limit %s not set", which, exc_info=True)


def _address_space() -> int:
    """This process's virtual size now, in bytes (Linux: /proc; elsewhere 0)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) << 10
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _collect(conn: Connection, child: Any, path: Path, errors: Any,
             reader: Callable[[Path], SourceFile], timed_out: bool = False) -> SourceFile:
    result: SourceFile | None = None
    if not timed_out:
        try:
            result = conn.recv()
        except (EOFError, OSError):
            result = None
        except Exception:  # a result that does not unpickle: the child's failure
            log.debug("the reader of %s sent what could not be read", path, exc_info=True)
    conn.close()
    child.join()
    errors.seek(0)
    said = errors.read(64 << 10).decode("utf-8", "replace").strip()
    errors.close()
    if said:
        log.debug("reading %s: %s", path.name, said)
    if result is not None:
        return result
    code = child.exitcode
    log.debug("the reader of %s ended with exit code %s", path.name, code)
    src = SourceFile(path, path.name, "other")
    src.status = "error"
    if timed_out or code == -signal.SIGXCPU:
        src.message = (f"{path.name}: reading it took longer than leadbook allows a file "
                       f"({CPU_LIMIT} s), which no real workbook needs; it was stopped. Open it "
                       "in Excel or WPS, save it again, and check it holds only the tables")
    else:
        src.message = (f"{path.name}: could not be read: reading it needed more memory than "
                       f"leadbook allows a file ({MEMORY_LIMIT >> 30} GiB) or met damage the "
                       "workbook reader could not handle, and it was stopped. Open it in Excel "
                       "or WPS and save it again")
    return src


def extra_reader(extra: Mapping[str, Sequence[str]] | None) -> Callable[[Path], SourceFile]:
    from . import read_file

    def reader(path: Path) -> SourceFile:
        return read_file(path, path.name, extra)

    return reader

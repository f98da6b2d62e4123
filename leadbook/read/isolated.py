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

import contextlib
import logging
import os
import pickle
import resource
import selectors
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from ..lifeline import die_with_parent
from ..model import SourceFile
from ..texts import Words
from .file_words import FileWhy

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
    return hasattr(os, "fork") and hasattr(resource, "RLIMIT_AS") and sys.platform != "darwin"


@dataclass
class _Child:
    pid: int
    path: Path
    errors: Any  # the child's stderr, a temporary file
    started: float
    data: bytearray = field(default_factory=bytearray)


def read_isolated(paths: Sequence[Path], reader: Callable[[Path], SourceFile],
                  jobs: int = 1, on_done: Callable[[Path, SourceFile], None] | None = None,
                  meanwhile: Callable[[], None] | None = None,
                  stopped: Callable[[Path], Words | None] | None = None,
                  ) -> dict[Path, SourceFile]:
    """``reader(path)`` for every path, each in a child of its own, up to ``jobs`` at
    once, the largest files first. A child that stops without a result (killed by
    the memory limit, or aborted) fails its file with ``stopped(path)``, the
    file's own fault when that finds one, else with the limit it met.

    Children are forked with ``os.fork`` and send their result, pickled, down a
    pipe: multiprocessing's Process costs about 10 ms more a file, which at 200
    small files is two seconds.
    """
    _preload()
    pending = sorted(paths, key=lambda p: -_size(p))
    running: dict[int, _Child] = {}  # read end of the pipe → child
    done = _Done(on_done)
    run = os.getpid()
    with selectors.DefaultSelector() as selector:
        while pending or running:
            while pending and len(running) < max(1, jobs):
                path = pending.pop(0)
                errors = tempfile.TemporaryFile()
                read_end, write_end = os.pipe()
                try:
                    pid = os.fork()
                except OSError:  # no process to be had (a process limit): read it here
                    log.debug("no child to read %s in", path, exc_info=True)
                    for fd in (read_end, write_end):
                        os.close(fd)
                    errors.close()
                    done[path] = reader(path)
                    continue
                if pid == 0:  # the child: never returns
                    os.close(read_end)
                    _child(reader, path, write_end, errors.fileno(), run)
                os.close(write_end)
                running[read_end] = _Child(pid, path, errors, time.monotonic())
                selector.register(read_end, selectors.EVENT_READ)
            if meanwhile is not None:  # once, while the first children read
                later, meanwhile = meanwhile, None
                later()
            for key, _ in selector.select(timeout=1.0):
                fd = int(key.fd)
                chunk = os.read(fd, PIPE_CHUNK)
                if chunk:
                    running[fd].data += chunk
                    continue
                selector.unregister(fd)
                os.close(fd)
                child = running.pop(fd)
                done[child.path] = _collect(child, stopped=stopped)
            now = time.monotonic()
            for fd, child in list(running.items()):
                if now - child.started > WALL_LIMIT:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(child.pid, signal.SIGKILL)
                    selector.unregister(fd)
                    os.close(fd)
                    running.pop(fd)
                    done[child.path] = _collect(child, timed_out=True)
    return dict(done)


class _Done(dict[Path, SourceFile]):
    """The files read so far; ``on_done(path, file)`` is told of each as it comes."""

    def __init__(self, on_done: Callable[[Path, SourceFile], None] | None) -> None:
        super().__init__()
        self._on_done = on_done

    def __setitem__(self, path: Path, src: SourceFile) -> None:
        super().__setitem__(path, src)
        if self._on_done is not None:
            self._on_done(path, src)


PIPE_CHUNK = 1 << 20


def _preload() -> None:
    """Import here what the reader imports when it first needs it: else every child
    imports it again (python_calamine alone: 8 ms a file)."""
    import python_calamine  # noqa: F401
    from defusedxml import ElementTree  # noqa: F401

    from . import htmlgrid, textgrid  # noqa: F401


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


_IN_CHILD = [False]  # set in a reading child, right after the fork


def in_child() -> bool:
    """Whether this process is a reading child, which its parent outlives whatever
    the parser does."""
    return _IN_CHILD[0]


def _child(reader: Callable[[Path], SourceFile], path: Path, out: int, errors: int,
           run: int) -> NoReturn:
    code = 1
    _IN_CHILD[0] = True
    try:
        die_with_parent(run)
        os.dup2(errors, 2)  # the parser's own words go to the -v log
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        _limit(resource.RLIMIT_AS, _address_space() + MEMORY_LIMIT)
        _limit(resource.RLIMIT_CPU, CPU_LIMIT)
        os.environ["RUST_BACKTRACE"] = "0"
        data = pickle.dumps(reader(path), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(out, "wb", closefd=True) as fh:
            fh.write(data)
        code = 0
    except BaseException:  # the parent sees no result and says so
        with contextlib.suppress(BaseException):
            traceback.print_exc()
    finally:
        os._exit(code)  # no atexit handlers, no buffers of the parent flushed twice


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


def _collect(child: _Child, timed_out: bool = False,
             stopped: Callable[[Path], Words | None] | None = None) -> SourceFile:
    _, status = os.waitpid(child.pid, 0)
    code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    path = child.path
    child.errors.seek(0)
    said = child.errors.read(64 << 10).decode("utf-8", "replace").strip()
    child.errors.close()
    if said:
        log.info("reading %s: %s", path.name, said)  # the reader's own words: the -v log
    if not timed_out and code == 0 and child.data:
        try:
            result: SourceFile = pickle.loads(bytes(child.data))
            return result
        except Exception:  # a result that does not unpickle: the child's failure
            log.debug("the reader of %s sent what could not be read", path, exc_info=True)
    log.debug("the reader of %s ended with exit code %s", path.name, code)
    src = SourceFile(path, path.name, "other")
    src.status = "error"
    why: Words
    if timed_out or code == -signal.SIGXCPU:
        why = FileWhy.TOO_SLOW(limit=CPU_LIMIT)
    else:
        # the workbook's own fault (a sheet too large: the child checks it while the
        # parser reads), else the limit the child met
        why = (stopped(path) if stopped is not None else None) or FileWhy.READER_STOPPED(
            limit=MEMORY_LIMIT >> 30)
    src.note = FileWhy.FAILED(file=path.name, reason=why)
    return src

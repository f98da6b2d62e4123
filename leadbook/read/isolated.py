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

The result comes back as messages, each pickled by one pickler (so that a value
met again is sent once): the file with its sheets, then the rows of a large
lead sheet in parts of :data:`STREAM_ROWS`, then the end. The parts are
unpickled here as they come, and given to ``on_rows`` while the child pickles
the next: at 100,000 leads the run builds the sheet's records while the child
is still sending it, instead of after.

Measured cost (bench figures in the README): a fork, the pickled rows sent
back and unpickled here.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import pickle
import resource
import selectors
import signal
import struct
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from ..lifeline import die_with_parent
from ..model import SheetData, SheetKind, SourceFile
from ..texts import Words
from .file_words import FileWhy

if sys.platform != "win32":
    import fcntl

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


# Rows of a lead sheet per message: at 100,000 leads ten parts, each unpickled and
# made records of (about 0.07 s) while the child shares and pickles the next.
STREAM_ROWS = 10_000
_LENGTH = struct.Struct("<Q")  # each message's length, before it

OnRows = Callable[[SourceFile, SheetData, list[tuple[int, list[Any]]]], None]


class _Stream:
    """The messages of one child, unpickled as each comes in whole: the file (its
    sheets without the rows still to come), parts of a sheet's rows, the end."""

    def __init__(self, on_rows: OnRows | None) -> None:
        self.data = bytearray()
        self._message = io.BytesIO()
        self._unpickler = pickle.Unpickler(self._message)
        self.on_rows = on_rows
        self.src: SourceFile | None = None
        self.held: dict[int, list[tuple[int, list[Any]]]] = {}  # rows kept for no on_rows
        self.ended = False
        self.broken = False

    def feed(self, chunk: bytes) -> None:
        self.data += chunk
        while not self.broken and len(self.data) >= _LENGTH.size:
            (size,) = _LENGTH.unpack_from(self.data)
            end = _LENGTH.size + size
            if len(self.data) < end:
                return
            self._message.seek(0)
            self._message.truncate()
            self._message.write(self.data[_LENGTH.size:end])
            del self.data[:end]
            self._message.seek(0)
            try:
                self._take(self._unpickler.load())
            except Exception:  # what does not unpickle, or out of order: the child's failure
                log.debug("a reader sent what could not be read", exc_info=True)
                self.broken = True

    def _take(self, message: tuple[Any, ...]) -> None:
        if self.ended:
            raise ValueError("a message after the end")
        if message[0] == "file" and self.src is None:
            self.src = message[1]
        elif message[0] == "rows" and self.src is not None:
            sheet = self.src.sheets[message[1]]
            if self.on_rows is not None:
                self.on_rows(self.src, sheet, message[2])
            else:
                self.held.setdefault(message[1], []).extend(message[2])
        elif message[0] == "end" and self.src is not None:
            for k, rows in self.held.items():
                self.src.sheets[k].rows = rows
            self.ended = True
        else:
            raise ValueError(f"unexpected message {message[0]!r}")

    def result(self) -> SourceFile | None:
        return self.src if self.ended and not self.broken and not self.data else None


@dataclass
class _Child:
    pid: int
    path: Path
    errors: Any  # the child's stderr, a temporary file
    started: float
    stream: _Stream = field(default_factory=lambda: _Stream(None))


def read_isolated(paths: Sequence[Path], reader: Callable[[Path], SourceFile],
                  jobs: int = 1, on_done: Callable[[Path, SourceFile], None] | None = None,
                  meanwhile: Callable[[], None] | None = None,
                  stopped: Callable[[Path], Words | None] | None = None,
                  on_rows: OnRows | None = None,
                  ) -> dict[Path, SourceFile]:
    """``reader(path)`` for every path, each in a child of its own, up to ``jobs`` at
    once, the largest files first. A child that stops without a result (killed by
    the memory limit, or aborted) fails its file with ``stopped(path)``, the
    file's own fault when that finds one, else with the limit it met.

    ``on_rows(file, sheet, rows)`` is given the rows of a large lead sheet part
    by part as they come (the sheet's ``rows`` then stay empty), before
    ``on_done(path, file)`` is told of the whole file; without it the parts are
    put back together.

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
                _widen(write_end)
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
                running[read_end] = _Child(pid, path, errors, time.monotonic(),
                                           _Stream(on_rows))
                selector.register(read_end, selectors.EVENT_READ)
            if meanwhile is not None:  # once, while the first children read
                later, meanwhile = meanwhile, None
                later()
            for key, _ in selector.select(timeout=1.0):
                fd = int(key.fd)
                chunk = os.read(fd, PIPE_CHUNK)
                if chunk:
                    running[fd].stream.feed(chunk)
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


def _widen(fd: int) -> None:
    """A pipe that holds a part of a lead sheet (about 600 kB at 10,000 rows) whole,
    where the system allows (Linux): the child then goes on to the next part while
    this process takes the last, instead of handing it over 64 kB at a time."""
    if sys.platform != "win32" and hasattr(fcntl, "F_SETPIPE_SZ"):
        with contextlib.suppress(OSError):
            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_CHUNK)


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
        src = reader(path)
        with os.fdopen(out, "wb", closefd=True) as fh:
            _send(src, fh)
        code = 0
    except BaseException:  # the parent sees no result and says so
        with contextlib.suppress(BaseException):
            traceback.print_exc()
    finally:
        os._exit(code)  # no atexit handlers, no buffers of the parent flushed twice


def _send(src: SourceFile, fh: Any) -> None:
    """The file as messages (see the module's words), its values shared as they go:
    the rows of a large lead sheet in parts, so that the run works on each while
    this process shares and pickles the next."""
    from .grid import share_values

    shared: dict[Any, Any] = {}
    later: list[tuple[int, list[tuple[int, list[Any]]]]] = []
    for k, sheet in enumerate(src.sheets):
        if sheet.kind is SheetKind.LEADS and len(sheet.rows) > STREAM_ROWS:
            later.append((k, sheet.rows))
            sheet.rows = []
        else:
            share_values(sheet.rows, shared)
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)

    def send(message: tuple[Any, ...]) -> None:
        pickler.dump(message)
        data = buffer.getvalue()
        fh.write(_LENGTH.pack(len(data)))
        fh.write(data)
        fh.flush()
        buffer.seek(0)
        buffer.truncate()

    send(("file", src))
    for k, rows in later:
        for start in range(0, len(rows), STREAM_ROWS):
            part = rows[start:start + STREAM_ROWS]
            share_values(part, shared)
            send(("rows", k, part))
    send(("end",))


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
    result = child.stream.result()
    if not timed_out and code == 0 and result is not None:
        return result
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

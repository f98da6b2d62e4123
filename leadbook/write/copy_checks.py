"""What an annotated copy must be before it is renamed into place (domain.md §8, §9).

- Its added columns fit in the sheet: Excel's last column is XFD (16,384), so a
  sheet whose values reach past XFD minus the five added columns gets no copy,
  with a message naming the sheet, rather than cells no program can show.
- Every part it patched or added is well-formed XML without a document type:
  each is parsed back (expat, streamed, no DTD, no entities) before the copy is
  written, and so is every XML part it copies as it was (a damaged docProps
  part the workbook reader never looks at makes a copy openpyxl cannot open).
  A copy that fails is an error for that file, never a broken file in OUT
  (fuzzing found patched sheets with a doubled attribute).

A large patched part is parsed back by a child process (:class:`Parsed` with
``elsewhere``): expat holds the interpreter's lock, so in a thread it would
take its second from the patching, while in a process of its own it reads the
part from a pipe on the other core. A child that cannot start or stops on the
way leaves the part to be inflated and parsed here, as a copied part is.
"""

from __future__ import annotations

import contextlib
import os
import queue
import subprocess
import sys
import threading
import zlib
from collections.abc import Iterable
from typing import IO
from xml.parsers import expat

from ..excel import column_letter
from ..model import OutputError
from .output_words import OutputWhy

if sys.platform != "win32":
    import fcntl

EXCEL_COLUMNS = 16_384  # A … XFD
PARSE_CHUNK = 1 << 20
# A patched part this large is parsed back in a child (100,000 rows: about 90 MB,
# a second of expat); below it, a child's start would cost more than it saves.
ELSEWHERE_BYTES = 16 << 20


def check_room(file: str, sheet: str, width: int, added: int) -> None:
    """Raise OutputError when ``added`` columns after ``width`` would pass XFD."""
    if width + added > EXCEL_COLUMNS:
        last = column_letter(width - 1) if width else "A"
        raise OutputError(OutputWhy.NO_ROOM(file=file, sheet=sheet, last=last, added=added))


class _Doctype(Exception):
    pass


def _refuse_doctype(*_args: object) -> None:
    raise _Doctype


def _parser() -> expat.XMLParserType:
    """An expat parser that refuses a document type and entity declarations."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    return parser


def check_well_formed(file: str, part: str, chunks: Iterable[bytes],
                      patched: bool = True) -> None:
    """Raise OutputError unless the part's bytes parse as XML with no document type.

    ``patched`` says whose the part is: leadbook's patch, or the input's own
    part copied as it was (a damaged one the workbook reader got past)."""
    parser = _parser()
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except (_Doctype, expat.ExpatError) as exc:
        raise _refusal(file, part, exc, patched) from None


def _refusal(file: str, part: str, exc: BaseException, patched: bool) -> OutputError:
    """Why a part fails the check, in words."""
    if isinstance(exc, _Doctype):
        return OutputError(OutputWhy.DOCTYPE(file=file, part=part))
    assert isinstance(exc, expat.ExpatError)
    return _failed_at(file, part, exc.code, exc.lineno, patched)


def _failed_at(file: str, part: str, code: int, line: int, patched: bool) -> OutputError:
    where = f"{expat.ErrorString(code)}, line {line}"
    if not patched:
        return OutputError(OutputWhy.DAMAGED_PART(file=file, part=part, where=where))
    return OutputError(OutputWhy.BAD_PATCH(file=file, part=part, where=where))


# The child's program: the part's bytes on stdin, one line of verdict on stdout,
# "ok", "doctype" or "error <code> <line>". Run with -I: nothing of leadbook or of
# the environment is imported, only the parser.
_CHECKER = """
import sys
from xml.parsers import expat

class Doctype(Exception):
    pass

def refuse(*args):
    raise Doctype

parser = expat.ParserCreate()
parser.StartDoctypeDeclHandler = refuse
parser.EntityDeclHandler = refuse
parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
read = sys.stdin.buffer.read
verdict = "ok"
try:
    while chunk := read(1 << 20):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)
except Doctype:
    verdict = "doctype"
except expat.ExpatError as exc:
    verdict = f"error {exc.code} {exc.lineno}"
while read(1 << 20):  # the rest, so that the writer is never left blocked
    pass
sys.stdout.write(verdict)
"""


def _checker() -> subprocess.Popen[bytes] | None:
    """The child that parses a part back, or None where it cannot be started."""
    try:
        child = subprocess.Popen([sys.executable, "-I", "-c", _CHECKER],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL)
    except (OSError, ValueError):
        return None
    if sys.platform != "win32" and hasattr(fcntl, "F_SETPIPE_SZ") and child.stdin is not None:
        # a megabyte in the pipe (Linux), so the patching runs ahead of the parser
        with contextlib.suppress(OSError):
            fcntl.fcntl(child.stdin.fileno(), fcntl.F_SETPIPE_SZ, PARSE_CHUNK)
    return child


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class Parsed:
    """A part's bytes parsed as they go by (:meth:`through`), for a part leadbook
    writes: the same check as :func:`check_well_formed` without inflating the
    deflated part again (at 100,000 rows a quarter of a second). :meth:`verdict`
    raises what check_well_formed would.

    With ``elsewhere`` (a part of :data:`ELSEWHERE_BYTES` or more, and a second
    core) the bytes go down a pipe to a child that parses them; :attr:`known` is
    false when the child could not give its verdict, and the caller checks the
    written part itself."""

    def __init__(self, part: str, elsewhere: bool = False) -> None:
        self.part = part
        self.failed: BaseException | None = None
        self.known = True
        self.child = _checker() if elsewhere and _cores() > 1 else None
        self.parser = _parser() if self.child is None else None
        self._said = ""

    def through(self, chunks: Iterable[bytes]) -> Iterable[bytes]:
        if self.child is not None:
            yield from self._through_child(chunks, self.child)
            return
        assert self.parser is not None
        parse = self.parser.Parse
        for chunk in chunks:
            if self.failed is None:
                try:
                    parse(chunk, False)
                except (_Doctype, expat.ExpatError) as exc:
                    self.failed = exc
            yield chunk
        if self.failed is None:
            try:
                parse(b"", True)
            except (_Doctype, expat.ExpatError) as exc:
                self.failed = exc

    def _through_child(self, chunks: Iterable[bytes],
                       child: subprocess.Popen[bytes]) -> Iterable[bytes]:
        # The bytes go down the pipe from a thread: a write waits (without the
        # interpreter's lock) until the child has read what the pipe holds, while
        # the patching goes on, up to AHEAD_CHUNKS chunks ahead of the child.
        ahead: queue.Queue[bytes | None] = queue.Queue(maxsize=AHEAD_CHUNKS)
        feeder = threading.Thread(target=_feed, args=(ahead, child.stdin),
                                  name="leadbook-check", daemon=True)
        feeder.start()
        try:
            for chunk in chunks:
                ahead.put(chunk)
                yield chunk
        finally:
            ahead.put(None)
            feeder.join()
            self._said = self._hear(child)

    @staticmethod
    def _hear(child: subprocess.Popen[bytes]) -> str:
        """The child's verdict ("" when it gave none), the child ended."""
        try:
            said, _ = child.communicate(timeout=60)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            child.kill()
            child.wait()
            return ""
        return said.decode("ascii", "replace") if child.returncode == 0 else ""

    def verdict(self, file: str) -> None:
        if self.child is not None:
            said = self._said.split()
            if said == ["doctype"]:
                raise OutputError(OutputWhy.DOCTYPE(file=file, part=self.part))
            if len(said) == 3 and said[0] == "error" and said[1].isdigit() \
                    and said[2].isdigit():
                raise _failed_at(file, self.part, int(said[1]), int(said[2]), True)
            if said != ["ok"]:
                self.known = False
            return
        if self.failed is not None:
            raise _refusal(file, self.part, self.failed, True) from None


# How many patched chunks (each a megabyte or two) may wait for the child that parses
# them back: the patching is not held up by the child's pace, for a few megabytes.
AHEAD_CHUNKS = 8


def _feed(ahead: queue.Queue[bytes | None], pipe: IO[bytes] | None) -> None:
    """Write what comes into the pipe until None comes; after a failed write (the
    child stopped: its verdict is unknown) the rest is taken and dropped."""
    while (chunk := ahead.get()) is not None:
        if pipe is None:
            continue
        try:
            pipe.write(chunk)
        except (OSError, ValueError):
            pipe = None


def inflated(parts: Iterable[bytes]) -> Iterable[bytes]:
    """Raw-deflate pieces inflated again, chunk by chunk."""
    inflater = zlib.decompressobj(-15)
    for piece in parts:
        for start in range(0, len(piece), PARSE_CHUNK):
            out = inflater.decompress(piece[start:start + PARSE_CHUNK])
            if out:
                yield out
    tail = inflater.flush()
    if tail:
        yield tail

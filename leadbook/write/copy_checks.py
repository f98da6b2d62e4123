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
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from xml.parsers import expat

from ..excel import column_letter
from ..model import OutputError
from .output_words import OutputWhy

EXCEL_COLUMNS = 16_384  # A … XFD
PARSE_CHUNK = 1 << 20


def check_room(file: str, sheet: str, width: int, added: int) -> None:
    """Raise OutputError when ``added`` columns after ``width`` would pass XFD."""
    if width + added > EXCEL_COLUMNS:
        last = column_letter(width - 1) if width else "A"
        raise OutputError(OutputWhy.NO_ROOM(file=file, sheet=sheet, last=last, added=added))


class _Doctype(Exception):
    pass


def _refuse_doctype(*_args: object) -> None:
    raise _Doctype


def check_well_formed(file: str, part: str, chunks: Iterable[bytes],
                      patched: bool = True) -> None:
    """Raise OutputError unless the part's bytes parse as XML with no document type.

    ``patched`` says whose the part is: leadbook's patch, or the input's own
    part copied as it was (a damaged one the workbook reader got past)."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
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
    where = f"{expat.ErrorString(exc.code)}, line {exc.lineno}"
    if not patched:
        return OutputError(OutputWhy.DAMAGED_PART(file=file, part=part, where=where))
    return OutputError(OutputWhy.BAD_PATCH(file=file, part=part, where=where))


class Parsed:
    """A part's bytes parsed as they go by (:meth:`through`), for a part leadbook
    writes: the same check as :func:`check_well_formed` without inflating the
    deflated part again (at 100,000 rows a quarter of a second). :meth:`verdict`
    raises what check_well_formed would."""

    def __init__(self, part: str) -> None:
        self.part = part
        self.failed: BaseException | None = None
        self.parser = expat.ParserCreate()
        self.parser.StartDoctypeDeclHandler = _refuse_doctype
        self.parser.EntityDeclHandler = _refuse_doctype
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def through(self, chunks: Iterable[bytes]) -> Iterable[bytes]:
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

    def verdict(self, file: str) -> None:
        if self.failed is not None:
            raise _refusal(file, self.part, self.failed, True) from None


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

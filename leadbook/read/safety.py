"""Refuse zip bombs before anything is inflated (domain.md §9).

Only the zip's central directory is read: every part's declared sizes.
Measured on a 100,000-row × 14-column lead workbook written by XlsxWriter:
its parts inflate to 72 MB in all (inline strings; 51 MB with shared
strings), the sheet at 9:1; a sheet of 1.4 million formatted blank cells
inflates at 12:1. Deflate cannot pass about 1030:1, which is what a bomb of
zeros reaches. The bounds leave seven times the room of that workbook and a
sixteen-fold margin on the ratio, while a 1 GiB bomb fails two of them.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

from ..model import FileError

MAX_TOTAL = 512 << 20  # inflated size of all parts together
MAX_MEMBERS = 10_000
MAX_RATIO = 200  # inflated : compressed, for parts larger than RATIO_FLOOR
RATIO_FLOOR = 1 << 20
# A deflated part never shrinks by more than deflate's own framing when it is
# declared smaller than it is stored: a larger gap means the directory lies.
FRAMING_SLACK = 1 << 10


def _size(n: float) -> str:
    if n >= 1 << 30:
        return f"{n / (1 << 30):.1f} GiB"
    return f"{n / (1 << 20):.1f} MiB"


def _refuse(path: Path, what: str, inflated: int, packed: int) -> FileError:
    ratio = inflated / max(packed, 1)
    return FileError(
        path,
        f"refused: {what} would inflate to {_size(inflated)} (ratio {ratio:.0f}:1), "
        "which is not a real workbook",
    )


def check_zip(path: Path) -> None:
    """Raise FileError when the zip is damaged or would inflate past a sane bound."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
            NotImplementedError) as exc:  # NotImplementedError: "zip file version 20.8"
        raise FileError(
            path, f"not a readable workbook: the file is damaged or incomplete ({exc})"
        ) from exc
    if len(infos) > MAX_MEMBERS:
        raise FileError(
            path, f"refused: it holds {len(infos):,} parts, which is not a real workbook"
        )
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL:
        raise _refuse(path, "its parts", total, sum(i.compress_size for i in infos))
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * info.compress_size:
            raise _refuse(path, f"its part {info.filename}", info.file_size, info.compress_size)
        if (
            info.compress_type != zipfile.ZIP_STORED
            and info.compress_size > info.file_size + info.file_size // 100 + FRAMING_SLACK
        ):
            raise FileError(
                path,
                f"refused: its part {info.filename} is stored in {info.compress_size:,} bytes "
                f"but declared to hold {info.file_size:,}; the zip directory does not add up",
            )

    check_document_types(path)


PROLOG_BYTES = 64 << 10
XML_SUFFIXES = (".xml", ".rels", ".vml")
# What may stand before an XML part's root element without declaring anything.
_PROLOG = re.compile(r"(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.DOTALL)
_ELEMENT = re.compile(r"<[^\W\d]")


def check_document_types(path: Path) -> None:
    """Refuse a package whose XML parts declare a document type.

    Excel, WPS and LibreOffice never write one; a ``<!DOCTYPE>`` is where
    entities are declared (an external file pulled into a cell, or a
    billion-laughs expansion). No part of such a package is parsed, and no
    output can carry the declaration on.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if not info.filename.lower().endswith(XML_SUFFIXES):
                    continue
                with zf.open(info) as fh:
                    head = fh.read(PROLOG_BYTES)
                what = _prolog_problem(head, full=len(head) < PROLOG_BYTES)
                if what:
                    raise FileError(path, f"refused: its part {info.filename} {what}; Excel, "
                                          "WPS and LibreOffice never write that")
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError,
            RuntimeError, zlib.error) as exc:
        if isinstance(exc, FileError):
            raise
        return  # a damaged part: the workbook parser gives its own message


def _prolog_problem(head: bytes, full: bool) -> str | None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", "replace")
    else:
        text = head.decode("utf-8", "replace").lstrip("\ufeff")
    rest = text[_PROLOG.match(text).end():]  # type: ignore[union-attr]
    if rest.startswith("<!DOCTYPE") or rest.startswith("<!doctype"):
        return "declares a document type (DOCTYPE), where XML entities are declared"
    if not full and not _ELEMENT.match(rest):  # the prolog runs past what was read
        return f"opens with more than {PROLOG_BYTES >> 10} KiB before its first element"
    return None

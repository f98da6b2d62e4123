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

import logging
import re
import zipfile
import zlib
from pathlib import Path

from ..model import FileError
from ..texts import Words
from .file_words import FileWhy

log = logging.getLogger("leadbook")

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


def _refuse(path: Path, what: Words, inflated: int, packed: int) -> FileError:
    ratio = inflated / max(packed, 1)
    return FileError(path, FileWhy.INFLATES(what=what, size=_size(inflated), ratio=f"{ratio:.0f}"))


def check_zip(path: Path) -> None:
    """Raise FileError when the zip is damaged or would inflate past a sane bound."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
            NotImplementedError) as exc:  # NotImplementedError: "zip file version 20.8"
        log.info("%s: zipfile: %s", path, exc)  # library text: the -v log only
        raise FileError(path, FileWhy.ZIP_DAMAGED) from exc
    if len(infos) > MAX_MEMBERS:
        raise FileError(path, FileWhy.TOO_MANY_PARTS(count=f"{len(infos):,}"))
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL:
        raise _refuse(path, FileWhy.ALL_PARTS, total, sum(i.compress_size for i in infos))
    for info in infos:
        unsafe = _unsafe_entry(info)
        if unsafe:
            raise FileError(path, FileWhy.UNSAFE_ENTRY(name=repr(info.filename), unsafe=unsafe))
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * info.compress_size:
            raise _refuse(path, FileWhy.ONE_PART(part=info.filename), info.file_size,
                          info.compress_size)
        if (
            info.compress_type != zipfile.ZIP_STORED
            and info.compress_size > info.file_size + info.file_size // 100 + FRAMING_SLACK
        ):
            raise FileError(path, FileWhy.SIZE_MISMATCH(
                part=info.filename, stored=f"{info.compress_size:,}",
                declared=f"{info.file_size:,}"))

    check_document_types(path)


# Where a zip entry's name could lead outside the package, or what it could be
# besides a part: an OPC package's part names are relative, slash-separated and
# free of "." and ".." segments (ECMA-376 Part 2, 6.2.2 Part names).
_DRIVE = re.compile(r"^[A-Za-z]:")
S_IFMT, S_IFREG, S_IFDIR = 0o170000, 0o100000, 0o040000


def _unsafe_entry(info: zipfile.ZipInfo) -> Words | None:
    name = info.filename
    if name.startswith("/") or _DRIVE.match(name):
        return FileWhy.ABSOLUTE_NAME
    if "\\" in name:
        return FileWhy.BACKSLASH
    if any(seg in (".", "..") for seg in name.split("/")):
        return FileWhy.CLIMBS_OUT
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return FileWhy.OTHER_METHOD(method=info.compress_type)
    if info.flag_bits & 0x1:
        return FileWhy.ZIP_ENCRYPTED
    mode = info.external_attr >> 16
    if info.create_system == 3 and mode & S_IFMT not in (0, S_IFREG, S_IFDIR):
        return FileWhy.SPECIAL_FILE
    return None


PROLOG_BYTES = 64 << 10
# The encodings an XML part may be in (XML 1.0, appendix F: autodetection
# without a byte-order mark, from how "<" is stored).
_BOM_ENCODINGS = ((b"\xef\xbb\xbf", "utf-8"), (b"\x00\x00\xfe\xff", "utf-32-be"),
                  (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\xfe\xff", "utf-16-be"),
                  (b"\xff\xfe", "utf-16-le"))
# Without one: where the NUL bytes of the first character fall (slice, bytes).
_NO_BOM_NULS = (((1, 4), b"\x00\x00\x00", "utf-32-le"), ((0, 3), b"\x00\x00\x00", "utf-32-be"),
                ((1, 2), b"\x00", "utf-16-le"), ((0, 1), b"\x00", "utf-16-be"))
# What may stand before an XML part's root element without declaring anything.
_PROLOG = re.compile(r"(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.DOTALL)
_ELEMENT = re.compile(r"<[^\W\d]")
_DOCTYPE = re.compile(r"<!doctype", re.IGNORECASE)


def check_document_types(path: Path) -> None:
    """Refuse a package any part of which declares a document type.

    Excel, WPS and LibreOffice never write one; a ``<!DOCTYPE>`` is where
    entities are declared (an external file pulled into a cell, or a
    billion-laughs expansion). No part of such a package is parsed, and no
    output can carry the declaration on. Every part is looked at, whatever
    its name: one that reads as XML in any of XML's encodings (with or without
    a byte-order mark) is checked, the keyword in any case. A part that cannot
    be inflated (a wrong checksum) makes the package damaged; the sheets and
    shared strings, read to their end by the extent check, are checked there.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if info.is_dir():
                    continue
                try:
                    with zf.open(info) as fh:  # a small part is checked to its checksum
                        head = fh.read(PROLOG_BYTES)
                except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
                    log.info("%s: %s: %s", path, info.filename, exc)  # library text: the log
                    raise FileError(path, FileWhy.PART_DAMAGED(part=info.filename)) from None
                what = _prolog_problem(head, full=len(head) < PROLOG_BYTES)
                if what:
                    raise FileError(path, FileWhy.PART_PROLOG(part=info.filename, what=what))
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
        if isinstance(exc, FileError):
            raise
        return  # an encrypted or unsupported part: the workbook parser gives its own message


def xml_text(head: bytes) -> str | None:
    """The start of a part as text when it is XML in one of XML's encodings, else None."""
    for bom, encoding in _BOM_ENCODINGS:
        if head.startswith(bom):
            text = _decode(head[len(bom):], encoding)
            break
    else:
        for (start, end), nuls, encoding in _NO_BOM_NULS:
            if head[start:end] == nuls:
                text = _decode(head, encoding)
                break
        else:
            text = head.decode("utf-8", "replace")
    return text if text.lstrip(" \t\r\n").startswith("<") else None


def _decode(data: bytes, encoding: str) -> str:
    width = 4 if "32" in encoding else 2 if "16" in encoding else 1
    return data[: len(data) // width * width].decode(encoding, "replace")


def _prolog_problem(head: bytes, full: bool) -> Words | None:
    text = xml_text(head)
    if text is None:
        return None  # not XML: an image, a VBA project, a printer setting
    rest = text[_PROLOG.match(text).end():]  # type: ignore[union-attr]
    if _DOCTYPE.match(rest):
        return FileWhy.DOCTYPE
    if not full and not _ELEMENT.match(rest):  # the prolog runs past what was read
        return FileWhy.LONG_PROLOG(kib=PROLOG_BYTES >> 10)
    return None

"""Copy a workbook package member by member, the untouched ones byte for byte.

An .xlsx is a zip. The annotated copy changes a few parts and keeps every other
part exactly as the user's program wrote it: those members are copied with
their compressed bytes, compression method, date and attributes, never
inflated and deflated again. Changed and new parts are deflated here.

Only what a workbook package needs is written: no encryption, no zip64 (a
package of 4 GiB is far beyond anything leadbook reads).
"""

from __future__ import annotations

import queue
import struct
import threading
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, BinaryIO

from ..model import OutputError
from .output_words import OutputWhy

LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
CENTRAL_HEADER = struct.Struct("<IHHHHHHIIIHHHHHII")
END_RECORD = struct.Struct("<IHHHHIIH")
LOCAL_SIG, CENTRAL_SIG, END_SIG = 0x04034B50, 0x02014B50, 0x06054B50
LIMIT_32 = 0xFFFFFFFF
DATA_DESCRIPTOR_FLAG = 0x08
UTF8_FLAG = 0x800
COPY_CHUNK = 1 << 20
DEFLATE_BATCH = 1 << 20


@dataclass
class Deflated:
    """A member's content, deflated (raw deflate, no zlib header)."""

    parts: list[bytes]
    crc: int
    usize: int


# A part over a megabyte (a sheet of a few thousand rows) is deflated as fast as can
# be: a fifth of the time or less for a file about a third bigger than zlib's
# default level makes (a store's week of 5,000 leads: 0.01 s against 0.04 s).
BIG_PART_BYTES = 1 << 20
# A large part is deflated by ISA-L (python-isal) at its level 2 where it is
# installed: an 88 MB sheet in 0.12 s to 14.2 MB, against 0.53 s to 14.9 MB at
# zlib's fastest level, which is what is used without it.
ISAL_FAST_LEVEL = 2
ZLIB_FAST_LEVEL = 1


def _compressor(level: int, fast: bool) -> Any:
    """A raw-deflate compressor: zlib's at ``level``, or with ``fast`` the fastest one
    there is."""
    if fast:
        try:
            from isal import isal_zlib
        except ImportError:  # a platform without its wheel: zlib's fastest level
            return zlib.compressobj(ZLIB_FAST_LEVEL, zlib.DEFLATED, -15)
        return isal_zlib.compressobj(ISAL_FAST_LEVEL, isal_zlib.DEFLATED, -15)
    return zlib.compressobj(level, zlib.DEFLATED, -15)


def deflate(chunks: Iterable[bytes], level: int = 6, fast: bool = False) -> Deflated:
    """Deflate a stream of chunks in memory (a sheet of 60 MB deflates to about 6 MB),
    at zlib's ``level``, or as fast as can be (``fast``: a sheet part of megabytes).

    zlib runs in a second thread (it releases the GIL), so producing the chunks
    and compressing them overlap. The chunks go over in batches of a megabyte:
    each hand-over costs the worker a wait for the GIL, and a sheet of a few MB
    still has its first batches deflated while the rest is being patched.
    """
    compressor = _compressor(level, fast)
    parts: list[bytes] = []
    failed: list[BaseException] = []
    pending: queue.Queue[bytes | None] = queue.Queue(maxsize=2)

    def work() -> None:
        while (batch := pending.get()) is not None:
            if not failed:
                try:
                    parts.append(compressor.compress(batch))
                except BaseException as exc:  # handed to the caller below
                    failed.append(exc)

    worker = threading.Thread(target=work, name="leadbook-deflate", daemon=True)
    worker.start()
    crc = usize = size = 0
    batch: list[bytes] = []
    try:
        for chunk in chunks:
            crc = zlib.crc32(chunk, crc)
            usize += len(chunk)
            batch.append(chunk)
            size += len(chunk)
            if size >= DEFLATE_BATCH:
                pending.put(b"".join(batch))
                batch, size = [], 0
        if batch:
            pending.put(b"".join(batch))
    finally:
        pending.put(None)
        worker.join()
    if failed:
        raise failed[0]
    parts.append(compressor.flush())
    return Deflated(parts, crc, usize)


@dataclass(slots=True)
class _Entry:
    name: bytes
    flags: int
    method: int
    dostime: int
    dosdate: int
    crc: int
    csize: int
    usize: int
    offset: int
    made_by: int
    needed: int
    internal_attr: int
    external_attr: int


def _dos_time(date_time: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    year = min(max(year, 1980), 2107)
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day


def _name_bytes(info: zipfile.ZipInfo) -> bytes:
    if info.flag_bits & UTF8_FLAG:
        return info.orig_filename.encode("utf-8")
    try:
        return info.orig_filename.encode("cp437")
    except UnicodeEncodeError:
        return info.orig_filename.encode("utf-8")


class PackageWriter:
    """Writes a zip to ``out`` one member after the other, then its directory."""

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self._entries: list[_Entry] = []
        self._names: set[str] = set()

    def _check(self, *figures: int) -> None:
        if any(f > LIMIT_32 for f in figures) or len(self._entries) >= 0xFFFF:
            raise OutputError(OutputWhy.TOO_LARGE)

    def _header(self, entry: _Entry) -> None:
        self._check(entry.offset, entry.csize, entry.usize)
        name = entry.name
        self._out.write(LOCAL_HEADER.pack(
            LOCAL_SIG, entry.needed, entry.flags, entry.method, entry.dostime, entry.dosdate,
            entry.crc, entry.csize, entry.usize, len(name), 0))
        self._out.write(name)

    def copy(self, source: BinaryIO, info: zipfile.ZipInfo) -> None:
        """Copy one member of an open zip (``source`` is its file) without inflating it."""
        if info.flag_bits & 0x1:
            raise OutputError(OutputWhy.ENCRYPTED_PART(part=info.filename))
        source.seek(info.header_offset)
        head = source.read(LOCAL_HEADER.size)
        fields = LOCAL_HEADER.unpack(head)
        if fields[0] != LOCAL_SIG:
            raise OutputError(OutputWhy.DAMAGED_MEMBER(part=info.filename))
        source.seek(info.header_offset + LOCAL_HEADER.size + fields[9] + fields[10])
        dostime, dosdate = _dos_time(info.date_time)
        entry = _Entry(
            name=_name_bytes(info), flags=info.flag_bits & ~DATA_DESCRIPTOR_FLAG,
            method=info.compress_type, dostime=dostime, dosdate=dosdate, crc=info.CRC,
            csize=info.compress_size, usize=info.file_size, offset=self._out.tell(),
            made_by=(info.create_system << 8) | info.create_version,
            needed=info.extract_version, internal_attr=info.internal_attr,
            external_attr=info.external_attr)
        self._header(entry)
        left = info.compress_size
        while left:
            block = source.read(min(left, COPY_CHUNK))
            if not block:
                raise OutputError(OutputWhy.CUT_SHORT(part=info.filename))
            self._out.write(block)
            left -= len(block)
        self._add(entry)

    def write(self, name: str, data: Deflated | bytes,
              like: zipfile.ZipInfo | None = None) -> None:
        """Store a member (deflated here unless it already is); ``like`` lends its date etc."""
        if isinstance(data, bytes):
            data = deflate([data])
        parts, crc, usize = data.parts, data.crc, data.usize
        date_time = like.date_time if like else (1980, 1, 1, 0, 0, 0)
        dostime, dosdate = _dos_time(date_time)
        encoded = name.encode("utf-8")
        flags = 0 if encoded.isascii() else UTF8_FLAG
        entry = _Entry(
            name=encoded, flags=flags, method=zipfile.ZIP_DEFLATED, dostime=dostime,
            dosdate=dosdate, crc=crc, csize=sum(len(p) for p in parts), usize=usize,
            offset=self._out.tell(),
            made_by=((like.create_system << 8) | like.create_version) if like else 20,
            needed=20, internal_attr=like.internal_attr if like else 0,
            external_attr=like.external_attr if like else 0)
        self._header(entry)
        for part in parts:
            self._out.write(part)
        self._add(entry)

    def _add(self, entry: _Entry) -> None:
        name = entry.name.decode("utf-8", "replace")
        if name in self._names:
            raise OutputError(OutputWhy.WRITTEN_TWICE(part=name))
        self._names.add(name)
        self._entries.append(entry)

    def close(self) -> None:
        start = self._out.tell()
        for e in self._entries:
            self._out.write(CENTRAL_HEADER.pack(
                CENTRAL_SIG, e.made_by, e.needed, e.flags, e.method, e.dostime, e.dosdate,
                e.crc, e.csize, e.usize, len(e.name), 0, 0, 0, e.internal_attr,
                e.external_attr, e.offset))
            self._out.write(e.name)
        size = self._out.tell() - start
        self._check(start, size)
        count = len(self._entries)
        self._out.write(END_RECORD.pack(END_SIG, 0, 0, count, count, size, start, 0))

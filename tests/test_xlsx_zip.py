"""The copies' deflate (leadbook.write.xlsx_zip.deflate): zlib at a level, or a large
part as fast as can be, ISA-L where it is installed and zlib's fastest level
where it is not; either way raw deflate that any zip reader inflates."""

from __future__ import annotations

import builtins
import io
import zipfile
import zlib
from typing import Any

import pytest

from leadbook.write import xlsx_zip
from leadbook.write.xlsx_zip import PackageWriter, deflate

ROWS = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>\xe5\xae\xa2\xe6\x88\xb7%d</t>'
                b"</is></c></row>" % (i, i, i * 7919 % 1000) for i in range(1, 40_000))


def _zip_of(data: xlsx_zip.Deflated) -> bytes:
    out = io.BytesIO()
    writer = PackageWriter(out)
    writer.write("xl/worksheets/sheet1.xml", data)
    writer.close()
    return out.getvalue()


def _without_isal(monkeypatch: pytest.MonkeyPatch) -> None:
    real = builtins.__import__

    def refuse(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "isal" or name.startswith("isal."):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", refuse)


@pytest.mark.parametrize("way", ["level 6", "fast", "fast without ISA-L"])
def test_every_way_of_deflating_gives_the_bytes_back(
        way: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if way == "fast without ISA-L":
        _without_isal(monkeypatch)
    chunks = [ROWS[i:i + 65_536] for i in range(0, len(ROWS), 65_536)]
    data = deflate(chunks, fast=way != "level 6")
    assert data.usize == len(ROWS) and data.crc == zlib.crc32(ROWS)
    assert zlib.decompress(b"".join(data.parts), -15) == ROWS
    with zipfile.ZipFile(io.BytesIO(_zip_of(data))) as zf:
        assert zf.testzip() is None
        assert zf.read("xl/worksheets/sheet1.xml") == ROWS


def test_a_large_part_is_deflated_by_isal_where_it_is_installed(
        monkeypatch: pytest.MonkeyPatch) -> None:
    isal_zlib = pytest.importorskip("isal.isal_zlib")
    fast = xlsx_zip._compressor(6, fast=True)
    assert type(fast) is type(isal_zlib.compressobj(2, isal_zlib.DEFLATED, -15))
    # the same bytes as ISA-L's own level 2 makes
    ours = deflate([ROWS], fast=True)
    theirs = isal_zlib.compressobj(xlsx_zip.ISAL_FAST_LEVEL, isal_zlib.DEFLATED, -15)
    assert b"".join(ours.parts) == theirs.compress(ROWS) + theirs.flush()
    _without_isal(monkeypatch)
    plain = xlsx_zip._compressor(6, fast=True)
    assert type(plain) is type(zlib.compressobj())
    zlib_fast = zlib.compressobj(xlsx_zip.ZLIB_FAST_LEVEL, zlib.DEFLATED, -15)
    assert b"".join(deflate([ROWS], fast=True).parts) == zlib_fast.compress(ROWS) + zlib_fast.flush()

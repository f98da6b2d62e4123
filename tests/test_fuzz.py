"""Mutation fuzzing: damaged bytes and hostile cell values never crash a run.

Byte mutations of a committed workbook (flipped bytes, overwritten runs, cut
files, a damaged zip directory) and cell mutations (random text, numbers,
dates, huge strings, control characters, emoji, header words, formulas in
random cells) go through ``read_file`` → ``analyse`` → ``write_outputs``.
Each case ends as a file error with a message, or as a file read with every
unreadable value an issue record; never as an exception. The cases are
seeded, so a failure repeats.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import random
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import MergedCell

from leadbook.config import Config
from leadbook.model import SourceFile
from leadbook.outputs import write_outputs
from leadbook.pipeline import analyse
from leadbook.read import read_file

MESSY = Path(__file__).parent / "fixtures" / "messy"
# Byte-mutated files and how many seeds each: LibreOffice's zip package (shared
# strings, styles), a legacy .xls compound file, GBK CSV text, an HTML table.
BYTE_BASES = {"lo_leads.xlsx": 20, "wps_leads.xls": 12, "gbk_leads.csv": 4, "html_as.xls": 4}
BYTE_CASES = [(base, seed) for base, n in BYTE_BASES.items() for seed in range(n)]
CELL_BASES = ["lo_leads.xlsx", "date1904.xlsx", "trad_two_row.xlsx"]
AS_OF = dt.date(2026, 11, 22)


def _run(path: Path, out: Path) -> tuple[SourceFile, list[str], dict[str, Any]]:
    """One file through the whole run: (the file as read, output errors, summary.json)."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    src = read_file(path, path.name)
    analysis = analyse(path.parent, Config(), AS_OF, files=[src])
    written = write_outputs(analysis, out, jobs=1)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest  # the input untouched
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return src, written.errors, summary


def _copies_open(out: Path) -> None:
    """Every annotated copy that was written opens in openpyxl, its cells readable."""
    folder = out / "annotated"
    for copy in sorted(folder.iterdir()) if folder.is_dir() else []:
        wb = openpyxl.load_workbook(copy)
        for ws in wb.worksheets:
            for _row in ws.iter_rows(values_only=True):
                pass


def _check_outcome(src: SourceFile, summary: dict[str, Any]) -> None:
    """A file error with a message naming the file, or issue records that say where."""
    [entry] = summary["files"]
    assert entry["status"] == src.status
    if src.status == "error":
        assert src.message("zh").startswith(f"{src.name}: ") and len(src.message("zh")) > len(src.name) + 5
        assert entry["sheets"] == [] and src.issues == []
        return
    assert src.status == "ok", src.status
    for issue in summary["issues"]:
        assert issue["file"] == src.name
        assert isinstance(issue["code"], str) and issue["code"]
        assert isinstance(issue["message"], str) and issue["message"]
        assert issue["row"] is None or (isinstance(issue["row"], int) and issue["row"] >= 1)


# --------------------------------------------------------------------------
# Byte mutations
# --------------------------------------------------------------------------


def _mutate_bytes(data: bytes, rng: random.Random, zipped: bool = True) -> bytes:
    buf = bytearray(data)
    how = rng.choice(["flip", "flip", "overwrite", "truncate", "zero", "splice"]
                     + (["directory"] if zipped else []))
    if how == "flip":  # a few bits anywhere
        for _ in range(rng.randint(1, 12)):
            buf[rng.randrange(len(buf))] ^= 1 << rng.randrange(8)
    elif how == "overwrite":  # a run of random bytes
        start = rng.randrange(len(buf))
        buf[start:start + rng.randint(1, 400)] = rng.randbytes(rng.randint(1, 400))
    elif how == "truncate":
        del buf[rng.randint(0, len(buf) - 1):]
    elif how == "directory":  # the zip's central directory and its end record
        tail = max(0, len(buf) - 1_500)
        for _ in range(rng.randint(1, 6)):
            buf[rng.randrange(tail, len(buf))] = rng.randrange(256)
    elif how == "zero":
        start = rng.randrange(len(buf))
        end = start + rng.randint(1, 2_000)
        buf[start:end] = bytes(len(buf[start:end]))
    else:  # a piece of the file copied over another place
        a, b = rng.randrange(len(buf)), rng.randrange(len(buf))
        n = rng.randint(1, 600)
        buf[b:b + n] = buf[a:a + n]
    return bytes(buf)


def _mutate_part(data: bytes, rng: random.Random) -> bytes:
    """A zip package with one part's inflated bytes mutated and its checksums right:
    a part that fails its checksum is refused as damaged before it is parsed, so
    this is what reaches the parser and the annotated copy."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        infos = zin.infolist()
        victim = rng.choice([i for i in infos if i.filename.endswith(".xml")])
        for info in infos:
            part = zin.read(info)
            if info is victim:
                part = _mutate_bytes(part, rng, zipped=False)
            zout.writestr(info, part)
    return out.getvalue()


def _mutant(base: str, seed: int, folder: Path) -> Path:
    path = folder / f"mutated{Path(base).suffix}"
    data, rng = (MESSY / base).read_bytes(), random.Random(seed)
    if base.endswith(".xlsx") and seed % 2:
        path.write_bytes(_mutate_part(data, rng))
    else:
        path.write_bytes(_mutate_bytes(data, rng))
    return path


@pytest.mark.slow
@pytest.mark.parametrize(("base", "seed"), BYTE_CASES)
def test_byte_mutations_end_as_file_errors_or_issues(base: str, seed: int,
                                                     tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    path = _mutant(base, seed, inbox)
    src, errors, summary = _run(path, tmp_path / "out")
    _check_outcome(src, summary)
    # A file read despite damage may still fail to be copied (a part only the
    # annotated copy needs); that is said with the file's name, not raised.
    for error in errors:
        assert path.name in error, error
    _copies_open(tmp_path / "out")


@pytest.mark.parametrize("base", ["lo_leads.xlsx", "wps_leads.xls"])
def test_byte_mutations_reach_both_outcomes(base: str, tmp_path: Path) -> None:
    """The mutations are neither all fatal nor all harmless: both paths are exercised."""
    statuses = {read_file(path, path.name).status
                for path in (_mutant(base, seed, tmp_path) for seed in range(BYTE_BASES[base]))}
    assert statuses == {"ok", "error"}


# --------------------------------------------------------------------------
# Cell mutations
# --------------------------------------------------------------------------

# What openpyxl refuses to write raw; Excel stores these as _xHHHH_, which
# readers turn back into the character.
_ILLEGAL = {c for c in range(32) if c not in (9, 10, 13)}


def _storable(text: str) -> str:
    return "".join(f"_x{ord(ch):04X}_" if ord(ch) in _ILLEGAL else ch for ch in text)


HEADER_WORDS = ["客户姓名", "联系电话", "销售顾问", "首次接触日期", "客户级别", "状态", "日期",
                "来店批次", "留档数", "合计", "小计", "Total"]

values = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=10),  # control characters
    st.sampled_from(["😀", "👍🏽", "🚗💨", "‮RTL", "\u200b", "\ufeff", "﷽", "ｅｍｏｊｉ"]),
    st.sampled_from(HEADER_WORDS),
    st.sampled_from(["=1+1", "=HYPERLINK(\"http://x\",\"y\")", "+SUM(1,2)", "-1+2", "@cmd",
                     "=1/0", "=A1"]),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 12, 31)),
    st.times(),
    st.integers(min_value=1, max_value=32_767).map(lambda n: "长" * n),  # up to Excel's limit
    st.text(alphabet="0123456789 -+()", min_size=1, max_size=20),  # phone-like
    st.text(alphabet="0123456789/.-年月日 :", min_size=1, max_size=16),  # date-like
)
edits = st.lists(
    st.tuples(st.integers(1, 20), st.integers(1, 14), values), min_size=1, max_size=12)


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(base=st.sampled_from(CELL_BASES), changes=edits)
@pytest.mark.slow
def test_cell_mutations_end_as_issues(base: str, changes: list[tuple[int, int, Any]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        inbox = work / "inbox"
        inbox.mkdir()
        path = inbox / base
        shutil.copy(MESSY / base, path)
        wb = openpyxl.load_workbook(path)
        ws = wb.worksheets[0]
        for row, col, value in changes:
            cell = ws.cell(row, col)
            if isinstance(cell, MergedCell):
                continue  # covered by a merged range: only its first cell holds a value
            cell.value = _storable(value) if isinstance(value, str) else value
        wb.save(path)

        src, errors, summary = _run(path, work / "out")
        assert src.status == "ok", src.message("zh")  # a valid workbook is always read
        _check_outcome(src, summary)
        assert errors == []  # and every output is written
        assert (work / "out" / "report.xlsx").is_file()
        assert (work / "out" / "summary.html").is_file()
        _copies_open(work / "out")

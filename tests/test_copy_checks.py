"""The parse-back of a patched part: in this process, or in a child fed by a pipe
(a large part), with the same verdicts; a child that gives none leaves the part
to be checked here (leadbook.write.copy_checks)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from test_hostile import good_workbook, process, temp_files

import leadbook.write.copy_checks
import leadbook.write.xlsx_package
import leadbook.write.xlsx_sheet
from leadbook.model import OutputError
from leadbook.texts import render
from leadbook.write.copy_checks import Parsed

HEAD = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
ROWS = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>\xe7\x8e\x8b%d</t></is></c></row>'
                % (i, i, i) for i in range(1, 3000))
PARTS = {
    "good": HEAD + b"<worksheet><sheetData>" + ROWS + b"</sheetData></worksheet>",
    "mismatched": HEAD + b"<worksheet><sheetData>" + ROWS + b"<row></sheetData></worksheet>",
    "doubled attribute": HEAD + b'<worksheet><sheetData><row r="1" r="1"/></sheetData></worksheet>',
    "doctype": HEAD + b'<!DOCTYPE worksheet [<!ENTITY e "x">]><worksheet/>',
    "junk after the root": HEAD + b"<worksheet/>\n\n<worksheet/>",
    "cut short": HEAD + b"<worksheet><sheetData>" + ROWS,
    "not UTF-8": HEAD + b"<worksheet><sheetData>\xff\xfe</sheetData></worksheet>",
}


@pytest.fixture(autouse=True)
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """The child is used on a machine of two cores or more: these tests run as on one."""
    monkeypatch.setattr(leadbook.write.copy_checks, "_cores", lambda: 2)


def test_one_core_parses_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(leadbook.write.copy_checks, "_cores", lambda: 1)
    assert Parsed("xl/worksheets/sheet1.xml", elsewhere=True).child is None


def _verdict(data: bytes, elsewhere: bool) -> tuple[str | None, bool]:
    """(the refusal in words or None, whether the check gave a verdict), the bytes
    passed through the check in pieces of 1,000 bytes, as a patched sheet goes by."""
    parsed = Parsed("xl/worksheets/sheet1.xml", elsewhere=elsewhere)
    assert (parsed.child is not None) == elsewhere  # the child really does the work
    chunks = [data[i:i + 1000] for i in range(0, len(data), 1000)]
    assert list(parsed.through(chunks)) == chunks  # the bytes go on unchanged
    try:
        parsed.verdict("good.xlsx")
    except OutputError as exc:
        return render(exc.why, "en"), parsed.known
    return None, parsed.known


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PARTS))
def test_a_child_parses_a_part_back_as_this_process_does(name: str) -> None:
    here = _verdict(PARTS[name], elsewhere=False)
    there = _verdict(PARTS[name], elsewhere=True)
    assert there == here
    assert here[1] is True
    assert (here[0] is None) == (name == "good")


def test_the_verdicts_name_what_is_wrong_and_where() -> None:
    said, _ = _verdict(PARTS["mismatched"], elsewhere=False)
    assert said is not None and "mismatched tag, line 2" in said
    said, _ = _verdict(PARTS["doctype"], elsewhere=False)
    assert said is not None and "document type" in said


@pytest.mark.slow
@pytest.mark.parametrize("program", ["import sys; sys.exit(3)",
                                     "import os, signal; os.kill(os.getpid(), signal.SIGKILL)",
                                     "print('maybe')"])
def test_a_child_that_gives_no_verdict_leaves_the_part_unknown(
        program: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(leadbook.write.copy_checks, "_CHECKER", program)
    said, known = _verdict(PARTS["mismatched"], elsewhere=True)
    assert said is None
    assert known is False


def _break_the_patch(monkeypatch: pytest.MonkeyPatch) -> None:
    real = leadbook.write.xlsx_sheet.SheetPatcher.run

    def broken(self, chunks):  # type: ignore[no-untyped-def]
        for chunk in real(self, chunks):
            yield chunk.replace(b"</sheetData>", b"<row></sheetData>")

    monkeypatch.setattr(leadbook.write.xlsx_sheet.SheetPatcher, "run", broken)


@pytest.mark.slow
@pytest.mark.parametrize("checker", ["the child", "a child that stops"])
@pytest.mark.parametrize("patch", ["good", "broken"])
def test_a_copy_checked_by_a_child_is_renamed_into_place_only_when_well_formed(
        checker: str, patch: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    good_workbook(inbox / "good.xlsx")
    # every patched sheet is parsed back by a child, however small
    monkeypatch.setattr(leadbook.write.xlsx_package, "ELSEWHERE_BYTES", 0)
    children: list[Parsed] = []
    real_init = Parsed.__init__

    def counted(self: Parsed, part: str, elsewhere: bool = False) -> None:
        real_init(self, part, elsewhere)
        children.append(self)

    monkeypatch.setattr(Parsed, "__init__", counted)
    if checker == "a child that stops":
        monkeypatch.setattr(leadbook.write.copy_checks, "_CHECKER", "import os; os._exit(9)")
    if patch == "broken":
        _break_the_patch(monkeypatch)
    out = tmp_path / "out"
    result = process(inbox, out)
    assert [p.child is not None for p in children] == [True]
    assert [p.known for p in children] == [checker == "the child"]
    copy = out / "annotated" / "good.xlsx"
    if patch == "good":
        assert result.exit_code == 0
        with zipfile.ZipFile(copy) as zf:
            assert "系统级别".encode() in zf.read("xl/worksheets/sheet1.xml")
    else:
        assert result.exit_code == 1
        assert "good.xlsx: 未生成注释副本: leadbook 对它的部件 xl/worksheets/sheet1.xml 的修改不是" \
               "格式正确的 XML (mismatched tag, line 2); 原文件未改动" in result.output
        assert not copy.exists()
    assert temp_files(out) == []


def test_the_patching_runs_ahead_of_a_child_that_is_slow_to_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bytes go down the pipe from a thread: while the child has not read a byte,
    the patched chunks still go on to the zip, up to AHEAD_CHUNKS of them beyond
    what the pipe holds; then the child reads them all and gives its verdict."""
    import threading

    from leadbook.write import copy_checks

    go = tmp_path / "go"
    monkeypatch.setattr(copy_checks, "_CHECKER", (
        f"import os, time\nwhile not os.path.exists({str(go)!r}):\n    time.sleep(0.01)\n"
        + copy_checks._CHECKER))
    row = b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
    body = row * ((2 << 20) // len(row))  # chunks of 2 MB: each more than the pipe holds
    chunks = [HEAD + b"<worksheet><sheetData>", *[body] * (copy_checks.AHEAD_CHUNKS - 1),
              b"</sheetData></worksheet>"]
    parsed = Parsed("xl/worksheets/sheet1.xml", elsewhere=True)
    assert parsed.child is not None
    passed: list[bytes] = []
    through = iter(parsed.through(chunks))
    reader = threading.Thread(target=lambda: passed.extend(next(through) for _ in chunks),
                              daemon=True)
    reader.start()
    try:
        reader.join(timeout=60)  # a write waiting for the child would never return
        assert not reader.is_alive() and passed == chunks
    finally:
        go.touch()
    assert list(through) == []  # the end: the child reads everything and says ok
    parsed.verdict("good.xlsx")
    assert parsed.known

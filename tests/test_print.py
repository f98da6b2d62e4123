"""The call list on paper: LibreOffice prints it to PDF, poppler reads the pages.

待跟进 (and each --split list) must print on A4 landscape at a readable size (no
text below 8 pt), one page wide, each consultant starting a page with the
header repeated, 原因 the last column (domain.md §8).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from outcome_factory import make_outcome

from leadbook.labels import Labels
from leadbook.write.report_xlsx import due_title, write_due_sheet
from leadbook.write.split import write_split
from leadbook.write.xlsx_table import Formats, new_workbook

pytestmark = pytest.mark.client

def to_pdf(book: Path, tmp_path: Path) -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is needed (apt-get install libreoffice-calc-nogui)"
    assert shutil.which("pdftotext"), "poppler is needed (apt-get install poppler-utils)"
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
                    "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(book)],
                   capture_output=True, timeout=180, check=True)
    pdf = tmp_path / (book.stem + ".pdf")
    assert pdf.is_file()
    return pdf


def pages(pdf: Path) -> list[list[tuple[int, int, int, str]]]:
    """Per page, its texts as (left, top, font size in pt, text), as poppler reads them
    (pdftohtml -xml at zoom 1: positions and sizes in points)."""
    xml = subprocess.run(["pdftohtml", "-xml", "-i", "-zoom", "1", "-stdout", str(pdf)],
                         capture_output=True, check=True).stdout
    root = ElementTree.fromstring(xml)
    sizes = {f.get("id"): int(f.get("size")) for f in root.iter("fontspec")}
    out = []
    for page in root.iter("page"):
        texts = sorted((int(t.get("top")), int(t.get("left")), int(t.get("width")),
                        sizes[t.get("font")], "".join(t.itertext()).strip())
                       for t in page.iter("text"))
        # Runs that touch on one line are one text (poppler splits where the font
        # changes, as in "王磊/二组").
        merged: list[list[Any]] = []
        for top, left, width, size, text in texts:
            last = merged[-1] if merged else None
            if last and last[1] == top and left <= last[0] + last[4] + 1:
                last[3] += text
                last[4] = left + width - last[0]
                last[2] = min(last[2], size)
            else:
                merged.append([left, top, size, text, width])
        out.append([(m[0], m[1], m[2], m[3]) for m in merged])
    return out


def page_sizes(pdf: Path) -> set[tuple[int, int]]:
    """Each page's size in whole points."""
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True,
                          text=True, check=True).stdout
    return {(round(float(w)), round(float(h)))
            for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)}


def check_printed(pdf: Path, consultants: list[str]) -> None:
    assert page_sizes(pdf) == {(842, 595)}  # A4 landscape (297 × 210 mm), every page
    firsts = []
    for page in pages(pdf):
        small = [(t, size) for _, _, size, t in page if size < 8]
        assert not small, small  # no text below 8 pt
        texts = " ".join(t for _, _, _, t in page)
        assert "销售顾问" in texts and "原因" in texts  # the header on every page
        assert "文件" not in texts and "行号" not in texts  # after 原因: not printed
        header_top = next(y for _, y, _, t in page if t.startswith("销售顾问"))
        # The first column below the header: one consultant a page, from its top row.
        body = [(x, y, t) for x, y, _, t in page if header_top + 5 < y < 540]
        left = min(x for x, _, _ in body)
        column = [t for x, y, t in sorted(body, key=lambda b: b[1]) if abs(x - left) <= 2]
        first_cell = column[0]
        assert first_cell in consultants
        assert set(column) == {first_cell}
        firsts.append(first_cell)
    assert sorted(set(firsts), key=consultants.index) == consultants  # each starts a page


def test_call_list_prints_each_consultant_on_its_own_pages(tmp_path: Path):
    outcome = make_outcome()
    lab = Labels("zh")
    book = tmp_path / "due.xlsx"
    wb = new_workbook(str(book))
    write_due_sheet(wb, Formats(wb), lab, outcome.tasks, due_title(outcome, lab), outcome.store)
    wb.close()
    names = list(dict.fromkeys(outcome.tasks["consultant"]))
    check_printed(to_pdf(book, tmp_path), names)


def test_split_lists_print_the_same(tmp_path: Path):
    outcome = make_outcome()
    for path in write_split(outcome, tmp_path / "due"):
        group = outcome.tasks[outcome.tasks["consultant"] == path.stem.replace("_", "/")]
        who = str(group["consultant"].iloc[0])
        check_printed(to_pdf(path, tmp_path / path.stem), [who])

"""The daily reports' records worked out as each file comes in (records.Ahead, given
to read_inbox by the run) are the records read_records makes of them afterwards:
the same tables, the same issues in the same order."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
from test_month_grid import _daily, write_grid

from leadbook.config import Config
from leadbook.model import SheetKind
from leadbook.read import read_inbox
from leadbook.records import Ahead, read_records

AS_OF = dt.date(2026, 11, 22)
HERE = Path(__file__).parent
SAMPLE = HERE.parent / "sample_data"
MESSY = HERE / "fixtures" / "messy"
READER = HERE / "fixtures" / "reader"


def _inbox(tmp_path: Path, which: str) -> Path:
    box = tmp_path / which
    if which == "grid and daily":
        box.mkdir()
        write_grid(box / "grid.xlsx")
        _daily(box / "daily.xlsx", range(16, 23))
        shutil.copy(READER / "lo_leads.xlsx", box / "lo_leads.xlsx")
        return box
    source = {"sample": SAMPLE, "messy": MESSY, "reader": READER}[which]
    shutil.copytree(source, box, ignore=shutil.ignore_patterns("*.py", "leadbook-*"))
    return box


@pytest.mark.slow
@pytest.mark.parametrize("which", ["sample", "messy", "reader", "grid and daily"])
def test_daily_reports_taken_ahead_give_the_same_records(which: str, tmp_path: Path) -> None:
    inbox = _inbox(tmp_path, which)
    columns = {k: list(v) for k, v in Config().columns.items()}
    plain = read_records(read_inbox(inbox, columns, 2), AS_OF, release=True)
    ahead = Ahead(AS_OF)
    taken: list[str] = []

    def came(src):  # type: ignore[no-untyped-def]
        taken.append(src.name)
        ahead.take(src)

    files = read_inbox(inbox, columns, 2, on_read=came)
    activity = [s for f in files if f.status == "ok" for s in f.sheets
                if s.kind is SheetKind.ACTIVITY]
    assert activity  # every inbox here has a daily report or a month grid
    assert sorted(taken) == sorted(f.name for f in files if f.status != "skipped")
    assert len(ahead.done) == len(activity)
    assert all(not s.rows for s in activity)  # their raw rows let go already
    early = read_records(files, AS_OF, release=True, ahead=ahead)
    assert ahead.done == {}  # every one taken by read_records
    pd.testing.assert_frame_equal(early.activity, plain.activity)
    pd.testing.assert_frame_equal(early.leads, plain.leads)
    assert [(i.file, i.sheet, i.row, i.column, i.code, i.values) for i in early.issues] == \
           [(i.file, i.sheet, i.row, i.column, i.code, i.values) for i in plain.issues]
    assert len(early.activity) > 0

"""The records the rules work on: the leads' table (one row per lead-card row), the
daily reports' (one row per consultant and day, or per day of a month grid) and
everything read from an inbox (Records).

The leads are a table (:func:`lead_table`): typed columns, one row per card row
in reading order over the whole inbox (the position is "the earliest row").
Built by leadbook.records (the rows of a sheet, read column by column) and, for
a card written by hand, by :func:`leads_from`; leadbook.ownership and
leadbook.worklist give new tables with their columns added, never change one.
The daily reports' table (:func:`activity_table`) is built the same way by
leadbook.records, with the days of a month grid from leadbook.grid_activity.
Plain values, no reading here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .days import date_column
from .model import Issue, Status
from .spend import SpendItem

# A lead as read. Text is an object column (None where the cell was empty); dates
# are datetime64[s] (NaT where the card has none); ``status`` is the Status value;
# ``horizon`` the Horizon read from ``horizon_text``; ``hints`` each row's list of
# problems as words (the annotated copy's 提示), which ownership adds to.
READ_TEXT = ("file", "sheet", "name", "phone", "consultant", "source", "model",
             "horizon_text", "grade_recorded", "lost_reason", "competitor", "notes")
READ_DATES = ("first_contact", "last_contact", "next_contact", "delivery_date", "birthday",
              "lost_date")
# What leadbook.ownership adds: the position of the row a repeated row repeats (-1
# for none), whether it repeats one, and how (conflict | repeat, or "").
OWNER_COLUMNS = ("owner", "duplicate", "duplicate_kind")
# What leadbook.worklist.apply_rules adds, in the run's language: the grade, why,
# the purchase date it counts from, 级别变化, when the next call is due, how late,
# its bucket, escalation and why; and what the row's hints are made of (a passed
# date, a lead to re-qualify, no horizon, the cadence an escalation names).
RULE_TEXT = ("grade", "reason", "grade_change", "bucket", "escalation", "due_why")
RULE_DATES = ("expected", "next_due")
RULE_FLAGS = ("passed", "requalify", "no_horizon")


def _texts(values: Sequence[Any]) -> pd.Series:
    """An object column: None stays None (pandas would make a string column of text,
    with NaN for None)."""
    column: pd.Series = pd.Series(list(values), dtype=object)
    return column


def _lists(values: Sequence[list[Any]]) -> np.ndarray:
    """An object column of lists (a row's hints), one list per row."""
    column = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):
        column[i] = value
    return column


def _given(columns: Mapping[str, Sequence[Any]], n: int) -> Callable[..., Sequence[Any]]:
    """``given(name, empty=None)``: the column ``name`` of ``columns``, or ``n`` empty
    values where it is not given."""
    def given(name: str, empty: Any = None) -> Sequence[Any]:
        values = columns.get(name)
        return [empty] * n if values is None else values

    return given


def with_columns(table: pd.DataFrame, columns: Mapping[str, Any]) -> pd.DataFrame:
    """A new table: ``table``'s columns (those not given) and ``columns`` (arrays or
    columns of its length), put together at once (``DataFrame.assign`` inserts
    them one by one: five times as long)."""
    kept = table.drop(columns=[c for c in columns if c in table.columns])
    # an object array stays an object column (pandas would make a string column of
    # text, with NaN for None)
    added = pd.DataFrame({
        name: pd.Series(values, index=table.index, dtype=object)
        if isinstance(values, np.ndarray) and values.dtype == object else values
        for name, values in columns.items()}, index=table.index)
    out: pd.DataFrame = pd.concat([kept, added], axis=1)
    return out


def lead_table(columns: Mapping[str, Sequence[Any]], n: int) -> pd.DataFrame:
    """The leads as read, from their columns (each of ``n`` values; a field not
    given is empty): text and Horizon values, dates as ``dt.date``, ``row`` the
    Excel row, ``status`` Status members, ``hints`` lists."""
    given = _given(columns, n)
    data: dict[str, Any] = {name: _texts(given(name)) for name in READ_TEXT}
    data["row"] = np.asarray(given("row", 0), dtype=np.int64).reshape(n)
    data["status"] = _texts([s.value for s in given("status", Status.ACTIVE)])
    data["horizon"] = _texts(given("horizon"))
    for name in READ_DATES:
        data[name] = date_column(given(name))
    data["hints"] = _lists(columns.get("hints") or [[] for _ in range(n)])
    frame: pd.DataFrame = pd.DataFrame(data)
    return frame


def leads_from(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """A leads' table from rows given as mappings of field → value (a card written
    by hand): the read fields of :func:`lead_table`, and any of the columns
    ownership and the rules add (``owner`` a position, dates as ``dt.date``,
    ``days_late`` an int or None), which are set as given."""
    n = len(rows)
    names = {k for row in rows for k in row}
    read = {name: [row.get(name) for row in rows] for name in (*READ_TEXT, "horizon", *READ_DATES)}
    read["row"] = [row.get("row", i + 2) for i, row in enumerate(rows)]
    read["status"] = [row.get("status", Status.ACTIVE) for row in rows]
    read["hints"] = [list(row.get("hints", [])) for row in rows]
    frame = lead_table(read, n)
    if names & {*OWNER_COLUMNS, *RULE_TEXT, *RULE_DATES, *RULE_FLAGS, "days_late", "cadence"}:
        owner = np.array([row.get("owner", -1) for row in rows], dtype=np.int64).reshape(n)
        late = [row.get("days_late") for row in rows]
        frame = with_columns(frame, dict(
            owner=owner, duplicate=owner >= 0,
            duplicate_kind=_texts([row.get("duplicate_kind", "") for row in rows]),
            **{name: _texts([row.get(name, "") for row in rows]) for name in RULE_TEXT},
            **{name: date_column([row.get(name) for row in rows]) for name in RULE_DATES},
            **{name: np.array([bool(row.get(name)) for row in rows], dtype=bool)
               for name in RULE_FLAGS},
            days_late=pd.array(late, dtype="Int64"),
            cadence=np.array([row.get("cadence", 0) for row in rows], dtype=np.int64)))
    return frame


# A daily-report row (one consultant, one day) or a day of a month grid (the whole
# store: ``store_level``, no consultant). Counts are float64, NaN where the cell
# was empty; ``hints`` as for the leads.
ACTIVITY_TEXT = ("file", "sheet", "consultant")
ACTIVITY_NUMBERS = ("traffic", "kept", "calls", "invited_visits", "test_drives", "orders",
                    "deliveries", "lost")


def activity_table(columns: Mapping[str, Sequence[Any]], n: int) -> pd.DataFrame:
    """The daily reports' rows from their columns (each of ``n`` values; a field not
    given is empty): ``date`` as ``dt.date``, counts as numbers or None."""
    given = _given(columns, n)
    data: dict[str, Any] = {name: _texts(given(name)) for name in ACTIVITY_TEXT}
    data["row"] = np.asarray(given("row", 0), dtype=np.int64).reshape(n)
    data["date"] = date_column(given("date"))
    for name in ACTIVITY_NUMBERS:
        data[name] = np.array([np.nan if v is None else v for v in given(name)],
                              dtype=np.float64).reshape(n)
    data["store_level"] = np.asarray(given("store_level", False), dtype=bool).reshape(n)
    data["hints"] = _lists(columns.get("hints") or [[] for _ in range(n)])
    frame: pd.DataFrame = pd.DataFrame(data)
    return frame


def activity_from(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """A daily reports' table from rows given as mappings of field → value (a report
    written by hand)."""
    names = (*ACTIVITY_TEXT, "row", "date", *ACTIVITY_NUMBERS, "store_level")
    columns: dict[str, list[Any]] = {name: [row.get(name) for row in rows] for name in names}
    columns["row"] = [row.get("row", i + 2) for i, row in enumerate(rows)]
    columns["store_level"] = [bool(row.get("store_level")) for row in rows]
    columns["hints"] = [list(row.get("hints", [])) for row in rows]
    return activity_table(columns, len(rows))


def _no_activity() -> pd.DataFrame:
    return activity_table({}, 0)


def _no_leads() -> pd.DataFrame:
    return lead_table({}, 0)


@dataclass
class Records:
    leads: pd.DataFrame = field(default_factory=_no_leads)  # lead_table
    activity: pd.DataFrame = field(default_factory=_no_activity)  # activity_table
    spend: list[SpendItem] = field(default_factory=list)  # the spend sheets' rows
    issues: list[Issue] = field(default_factory=list)

"""The records as tables: one row per lead (or daily-report row), typed columns.

The figures (leadbook.metrics) are column operations on these tables. Dates are
``datetime64[s]`` columns (NaT where a card has none), counts are numbers,
words are text in object columns (None where the cell was empty), ``status`` is the Status value.
Built once a run, from the records as the rules left them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any

import numpy as np
import pandas as pd

from .days import day_numbers
from .record_types import Activity, Lead

# A lead's columns the week's work and the figures count on: its text fields, its
# dates, and what the rules set (its grade, when its call is due and why, whether it
# repeats another lead).
LEAD_TEXT = ("file", "sheet", "name", "phone", "consultant", "source", "model", "lost_reason",
             "competitor", "grade", "grade_change", "bucket", "escalation", "reason",
             "due_why")
LEAD_DATES = ("first_contact", "last_contact", "next_due", "delivery_date", "birthday",
              "lost_date")
ACTIVITY_TEXT = ("file", "sheet", "consultant")
ACTIVITY_NUMBERS = ("traffic", "kept", "calls", "invited_visits", "test_drives", "orders",
                    "deliveries", "lost")
NAT = np.datetime64("NaT", "s")
SECONDS_A_DAY = 86_400


def date_column(values: Sequence[dt.date | None]) -> np.ndarray:
    """Dates (or None) as a ``datetime64[s]`` array, NaT for None."""
    days, has = day_numbers(values)
    out = (days * SECONDS_A_DAY).view("datetime64[s]")
    out[~has] = NAT
    return out


def _column(items: Sequence[Any], name: str) -> list[Any]:
    get: Callable[[Any], Any] = attrgetter(name)
    return [get(item) for item in items]


def filled(words: pd.Series, default: Any) -> pd.Series:
    """A text column, ``default`` (a word, or a column of them) where the cell was empty
    (None or "")."""
    out: pd.Series = words.where(words.notna() & (words != ""), default)
    return out


def _words(items: Sequence[Any], name: str) -> pd.Series:
    """A text field as an object column: None stays None (pandas would make a string
    column of it, with NaN for None)."""
    column: pd.Series = pd.Series(_column(items, name), dtype=object)
    return column


def lead_frame(leads: Sequence[Lead]) -> pd.DataFrame:
    """The leads, one row each in records order (the position is the index)."""
    data: dict[str, Any] = {name: _words(leads, name) for name in LEAD_TEXT}
    data["row"] = np.array(_column(leads, "row"), dtype=np.int64)
    data["status"] = [lead.status.value for lead in leads]
    for name in LEAD_DATES:
        data[name] = date_column(_column(leads, name))
    late = _column(leads, "days_late")
    data["days_late"] = pd.array(late, dtype="Int64")
    data["duplicate"] = np.array([lead.owner is not None for lead in leads], dtype=bool)
    frame: pd.DataFrame = pd.DataFrame(data)
    return frame


def activity_frame(activity: Sequence[Activity]) -> pd.DataFrame:
    """The daily-report rows (and a month grid's days), one row each in records order."""
    data: dict[str, Any] = {name: _words(activity, name) for name in ACTIVITY_TEXT}
    data["row"] = np.array(_column(activity, "row"), dtype=np.int64)
    data["date"] = date_column(_column(activity, "date"))
    for name in ACTIVITY_NUMBERS:
        data[name] = np.array([np.nan if v is None else v for v in _column(activity, name)],
                              dtype=np.float64)
    data["store_level"] = np.array(_column(activity, "store_level"), dtype=bool)
    frame: pd.DataFrame = pd.DataFrame(data)
    return frame

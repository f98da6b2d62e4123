"""The daily reports as a table (the leads' is record_types.lead_table).

The figures (leadbook.metrics) are column operations on the leads' table
(record_types.lead_table, with the columns ownership and the rules add) and on
the daily reports' (:func:`activity_frame`). Dates are ``datetime64[s]``
columns (NaT where a card has none), counts are numbers, words are text in
object columns (None where the cell was empty), ``status`` is the Status value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any

import numpy as np
import pandas as pd

from .days import date_column
from .record_types import Activity

ACTIVITY_TEXT = ("file", "sheet", "consultant")
ACTIVITY_NUMBERS = ("traffic", "kept", "calls", "invited_visits", "test_drives", "orders",
                    "deliveries", "lost")


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

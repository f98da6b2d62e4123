"""The tables' date columns as day numbers (:mod:`leadbook.daycount`), the unit the
rules and the figures count in: a ``datetime64`` column, NaT where a card has no
date, is read as day numbers with a mask of where there is one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .daycount import EPOCH, date_of

if TYPE_CHECKING:
    import pandas as pd


def day_numbers(dates: Sequence[dt.date | None]) -> tuple[np.ndarray, np.ndarray]:
    """Dates (or None) as day numbers, and where there is one."""
    has = np.array([d is not None for d in dates], dtype=bool)
    days = np.array([d.toordinal() - EPOCH if d is not None else 0 for d in dates],
                    dtype=np.int64)
    return days, has


NAT = np.datetime64("NaT", "s")
SECONDS_A_DAY = 86_400


def day_column(days: np.ndarray, has: np.ndarray) -> np.ndarray:
    """Day numbers as a ``datetime64[s]`` array, NaT where ``has`` is false: a table's
    date column."""
    out = (np.where(has, days, 0).astype(np.int64) * SECONDS_A_DAY).view("datetime64[s]")
    out[~has] = NAT
    return out


def date_column(values: Sequence[dt.date | None]) -> np.ndarray:
    """Dates (or None) as a ``datetime64[s]`` array, NaT for None: a table's date column."""
    return day_column(*day_numbers(values))


def column_days(dates: pd.Series) -> np.ndarray:
    """A ``datetime64`` column as day numbers (NaT as the least int: mask it)."""
    return np.asarray(dates.to_numpy().astype("datetime64[D]").astype(np.int64))


def masked_days(dates: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A ``datetime64`` column as day numbers (0 for NaT) and where there is a date: what
    :func:`day_numbers` gives for the same dates as values."""
    has = dates.notna().to_numpy()
    return np.where(has, column_days(dates), 0).astype(np.int64), has


def column_day_list(dates: pd.Series) -> list[int | None]:
    """A ``datetime64`` column as day numbers (None for NaT)."""
    nat = dates.isna().tolist()
    return [None if empty else n
            for n, empty in zip(column_days(dates).tolist(), nat, strict=True)]


def column_dates(dates: pd.Series) -> list[dt.date | None]:
    """A ``datetime64`` column as dates (None for NaT)."""
    return [None if n is None else date_of(n) for n in column_day_list(dates)]

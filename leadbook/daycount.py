"""Dates as day numbers: days since 1970-01-01, in plain Python (no numpy), for the
history and the rules alike; :mod:`leadbook.days` reads the tables' date columns
as them.
"""

from __future__ import annotations

import datetime as dt
import functools

EPOCH = dt.date(1970, 1, 1).toordinal()
FIRST_DAY, LAST_DAY = dt.date.min.toordinal() - EPOCH, dt.date.max.toordinal() - EPOCH


def day_number(day: dt.date) -> int:
    return day.toordinal() - EPOCH


def date_of(day: int) -> dt.date:
    return dt.date.fromordinal(day + EPOCH)


@functools.lru_cache(maxsize=1 << 14)
def iso(day: int) -> str:
    """A day number as its ISO date (the same few thousand days recur: said once each)."""
    return dt.date.fromordinal(day + EPOCH).isoformat()

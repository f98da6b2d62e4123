"""Excel's own conventions, shared by the readers and the writers: column letters
and the serial numbers of date cells.

Imports nothing of leadbook: any layer may use it.
"""

from __future__ import annotations

import datetime as dt

EPOCH_1900 = dt.date(1899, 12, 30)  # serial 0 of the 1900 date system
EPOCH_1904 = dt.date(1904, 1, 1)


def excel_serial(day: dt.date, date1904: bool = False) -> int | float:
    """The serial number Excel stores for a date (or datetime) cell."""
    epoch = EPOCH_1904 if date1904 else EPOCH_1900
    if isinstance(day, dt.datetime):
        delta = day - dt.datetime.combine(epoch, dt.time())
        return delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6
    return (day - epoch).days


def column_letter(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str | bytes) -> int:
    """Excel letters → 0-based column index."""
    if isinstance(letters, bytes):
        letters = letters.decode("ascii")
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index - 1

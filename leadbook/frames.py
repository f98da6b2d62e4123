"""What the column operations on the records' tables share.

The tables are record_types.lead_table (with the columns ownership and the rules
add) and record_types.activity_table. The figures (leadbook.metrics), the week's
work and 日程 (leadbook.worklist) are column operations on them. Dates are
``datetime64[s]`` columns (NaT where a card has none; leadbook.days reads them
as day numbers), counts are numbers, words are text in object columns (None
where the cell was empty), ``status`` is the Status value.
"""

from __future__ import annotations

from typing import Any

import pandas as pd


def filled(words: pd.Series, default: Any) -> pd.Series:
    """A text column, ``default`` (a word, or a column of them) where the cell was empty
    (None or "")."""
    out: pd.Series = words.where(words.notna() & (words != ""), default)
    return out

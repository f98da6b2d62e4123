"""A value on its way into a cell: pandas and numpy values as plain Python, and the
mark every output shows for a figure that cannot be computed.

Imports nothing of leadbook: any layer may use it.
"""

from __future__ import annotations

import math
from typing import Any

MISSING = "—"


def clean(value: Any) -> Any:
    """pandas/numpy values as plain Python; NaN, NaT and pd.NA as None."""
    if value is None:
        return None
    kind = type(value)
    if kind is str or kind is int:
        return value
    if kind is float:
        return None if value != value else value
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        try:
            return value.to_pydatetime()
        except ValueError:
            return None
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    try:
        if value != value:  # pd.NA, NaT
            return None
    except TypeError:
        return None
    return value

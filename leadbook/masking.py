"""Phone-like digit runs masked in every name a run reports (domain.md §9).

A file named ``13812340301客户.xlsx``, a sheet or a consultant named with a
number: summary.json, the page and the terminal are forwarded, so the names
they carry are masked like any phone number (138****0301). The user's own
files keep their names: the annotated copy is matched to its input by it.
"""

from __future__ import annotations

from typing import Any

from .values import mask_text

# summary.json keys whose values are names or text from the workbooks.
NAME_KEYS = ("path", "message", "name", "file", "sheet")
# keys whose mapping is keyed by a consultant's name
NAMED_MAPPINGS = ("by_consultant",)


def mask_names(value: Any) -> Any:
    """A copy of a summary (dicts and lists) with every name masked."""
    if isinstance(value, list):
        return [mask_names(v) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[Any, Any] = {}
    for key, item in value.items():
        if key in NAMED_MAPPINGS and isinstance(item, dict):
            merged: dict[str, Any] = {}
            for who, figures in item.items():
                merged.setdefault(mask_text(str(who)), mask_names(figures))
            out[key] = merged
        elif key in NAME_KEYS and isinstance(item, str):
            out[key] = mask_text(item)
        else:
            out[key] = mask_names(item)
    return out
